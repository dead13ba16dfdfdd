"""The `wright` command line: train, evaluate, sample, score, demo and info, on the public API."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

import wright
from wright import datasets, demos, models, nn, optim, viz
from wright.data import DataLoader
from wright.datasets.text import CharVocab, load_tiny_shakespeare, split_tokens
from wright.train import History, ModelCheckpoint, evaluate, fit
from wright.train import language_model as lm

IMAGE_DATASETS = {"mnist": datasets.MNIST, "fashion-mnist": datasets.FashionMNIST}
OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop")


class CommandError(Exception):
    """A problem with what the user asked for; printed as one line, exit code 1."""


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def positive_float(text: str) -> float:
    """argparse type: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not np.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text}")
    return value


def writable_dir(path: str | os.PathLike) -> Path:
    """Create `path` if needed and prove it can be written, before any work starts."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".wright-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        raise CommandError(
            f"cannot write to output folder {path}: {error.strerror or error}"
        ) from None
    return path


def make_optimizer(
    name: str, params, lr: float, momentum: float = 0.0, weight_decay: float = 0.0
) -> optim.Optimizer:
    """An optimizer by name: sgd, adam, adamw or rmsprop."""
    if name == "sgd":
        return optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "adam":
        return optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    raise CommandError(f"unknown optimizer {name!r}; choose from: {', '.join(OPTIMIZERS)}")


def make_loss(name: str, num_classes: int) -> nn.Module:
    """The loss a model spec names: 'quadratic' (sigmoid outputs vs one-hot) or 'cross-entropy'."""
    if name == "quadratic":
        return nn.QuadraticCost(num_classes)
    return nn.CrossEntropyLoss()


def _load_split(dataset: str, split: str, data_dir: str | None, limit: int | None):
    try:
        return IMAGE_DATASETS[dataset](split=split, root=data_dir, limit=limit)
    except (FileNotFoundError, ValueError) as error:
        raise CommandError(str(error)) from None


def train_image_classifier(args: argparse.Namespace) -> int:
    """`wright train mnist|fashion-mnist`: train a registered image model with its recipe (flags
    override)."""
    out = writable_dir(args.out)
    try:
        spec = models.get(args.model or "mlp-lecture")
    except KeyError as error:
        raise CommandError(error.args[0]) from None
    if "image" not in spec.tasks:
        raise CommandError(
            f"model {spec.name!r} is not an image model; choose from: "
            f"{', '.join(models.available('image'))}"
        )
    wright.manual_seed(args.seed)
    train_set = _load_split(args.dataset, "train", args.data, args.limit)
    test_set = _load_split(args.dataset, "test", args.data, args.limit)
    batch_size = args.batch_size or spec.batch_size
    epochs = args.epochs or spec.epochs
    lr = args.lr or spec.lr
    optimizer_name = args.optimizer or spec.optimizer
    model = models.build(spec.name, num_classes=len(train_set.classes))
    loss_fn = make_loss(spec.loss, len(train_set.classes))
    optimizer = make_optimizer(optimizer_name, model.parameters(), lr, args.momentum)
    scheduler = (
        optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
        if spec.schedule == "cosine"
        else None
    )
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, seed=args.seed)
    test_loader = DataLoader(test_set, batch_size=1000)
    print(
        f"wright {wright.__version__}: training {spec.name} on {args.dataset} "
        f"({len(train_set):,} train / {len(test_set):,} test images)"
    )
    print(f"model: {spec.summary}; {model.num_parameters():,} weights and biases")
    schedule = f" ({spec.schedule} schedule)" if scheduler else ""
    print(
        f"recipe: {optimizer_name} lr {lr}{schedule}, batch {batch_size}, {epochs} epochs, "
        f"{spec.loss} loss, seed {args.seed}"
    )
    checkpoint = out / "model.npz"
    meta = {
        "model_name": spec.name,
        "dataset": args.dataset,
        "wright_version": wright.__version__,
        "recipe": {
            "optimizer": optimizer_name,
            "lr": lr,
            "batch_size": batch_size,
            "epochs": epochs,
            "seed": args.seed,
        },
    }
    history = fit(
        model,
        loss_fn,
        optimizer,
        train_loader,
        epochs=epochs,
        val_loader=test_loader,
        callbacks=[
            ModelCheckpoint(checkpoint, monitor="val_accuracy", save_best_only=False, extra=meta)
        ],
        scheduler=scheduler,
        verbose=args.verbose,
    )
    _write_history(history, out, f"{spec.name} on {args.dataset}")
    final = history.last()
    print(f"test accuracy: {100 * final['val_accuracy']:.2f}%  (test loss {final['val_loss']:.4f})")
    print(f"saved {checkpoint} and {out / 'history.json'}")
    return 0


def _write_history(history: History, out: Path, title: str) -> None:
    history.save(out / "history.json")
    if viz.matplotlib_available():
        viz.plot_history(history, out / "history.png", title=title)


def train_shakespeare(args: argparse.Namespace) -> int:
    """`wright train shakespeare`: a character LSTM on tiny Shakespeare; --resume continues."""
    out = writable_dir(args.out)
    try:
        text = load_tiny_shakespeare(args.data)[: args.limit]
        spec = models.get(args.model or "char-lstm")
    except (FileNotFoundError, KeyError) as error:
        raise CommandError(str(error).strip("'\"")) from None
    if "text" not in spec.tasks:
        raise CommandError(
            f"model {spec.name!r} is not a text model; use --model "
            + " or ".join(models.available("text"))
        )
    checkpoint = lm.default_checkpoint(out, spec.name)
    wright.manual_seed(args.seed)
    saved = None
    if args.resume:
        try:
            saved = lm.load_checkpoint(checkpoint)
        except (FileNotFoundError, ValueError) as error:
            raise CommandError(f"--resume: {error}") from None
        model, vocab = saved["net"], saved["vocabulary"]
        recipe = lm.LanguageModelRecipe(**saved["recipe"])
        print(f"resuming {checkpoint} at step {saved['step']}")
    else:
        vocab = CharVocab.from_text(text)
        model = models.build(spec.name, vocab_size=len(vocab))
        recipe = lm.LanguageModelRecipe(lr=spec.lr, batch_size=spec.batch_size)
        if hasattr(model, "block_size"):  # a transformer trains on windows of one whole block
            recipe.seq_len = model.block_size
    recipe.lr = args.lr or recipe.lr
    recipe.batch_size = args.batch_size or recipe.batch_size
    recipe.time_limit = args.time_limit or recipe.time_limit
    recipe.eval_every = args.eval_every or recipe.eval_every
    try:
        train_tokens, val_tokens = split_tokens(vocab.encode(text), 0.1)
    except ValueError as error:
        raise CommandError(f"the text does not fit the checkpoint's vocabulary: {error}") from None
    windows = (len(train_tokens) // recipe.batch_size - 1) // recipe.seq_len
    recipe.steps = args.steps or (args.epochs * windows if args.epochs else recipe.steps)
    print(
        f"wright {wright.__version__}: {model.summary_line()} ({model.num_parameters():,} weights) "
        f"on tiny Shakespeare: {len(train_tokens):,} train / {len(val_tokens):,} validation "
        f"characters, {len(vocab)} symbols"
    )
    print(
        f"recipe: adam lr {recipe.lr} (cosine to {recipe.lr * recipe.final_lr_fraction:.1e}), "
        f"{recipe.batch_size} streams x {recipe.seq_len} steps of truncated BPTT, "
        f"clip {recipe.clip}, {recipe.steps} steps ({recipe.steps / windows:.1f} epochs)"
        + (f", stop after {recipe.time_limit:.0f}s" if recipe.time_limit else "")
    )
    history = lm.train_language_model(
        model, train_tokens, val_tokens, recipe, checkpoint, vocab, resume=saved
    )
    (out / "history.json").write_text(json.dumps(history, indent=2))
    print(
        f"validation loss {history['val_loss'][-1]:.3f} nats/char after {history['step'][-1]} "
        f"steps; saved {checkpoint}"
    )
    print(lm.sample(model, vocab, "\n", 200, temperature=0.8, rng=np.random.default_rng(args.seed)))
    return 0


TRAIN_TASKS: dict[str, Callable[[argparse.Namespace], int]] = {
    "mnist": train_image_classifier,
    "fashion-mnist": train_image_classifier,
    "shakespeare": train_shakespeare,
}


def _load_text_model(path: str) -> dict:
    try:
        return lm.load_checkpoint(path)
    except (FileNotFoundError, ValueError) as error:
        raise CommandError(str(error)) from None


def sample_text(args: argparse.Namespace) -> int:
    """`wright sample CKPT`: continue a prompt with a trained character model."""
    saved = _load_text_model(args.checkpoint)
    try:
        text = lm.sample(
            saved["net"],
            saved["vocabulary"],
            args.prompt,
            args.length,
            args.temperature,
            rng=np.random.default_rng(args.seed),
        )
    except ValueError as error:
        raise CommandError(str(error)) from None
    print(text)
    return 0


def score_text(args: argparse.Namespace) -> int:
    """`wright score CKPT TEXT`: the model's log-probability of a string, after a newline."""
    saved = _load_text_model(args.checkpoint)
    try:
        nats = lm.log_probability(saved["net"], saved["vocabulary"], args.text)
    except ValueError as error:
        raise CommandError(str(error)) from None
    print(
        f"log P = {nats:.3f} nats ({lm.bits(nats):.3f} bits), "
        f"{-nats / len(args.text):.3f} nats per character over {len(args.text)} characters"
    )
    return 0


def evaluate_checkpoint(args: argparse.Namespace) -> int:
    """`wright evaluate CKPT`: rebuild the checkpoint's model and measure it on the test split."""
    try:
        saved = wright.load(args.checkpoint)
    except (FileNotFoundError, ValueError) as error:
        raise CommandError(str(error)) from None
    if not isinstance(saved, dict) or "model_name" not in saved or "model" not in saved:
        raise CommandError(
            f"{args.checkpoint} is a wright file but not a checkpoint written by `wright train`"
        )
    dataset = args.dataset or saved.get("dataset", "mnist")
    if dataset not in IMAGE_DATASETS:
        raise CommandError(
            f"cannot evaluate on {dataset!r}; choose from: {', '.join(IMAGE_DATASETS)}"
        )
    test_set = _load_split(dataset, "test", args.data, args.limit)
    model = models.build(saved["model_name"], num_classes=len(test_set.classes))
    model.load_state_dict(saved["model"])
    spec = models.get(saved["model_name"])
    results = evaluate(
        model,
        make_loss(spec.loss, len(test_set.classes)),
        DataLoader(test_set, batch_size=args.batch_size),
    )
    print(
        f"{saved['model_name']} on {dataset} test ({len(test_set):,} images): "
        f"accuracy {100 * results['accuracy']:.2f}%, loss {results['loss']:.4f}"
    )
    return 0


def show_info(args: argparse.Namespace) -> int:
    """`wright info`: versions, BLAS library and thread counts (what decides speed)."""
    from threadpoolctl import threadpool_info

    print(f"wright      {wright.__version__}")
    print(f"python      {platform.python_version()} ({platform.machine()})")
    print(f"numpy       {np.__version__}")
    print(f"cpu cores   {os.cpu_count()}")
    for pool in threadpool_info():
        print(
            f"blas        {pool.get('internal_api')} {pool.get('version')} "
            f"({pool.get('architecture', '?')}), {pool.get('num_threads')} threads"
        )
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE", "MKL_NUM_THREADS"):
        if name in os.environ:
            print(f"{name:<21} {os.environ[name]}")
    print(
        "matplotlib  "
        + ("installed" if viz.matplotlib_available() else "not installed (pip install wright[viz])")
    )
    return 0


def run_demo(args: argparse.Namespace) -> int:
    """`wright demo NAME`: run one lecture demonstration; `--list` shows them all."""
    available = demos.available()
    if args.list or args.name is None:
        width = max(map(len, available), default=0)
        for name, module in available.items():
            print(f"{name:<{width}}  {module.SUMMARY}")
        return 0
    if args.name not in available:
        raise CommandError(f"unknown demo {args.name!r}; choose from: {', '.join(available)}")
    out = writable_dir(args.out) if args.out else None
    wright.manual_seed(args.seed)
    results = available[args.name].run(out, seed=args.seed, quick=args.quick)
    if out is not None:
        (out / f"{args.name}.json").write_text(json.dumps(results, indent=2, default=float))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="wright", description="Train and look inside neural networks."
    )
    parser.add_argument("--version", action="version", version=f"wright {wright.__version__}")
    parser.add_argument(
        "--threads",
        type=positive_int,
        help="BLAS threads (default: the library's own choice); 1 is often fastest for "
        "small models on a busy machine",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser("train", help="train a model on a dataset")
    train.add_argument("dataset", choices=sorted(TRAIN_TASKS), help="what to train on")
    train.add_argument(
        "--model",
        help="architecture and recipe (default mlp-lecture for images, "
        f"char-lstm for shakespeare; one of {', '.join(models.available())})",
    )
    train.add_argument(
        "--epochs", type=positive_int, help="passes over the training data (default: the recipe's)"
    )
    train.add_argument("--batch-size", type=positive_int, help="examples per gradient step")
    train.add_argument("--lr", type=positive_float, help="learning rate")
    train.add_argument("--optimizer", choices=OPTIMIZERS, help="update rule")
    train.add_argument("--momentum", type=float, default=0.0, help="momentum for sgd/rmsprop")
    train.add_argument(
        "--seed", type=int, default=0, help="random seed (initial weights, shuffling)"
    )
    train.add_argument(
        "--out", default="runs/latest", help="folder for the checkpoint, history and plot"
    )
    train.add_argument(
        "--limit", type=positive_int, help="use only the first N examples of each split"
    )
    train.add_argument(
        "--data", help="folder with the dataset files (else $WRIGHT_DATA, then the bundled copy)"
    )
    train.add_argument(
        "--verbose",
        type=int,
        choices=(0, 1, 2),
        default=1,
        help="0 quiet, 1 progress bar, 2 one line per epoch",
    )
    train.add_argument(
        "--steps", type=positive_int, help="shakespeare: gradient steps (instead of --epochs)"
    )
    train.add_argument(
        "--time-limit", type=positive_float, help="shakespeare: stop after this many seconds"
    )
    train.add_argument(
        "--resume", action="store_true", help="shakespeare: continue from the checkpoint in --out"
    )
    train.add_argument(
        "--eval-every",
        type=positive_int,
        help="shakespeare: steps between validations and checkpoints",
    )
    train.set_defaults(handler=lambda args: TRAIN_TASKS[args.dataset](args))

    evaluate_cmd = commands.add_parser("evaluate", help="measure a checkpoint on the test split")
    evaluate_cmd.add_argument("checkpoint", help="a model.npz written by `wright train`")
    evaluate_cmd.add_argument(
        "--dataset", choices=sorted(IMAGE_DATASETS), help="default: the checkpoint's"
    )
    evaluate_cmd.add_argument("--data", help="folder with the dataset files")
    evaluate_cmd.add_argument(
        "--limit", type=positive_int, help="use only the first N test examples"
    )
    evaluate_cmd.add_argument("--batch-size", type=positive_int, default=1000)
    evaluate_cmd.set_defaults(handler=evaluate_checkpoint)

    demo = commands.add_parser("demo", help="run a lecture demonstration (--list shows them)")
    demo.add_argument("name", nargs="?", help="the demo to run")
    demo.add_argument("--list", action="store_true", help="list the demos")
    demo.add_argument("--out", help="folder for the demo's PNG pictures and numbers")
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--quick", action="store_true", help="a smaller, faster run")
    demo.set_defaults(handler=run_demo)

    sample = commands.add_parser("sample", help="write text with a trained character model")
    sample.add_argument("checkpoint", help="a char-lstm.npz written by `wright train shakespeare`")
    sample.add_argument("--prompt", default="\n", help="text to continue (default: a new line)")
    sample.add_argument("--length", type=positive_int, default=500, help="characters to write")
    sample.add_argument(
        "--temperature",
        type=positive_float,
        default=0.8,
        help="below 1: safer choices; above 1: wilder ones",
    )
    sample.add_argument("--seed", type=int, help="random seed, for a repeatable sample")
    sample.set_defaults(handler=sample_text)

    score = commands.add_parser("score", help="log-probability of a text under a character model")
    score.add_argument("checkpoint", help="a char-lstm.npz written by `wright train shakespeare`")
    score.add_argument("text", help="the text to score")
    score.set_defaults(handler=score_text)

    info = commands.add_parser("info", help="versions, BLAS and threads")
    info.set_defaults(handler=show_info)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `wright` console script and `python -m wright`."""
    args = build_parser().parse_args(argv)
    wright.backend.keep_freed_memory()
    try:
        with threadpool_limits(args.threads):
            return args.handler(args)
    except CommandError as error:
        print(f"wright: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("wright: interrupted; the last checkpoint written is intact", file=sys.stderr)
        return 130
