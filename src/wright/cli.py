"""The `wright` command line: one sub-command per task, each a thin layer of argument parsing and
printing over the public API (wright.train, wright.models, wright.datasets, wright.demos).

Every failure the user can fix is one line on stderr and exit code 1 (130 after Ctrl-C); bad flag
values are refused by the argument parser (exit code 2), naming the flag.
"""

from __future__ import annotations

import argparse
import errno
import json
import math
import os
import platform
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

import wright
from wright import datasets, demos, distributed, models, viz
from wright.data import DataLoader
from wright.datasets.download import DatasetNotFoundError, DownloadError
from wright.datasets.text import CharVocab, find_tiny_shakespeare, read_text, split_tokens
from wright.models import text as text_models
from wright.train import (
    Callback,
    FolderInUseError,
    History,
    NonFiniteLossError,
    RunLock,
    evaluate,
    holdout,
    train_classifier,
)
from wright.train import language_model as lm
from wright.train.classifier import rank_share
from wright.train.loop import RESUME_KEYS

IMAGE_DATASETS = {"mnist": datasets.MNIST, "fashion-mnist": datasets.FashionMNIST}


class CommandError(Exception):
    """A problem with what the user asked for; printed as one line, exit code `exit_code`."""

    exit_code = 1


class Interrupted(CommandError):
    """Ctrl-C (or SIGTERM) stopped a command; the message says what was kept."""

    exit_code = 130


# ----- argument types: out-of-range values are refused by the parser, which names the flag -----


def _number(text: str, kind: type, minimum: float, inclusive: bool):
    try:
        value = kind(text)
    except ValueError:
        expected = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
    if not np.isfinite(value) or value < minimum or (value == minimum and not inclusive):
        relation = ">=" if inclusive else ">"
        raise argparse.ArgumentTypeError(f"expected a number {relation} {minimum:g}, got {text}")
    return value


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    return _number(text, int, 1, inclusive=True)


def compute_device(text: str) -> wright.device:
    """argparse type: a device wright can compute on here ('cpu', 'cuda', 'cuda:1')."""
    try:
        return wright.backend.resolve_device(text)
    except (RuntimeError, ValueError) as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def non_negative_int(text: str) -> int:
    """argparse type: an integer >= 0 (seeds)."""
    return _number(text, int, 0, inclusive=True)


def positive_float(text: str) -> float:
    """argparse type: a finite number > 0."""
    return _number(text, float, 0, inclusive=False)


def non_negative_float(text: str) -> float:
    """argparse type: a finite number >= 0."""
    return _number(text, float, 0, inclusive=True)


def existing_path(text: str) -> Path:
    """argparse type: a file or folder that exists."""
    path = Path(text).expanduser()
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such file or folder: {text}")
    return path


# ----- pieces the commands share -----


def _one_line(text: str) -> str:
    return " ".join(line.strip() for line in str(text).splitlines() if line.strip())


def _describe_os_error(error: OSError) -> str:
    where = f" ({error.filename})" if error.filename else ""
    if error.errno == errno.ENOSPC:
        return (
            f"no space left on device{where}; files already written are intact (wright writes a "
            "temporary file and renames it only when complete)"
        )
    return f"{error.strerror or error}{where}"


def _advice(error: DatasetNotFoundError) -> str:
    looked = ", ".join(str(path) for path, _ in error.places)
    return (
        f"{error.dataset} not found (looked in {looked}); pass --data DIR (the folder holding its "
        "files) or --download to fetch it"
    )


def _load_images(name: str, split: str, args: argparse.Namespace, limit: int | None):
    try:
        return IMAGE_DATASETS[name](
            split=split, root=args.data, download=args.download, limit=limit
        )
    except DatasetNotFoundError as error:
        raise CommandError(_advice(error)) from None
    except (ValueError, DownloadError) as error:
        raise CommandError(str(error)) from None


def _spec(name: str, task: str) -> models.ModelSpec:
    try:
        spec = models.get(name)
    except KeyError as error:
        raise CommandError(error.args[0]) from None
    if task not in spec.tasks:
        raise CommandError(
            f"model {spec.name!r} is not an {task} model; choose from: "
            f"{', '.join(models.available(task))}"
        )
    return spec


def _check_optimizer(name: str, momentum: float) -> None:
    try:
        models.check_optimizer(name, momentum)
    except ValueError as error:
        raise CommandError(str(error)) from None


def _read_checkpoint(path, task: str) -> models.Checkpoint:
    try:
        return models.load_checkpoint(path, task)
    except (FileNotFoundError, ValueError) as error:
        raise CommandError(str(error)) from None


def _checkpoint_status(path: Path, started: float) -> str:
    """What the checkpoint file holds now, for the last line of a failed or interrupted run."""
    if not path.is_file():
        return f"no checkpoint was written yet ({path} does not exist)"
    try:
        saved = wright.load(path, map_location="cpu")
        where = f"epoch {saved['epoch']}" + (
            f" (step {saved['step']:,})" if "step" in saved else ""
        )
    except (ValueError, KeyError, TypeError):
        return f"{path} exists but is not a readable checkpoint"
    if path.stat().st_mtime < started:
        return f"{path} still holds {where} from before this run"
    return f"{path} holds the last good state, {where}"


@contextmanager
def _training_run(out: Path, checkpoint: Path) -> Iterator[None]:
    """Hold the output folder's lock while training, and turn a stop (Ctrl-C, divergence, a full
    disk) into one line that says what the checkpoint holds."""
    started = time.time()
    # In a data-parallel run rank 0 alone writes into the folder, so it alone holds the lock.
    lock = RunLock(out)
    try:
        if distributed.is_main_process():
            lock.acquire()
    except FolderInUseError as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(
            f"cannot write to output folder {out}: {error.strerror or error}"
        ) from None
    if lock.previous is not None:
        pid, command = lock.previous
        print(
            f"note: took over {lock.path} from process {pid} ({command}), which is no longer running",
            file=sys.stderr,
        )
    try:
        # A diverging run is reported by fit as one NonFiniteLossError, not NumPy's warnings.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            yield
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted; {_checkpoint_status(checkpoint, started)}") from None
    except NonFiniteLossError as error:
        raise CommandError(
            f"training diverged: the loss became {error.value} at epoch {error.epoch}, step "
            f"{error.step}; {_checkpoint_status(checkpoint, started)}; try a lower --lr"
        ) from None
    except OSError as error:
        raise CommandError(
            f"{_describe_os_error(error)}; {_checkpoint_status(checkpoint, started)}"
        ) from None
    finally:
        lock.release()


def _check_resume_flags(args: argparse.Namespace, saved: dict, flags: dict[str, str]) -> None:
    """--resume continues the saved recipe: a recipe flag given with another value is an error.

    Args:
        flags: argparse destination -> the key of the same setting in `saved`.
    """
    for dest, key in flags.items():
        given, kept = getattr(args, dest), saved.get(key)
        if given is not None and given != kept:
            flag = "--" + dest.replace("_", "-")
            raise CommandError(
                f"--resume continues the checkpoint's recipe, which has {flag} {kept}; "
                f"leave out {flag} {given} (or start afresh without --resume)"
            )


def _start_or_resume(args: argparse.Namespace, checkpoint: Path, task: str):
    """The checkpoint to resume from (None without --resume); warns when a fresh run will replace
    an earlier run's checkpoint."""
    if not args.resume:
        if checkpoint.exists():
            print(
                f"note: starting afresh; {checkpoint} from an earlier run will be replaced "
                "(--resume continues it)",
                file=sys.stderr,
            )
        return None
    if not checkpoint.is_file():
        raise CommandError(
            f"--resume: there is no checkpoint {checkpoint} to continue; run without --resume "
            "to start"
        )
    resumed = _read_checkpoint(checkpoint, task)
    missing = [key for key in RESUME_KEYS if key not in resumed.saved]
    if missing:
        raise CommandError(
            f"--resume: {checkpoint} lacks {', '.join(missing)}, so it cannot be continued"
        )
    return resumed


# Recipe settings that are names, and those that must be whole numbers (the others are real
# numbers; None means unset).
_NAMES = ("loss", "optimizer", "schedule", "windows")
_WHOLE = ("epochs", "batch_size", "seed", "steps", "seq_len", "eval_every", "warmup")


def _check_saved_recipe(recipe: dict, path: Path) -> None:
    """A resumed checkpoint's numeric settings must be sensible numbers (a damaged or edited file
    gets one line, not a traceback from deep inside training)."""
    for key, value in recipe.items():
        if value is None or key in _NAMES:
            continue
        kind = int if key in _WHOLE else int | float
        if isinstance(value, bool) or not isinstance(value, kind) or not 0 <= value < math.inf:
            raise CommandError(f"--resume: {path} has a damaged recipe: {key}={value!r}")


def _from_rank_0(call: Callable, *args):
    """`call(*args)` on rank 0 of a data-parallel run, its result sent to the other ranks (which
    may have no copy of rank 0's folder); simply `call(*args)` without one."""
    if not distributed.is_initialized():
        return call(*args)
    result = [call(*args) if distributed.is_main_process() else None]
    distributed.broadcast_object_list(result)
    return result[0]


def _saved_state(args: argparse.Namespace, checkpoint: Path, task: str) -> dict:
    """The resumed checkpoint's contents; {} for a fresh run."""
    resumed = _start_or_resume(args, checkpoint, task)
    return resumed.saved if resumed else {}


def _join_data_parallel() -> None:
    """Under `mpiexec -n K` (K > 1): join the other processes, keep the output of all but rank 0
    quiet, and say which process is which rank."""
    world = distributed.init_from_launcher()
    if world > 1:
        if not distributed.is_main_process():
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the rest of the process
        peers = distributed.group.default_group().peers
        print(
            f"data parallel over MPI: {world} processes ("
            + ", ".join(f"rank {r} pid {pid} on {host}" for r, (host, pid) in enumerate(peers))
            + ")"
        )


def _write_history(history: History, out: Path, title: str) -> list[Path]:
    """Save history.json and history.png; returns the files written."""
    history.save(out / "history.json")
    viz.plot_history(history, out / "history.png", title=title)
    return [out / "history.json", out / "history.png"]


def _wrote(paths: Sequence[Path]) -> str:
    return "wrote " + ", ".join(map(str, paths))


# ----- wright train mnist|fashion-mnist -----

# The flags `--resume` must not change: argparse destination -> key of the saved setting.
RESUME_FLAGS = {
    "model": "model",
    "batch_size": "batch_size",
    "optimizer": "optimizer",
    "lr": "lr",
    "momentum": "momentum",
    "seed": "seed",
    "limit": "limit",
}


def _image_recipe(args: argparse.Namespace, spec: models.ModelSpec, saved: dict) -> dict:
    """train_classifier's settings: the flags, else the resumed checkpoint's, else the spec's."""
    recipe = saved.get("recipe", {})
    chosen = {
        "epochs": args.epochs or recipe.get("epochs") or spec.epochs,
        "batch_size": args.batch_size or recipe.get("batch_size") or spec.batch_size,
        "optimizer": args.optimizer or recipe.get("optimizer") or spec.optimizer,
        "lr": args.lr or recipe.get("lr") or spec.lr,
        "momentum": args.momentum or recipe.get("momentum") or 0.0,
        "seed": args.seed if args.seed is not None else recipe.get("seed", 0),
    }
    _check_optimizer(chosen["optimizer"], chosen["momentum"])
    return chosen


def _image_splits(args: argparse.Namespace, limit: int | None, batch_size: int):
    """(the whole training split, its training part, its validation part, the test split)."""
    full = _load_images(args.dataset, "train", args, limit)
    test = _load_images(args.dataset, "test", args, limit)
    try:
        train, val = holdout(full)
    except ValueError:
        raise CommandError(
            f"--limit {limit} leaves too few training images to hold some out for validation; "
            "raise --limit"
        ) from None
    if len(train) < batch_size:
        raise CommandError(
            f"--limit {limit} leaves {len(train)} training images, fewer than one batch of "
            f"{batch_size}; raise --limit or lower --batch-size"
        )
    return full, train, val, test


def train_images(args: argparse.Namespace) -> int:
    """`wright train mnist|fashion-mnist`: a registered image model with its recipe (flags change
    it); 1/12 of the training images held out for validation, the test split measured at the end.
    Under `mpiexec -n K`, data-parallel on K processes; rank 0 prints and writes the files."""
    _join_data_parallel()
    out = Path(args.out)
    checkpoint = out / "model.npz"
    with _training_run(out, checkpoint):
        saved = _from_rank_0(_saved_state, args, checkpoint, "image")
        resumed = bool(saved)
        if resumed and saved.get("dataset") != args.dataset:
            raise CommandError(
                f"--resume: {checkpoint} was trained on {saved.get('dataset')}, not {args.dataset}"
            )
        if resumed:
            _check_saved_recipe(saved.get("recipe", {}), checkpoint)
            kept = {**saved.get("recipe", {}), "model": saved["model_name"]}
            _check_resume_flags(args, {**kept, "limit": saved.get("limit")}, RESUME_FLAGS)
        spec = _spec(args.model or saved.get("model_name", "mlp-lecture"), "image")
        recipe = _image_recipe(args, spec, saved)
        if resumed and saved["epoch"] >= recipe["epochs"]:
            raise CommandError(
                f"--resume: {checkpoint} has finished {saved['epoch']} of {recipe['epochs']} "
                "epochs; --epochs is the total, so pass a larger one to go on"
            )
        limit = args.limit if args.limit is not None else saved.get("limit")
        full, train_set, val_set, test_set = _image_splits(args, limit, recipe["batch_size"])
        classes = len(full.classes)
        print(
            f"wright {wright.__version__}: training {spec.name} on {args.dataset} "
            f"({len(train_set):,} train / {len(val_set):,} validation / {len(test_set):,} test "
            "images)"
        )
        print(f"data: {full.images_path.parent}")
        weights = models.build(spec.name, num_classes=classes).num_parameters()
        print(f"model: {spec.summary}; {weights:,} weights and biases")
        print(
            f"recipe: {recipe['optimizer']} lr {recipe['lr']}"
            + (f" ({spec.schedule} schedule)" if spec.schedule else "")
            + f", batch {recipe['batch_size']}, {recipe['epochs']} epochs, {spec.loss} loss, "
            f"seed {recipe['seed']}"
        )
        if resumed:
            print(f"resuming {checkpoint} after epoch {saved['epoch']} of {recipe['epochs']}")
        try:
            model, history = train_classifier(
                spec.name,
                train_set,
                val_set,
                num_classes=classes,
                **recipe,
                checkpoint=checkpoint,
                info={"dataset": args.dataset, "limit": limit},
                resume=saved or None,
                verbose=args.verbose,
                device=args.device,
            )
        except (ValueError, TypeError) as error:  # e.g. a tampered checkpoint's settings
            raise CommandError(f"cannot train: {error}") from None
        test_loader = DataLoader(rank_share(test_set), batch_size=1000)
        test = evaluate(model, spec.make_loss(classes), test_loader, across_ranks=True)
        print(
            f"test accuracy: {100 * test['accuracy']:.2f}%  (test loss {test['loss']:.4f}; the "
            f"{len(test_set):,} test images, measured once, after training)"
        )
        if distributed.is_main_process():
            written = _write_history(history, out, f"{spec.name} on {args.dataset}")
            print(_wrote([checkpoint, *written]))
    return 0


# ----- wright train shakespeare -----


def _text_data(args: argparse.Namespace, limit: int | None) -> tuple[Path, str]:
    try:
        path = find_tiny_shakespeare(args.data, args.download)
        return path, read_text(path)[:limit]
    except DatasetNotFoundError as error:
        raise CommandError(_advice(error)) from None
    except (ValueError, DownloadError) as error:
        raise CommandError(str(error)) from None


def _text_model(args: argparse.Namespace, text: str, resumed: models.Checkpoint | None):
    """(model, vocabulary, recipe, checkpoint info) for a fresh or resumed run."""
    if resumed is None:
        spec = _spec(args.model or "char-lstm", "text")
        wright.manual_seed(args.seed or 0)
        vocab = CharVocab.from_text(text)
        model = models.build(spec.name, vocab_size=len(vocab))
        recipe = lm.LanguageModelRecipe(
            **{
                **spec.training,
                "lr": args.lr or spec.lr,
                "batch_size": args.batch_size or spec.batch_size,
                "optimizer": args.optimizer or spec.optimizer,
                "momentum": args.momentum or 0.0,
            }
        )
        if hasattr(model, "block_size"):  # a transformer trains on windows of one whole block
            recipe.seq_len = model.block_size
        _check_optimizer(recipe.optimizer, recipe.momentum)
        info = {
            **models.checkpoint_info(spec.name, **model.config),
            "vocab": vocab.chars,
            "dataset": "shakespeare",
            "limit": args.limit,
            "seed": args.seed or 0,
        }
        return model, vocab, recipe, info
    saved = resumed.saved
    try:
        vocab = text_models.vocabulary(resumed)
        _check_saved_recipe(saved["recipe"], resumed.path)
        recipe = lm.LanguageModelRecipe(**saved["recipe"])
        info = {
            **models.checkpoint_info(saved["model_name"], **saved["config"]),
            **{key: saved[key] for key in ("vocab", "dataset", "limit", "seed")},
        }
    except (ValueError, TypeError, KeyError) as error:
        raise CommandError(f"--resume: {resumed.path} cannot be continued: {error!r}") from None
    kept = {**vars(recipe), "model": saved["model_name"], "seed": info["seed"]}
    _check_resume_flags(args, {**kept, "limit": info["limit"]}, RESUME_FLAGS)
    return resumed.model, vocab, recipe, info


def _text_budget(
    args: argparse.Namespace,
    recipe: lm.LanguageModelRecipe,
    windows: int,
    resumed: models.Checkpoint | None,
) -> None:
    """Set the recipe's steps, time limit and validation interval from the flags (totals, counting
    a resumed run's past); a resumed run whose budget is spent is an error."""
    new_steps = args.steps or args.epochs
    recipe.steps = args.steps or (args.epochs * windows if args.epochs else recipe.steps)
    # A new step budget replaces a resumed run's time limit, unless one is given again.
    recipe.time_limit = args.time_limit or (None if new_steps else recipe.time_limit)
    recipe.eval_every = args.eval_every or recipe.eval_every
    if resumed is None:
        return
    saved, path = resumed.saved, resumed.path
    if saved["step"] >= recipe.steps:
        raise CommandError(
            f"--resume: {path} has finished {saved['step']} of {recipe.steps} steps; "
            "--steps is the total, so pass a larger one to go on"
        )
    if recipe.time_limit is not None and saved["seconds"] >= recipe.time_limit:
        raise CommandError(
            f"--resume: {path} has used its {recipe.time_limit:g} s time limit; --time-limit is "
            "the total, so pass a larger one (or --steps) to go on"
        )


def train_shakespeare(args: argparse.Namespace) -> int:
    """`wright train shakespeare`: a character LSTM (truncated BPTT) or transformer on tiny
    Shakespeare."""
    if distributed.launched_world_size() > 1:
        raise CommandError(
            "wright train shakespeare runs in one process; under mpiexec only the image tasks "
            "(mnist, fashion-mnist) train data-parallel"
        )
    out = Path(args.out)
    name = _spec(args.model or "char-lstm", "text").name  # each model keeps its own checkpoint
    checkpoint = out / f"{name}.npz"
    with _training_run(out, checkpoint):
        resumed = _start_or_resume(args, checkpoint, "text")
        saved = resumed.saved if resumed else None
        limit = args.limit if args.limit is not None else (saved or {}).get("limit")
        path, text = _text_data(args, limit)
        model, vocab, recipe, info = _text_model(args, text, resumed)
        try:
            train_tokens, val_tokens = split_tokens(vocab.encode(text), 0.1)
        except ValueError as error:
            raise CommandError(
                f"the text does not fit the checkpoint's vocabulary: {error}"
            ) from None
        windows = (len(train_tokens) // recipe.batch_size - 1) // recipe.seq_len
        if windows < 1 or len(val_tokens) < 2:
            raise CommandError(
                f"{'--limit ' + str(limit) if limit else 'the text'} gives "
                f"{len(train_tokens):,} training characters: too few for {recipe.batch_size} "
                f"streams of at least {recipe.seq_len + 1} characters (and a validation part); "
                "raise --limit or lower --batch-size"
            )
        _text_budget(args, recipe, windows, resumed)
        print(
            f"wright {wright.__version__}: {model.summary_line()} ({model.num_parameters():,} "
            f"weights) on tiny Shakespeare: {len(train_tokens):,} train / {len(val_tokens):,} "
            f"validation characters, {len(vocab)} symbols"
        )
        print(f"data: {path}")
        warmup = f"{recipe.warmup} steps of warm-up, then " if recipe.warmup else ""
        decay = f", weight decay {recipe.weight_decay:g}" if recipe.weight_decay else ""
        reading = (
            f"{recipe.batch_size} random windows of {recipe.seq_len} characters"
            if recipe.windows == "random"
            else f"{recipe.batch_size} streams x {recipe.seq_len} steps of truncated BPTT"
        )
        print(
            f"recipe: {recipe.optimizer} lr {recipe.lr} ({warmup}cosine to "
            f"{recipe.lr * recipe.final_lr_fraction:.1e}){decay}, {reading}, clip {recipe.clip}, "
            f"{recipe.steps} steps ({recipe.steps / windows:.1f} epochs), validation every "
            f"{recipe.eval_every}"
            + (f", stop after {recipe.time_limit:.0f}s" if recipe.time_limit else "")
        )
        if saved is not None:
            print(f"resuming {checkpoint} at step {saved['step']}")
        progress = Callback()
        model.to(args.device)
        try:
            history = lm.train_language_model(
                model,
                train_tokens,
                val_tokens,
                recipe,
                checkpoint,
                info,
                resume=saved,
                verbose=args.verbose,
                callbacks=[progress],
            )
        except (ValueError, TypeError) as error:  # e.g. a tampered checkpoint's settings
            raise CommandError(f"cannot train: {error}") from None
        print(
            f"validation loss {history['val_loss'][-1]:.3f} nats/char after "
            f"{progress.state.step} steps"
        )
        rng = np.random.default_rng(info["seed"])
        # One character at a time is latency, not arithmetic: the host samples faster.
        print(text_models.sample(model.cpu(), vocab, "\n", 200, temperature=0.8, rng=rng))
        written = _write_history(history, out, f"{name} on tiny Shakespeare")
        print(_wrote([checkpoint, *written]))
    return 0


# ----- wright evaluate / sample / score -----


def evaluate_checkpoint(args: argparse.Namespace) -> int:
    """`wright evaluate CKPT`: the checkpoint's model measured on the test split of the dataset it
    was trained on (another only when --dataset asks and the shapes fit)."""
    checkpoint = _read_checkpoint(args.checkpoint, "image")
    trained_on = checkpoint.saved.get("dataset")
    dataset = args.dataset or trained_on
    if dataset is None:
        raise CommandError(
            f"{args.checkpoint} does not say which dataset it was trained on; pass --dataset"
        )
    if dataset not in IMAGE_DATASETS:
        raise CommandError(
            f"{args.checkpoint} names dataset {dataset!r}, not one of {', '.join(IMAGE_DATASETS)}"
        )
    test_set = _load_images(dataset, "test", args, args.limit)
    classes = checkpoint.saved.get("config", {}).get("num_classes", 10)
    if dataset != trained_on:
        if classes != len(test_set.classes):
            raise CommandError(
                f"{args.checkpoint} was trained on {trained_on} with {classes} classes; "
                f"{dataset} has {len(test_set.classes)}"
            )
        print(
            f"wright: warning: {args.checkpoint} was trained on {trained_on}; measuring it on "
            f"{dataset} as --dataset asks",
            file=sys.stderr,
        )
    results = evaluate(
        checkpoint.model,
        checkpoint.spec.make_loss(classes),
        DataLoader(test_set, batch_size=args.batch_size),
    )
    print(
        f"{checkpoint.spec.name} on {dataset} test ({len(test_set):,} images from "
        f"{test_set.images_path.parent}): accuracy {100 * results['accuracy']:.2f}%, "
        f"loss {results['loss']:.4f}"
    )
    return 0


def _read_text_model(path) -> tuple[models.Checkpoint, CharVocab]:
    try:
        return text_models.load_text_model(path)
    except (FileNotFoundError, ValueError) as error:
        raise CommandError(str(error)) from None


def sample_text(args: argparse.Namespace) -> int:
    """`wright sample CKPT`: continue a prompt with a trained character model."""
    checkpoint, vocab = _read_text_model(args.checkpoint)
    try:
        text = text_models.sample(
            checkpoint.model,
            vocab,
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
    checkpoint, vocab = _read_text_model(args.checkpoint)
    try:
        nats = text_models.log_probability(checkpoint.model, vocab, args.text)
    except ValueError as error:
        raise CommandError(str(error)) from None
    print(
        f"log P = {nats:.3f} nats ({text_models.bits(nats):.3f} bits), "
        f"{-nats / len(args.text):.3f} nats per character over {len(args.text)} characters"
    )
    return 0


# ----- wright demo / playground / info -----


def run_demo(args: argparse.Namespace) -> int:
    """`wright demo NAME`: run one lecture demonstration; `--list` shows them all."""
    if args.list or args.name is None:
        available = demos.available()
        width = max(map(len, available), default=0)
        for name, module in available.items():
            print(f"{name:<{width}}  {module.SUMMARY}")
        return 0
    try:
        demo = demos.get(args.name)
    except KeyError as error:
        raise CommandError(error.args[0]) from None
    out = Path(args.out) if args.out else None
    if out is not None:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"cannot write to output folder {out}: {error.strerror}") from None
    wright.manual_seed(args.seed)
    results = demo.run(out, seed=args.seed, quick=args.quick)
    if out is not None:
        (out / f"{args.name}.json").write_text(json.dumps(results, indent=2, default=float))
    return 0


def run_torch_script(args: argparse.Namespace) -> int:
    """`wright torch SCRIPT.py [ARGS...]`: run an unchanged PyTorch script with torch served by
    wright."""
    from wright import compat

    try:
        return compat.run_script(args.script, args.script_args)
    except FileNotFoundError as error:
        raise CommandError(f"torch: {error}") from None


def run_playground(args: argparse.Namespace) -> int:
    """`wright playground`: serve the live pages until Ctrl+C."""
    from wright import playground

    try:
        playground.serve(args.host, args.port, args.open)
    except playground.PlaygroundError as error:
        raise CommandError(str(error)) from None
    except KeyboardInterrupt:  # uvicorn has shut down cleanly and passes Ctrl+C on
        print("wright playground: stopped")
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
    print("matplotlib  " + ("installed" if viz.matplotlib_available() else "not installed"))
    return 0


# ----- the parser: one small builder per command and per training task -----


def _add_run_flags(parser: argparse.ArgumentParser) -> None:
    """Flags every training task has: where, resuming, seed, data."""
    parser.add_argument(
        "--out", default="runs/latest", help="folder for the checkpoint, history and plot"
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the run whose checkpoint is in --out (same recipe; budgets are totals)",
    )
    parser.add_argument(
        "--seed", type=non_negative_int, help="random seed: weights, shuffling (default 0)"
    )
    parser.add_argument(
        "--limit", type=positive_int, help="use only the first N examples of each split"
    )
    parser.add_argument(
        "--device",
        type=compute_device,
        help="where to train: cpu (default), or cuda[:N] for an NVIDIA GPU through CuPy "
        "(pip install wright[cuda])",
    )
    _add_data_flags(parser)
    parser.add_argument(
        "--verbose",
        type=int,
        choices=(0, 1, 2),
        default=1,
        help="0 quiet, 1 progress bar, 2 one line per epoch",
    )


def _add_data_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=existing_path,
        help="the folder holding the dataset's files (else $WRIGHT_DATA, the bundled copy, the "
        "download cache)",
    )
    parser.add_argument(
        "--download", action="store_true", help="fetch the dataset if it is not found"
    )


def _add_recipe_flags(parser: argparse.ArgumentParser, task: str, default: str) -> None:
    """Flags that change a model's recipe."""
    parser.add_argument(
        "--model",
        help=f"architecture and recipe (default {default}; one of "
        f"{', '.join(models.available(task))})",
    )
    parser.add_argument("--batch-size", type=positive_int, help="examples per gradient step")
    parser.add_argument("--lr", type=positive_float, help="learning rate")
    parser.add_argument("--optimizer", choices=models.OPTIMIZERS, help="update rule")
    parser.add_argument(
        "--momentum", type=non_negative_float, help="momentum (sgd and rmsprop only)"
    )


def _add_image_task(tasks, name: str) -> None:
    task = tasks.add_parser(name, help=f"an image classifier on {name}")
    _add_recipe_flags(task, "image", "mlp-lecture")
    task.add_argument(
        "--epochs", type=positive_int, help="total passes over the training data (default: recipe)"
    )
    _add_run_flags(task)
    task.set_defaults(handler=train_images, dataset=name, parser=task)


def _add_text_task(tasks) -> None:
    task = tasks.add_parser(
        "shakespeare", help="a character LSTM or transformer on tiny Shakespeare"
    )
    _add_recipe_flags(task, "text", "char-lstm")
    budget = task.add_mutually_exclusive_group()
    budget.add_argument("--steps", type=positive_int, help="total gradient steps (default 1200)")
    budget.add_argument(
        "--epochs", type=positive_int, help="total passes over the text (instead of --steps)"
    )
    task.add_argument(
        "--time-limit",
        type=positive_float,
        help="total seconds of training (with --resume, a new --steps drops an earlier limit)",
    )
    task.add_argument(
        "--eval-every", type=positive_int, help="steps between validations and checkpoints"
    )
    _add_run_flags(task)
    task.set_defaults(handler=train_shakespeare, parser=task)


def _add_train(commands) -> None:
    train = commands.add_parser("train", help="train a model on a dataset")
    tasks = train.add_subparsers(dest="task", required=True, metavar="TASK")
    for name in IMAGE_DATASETS:
        _add_image_task(tasks, name)
    _add_text_task(tasks)


def _add_evaluate(commands) -> None:
    command = commands.add_parser("evaluate", help="measure a checkpoint on the test split")
    command.add_argument("checkpoint", help="a model.npz written by `wright train`")
    command.add_argument(
        "--dataset",
        choices=sorted(IMAGE_DATASETS),
        help="default: the one it was trained on; another only when the shapes fit",
    )
    _add_data_flags(command)
    command.add_argument("--limit", type=positive_int, help="use only the first N test examples")
    command.add_argument("--batch-size", type=positive_int, default=1000)
    command.set_defaults(handler=evaluate_checkpoint, parser=command)


def _add_sample(commands) -> None:
    command = commands.add_parser("sample", help="write text with a trained character model")
    command.add_argument("checkpoint", help="a MODEL.npz written by `wright train shakespeare`")
    command.add_argument("--prompt", default="\n", help="text to continue (default: a new line)")
    command.add_argument("--length", type=positive_int, default=500, help="characters to write")
    command.add_argument(
        "--temperature",
        type=positive_float,
        default=0.8,
        help="below 1: safer choices; above 1: wilder ones",
    )
    command.add_argument(
        "--seed", type=non_negative_int, help="random seed, for a repeatable sample"
    )
    command.set_defaults(handler=sample_text, parser=command)


def _add_score(commands) -> None:
    command = commands.add_parser("score", help="log-probability of a text under a character model")
    command.add_argument("checkpoint", help="a MODEL.npz written by `wright train shakespeare`")
    command.add_argument("text", help="the text to score")
    command.set_defaults(handler=score_text, parser=command)


def _add_demo(commands) -> None:
    command = commands.add_parser("demo", help="run a lecture demonstration (--list shows them)")
    command.add_argument("name", nargs="?", help="the demo to run")
    command.add_argument("--list", action="store_true", help="list the demos")
    command.add_argument("--out", help="folder for the demo's PNG pictures and numbers")
    command.add_argument("--seed", type=non_negative_int, default=0)
    command.add_argument("--quick", action="store_true", help="a smaller, faster run")
    command.set_defaults(handler=run_demo, parser=command)


def _add_playground(commands) -> None:
    from wright.playground import DEFAULT_PORT

    command = commands.add_parser(
        "playground", help="live pages: boundaries, draw a digit, backprop step by step"
    )
    command.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT}; 0: any)"
    )
    command.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: this machine only)"
    )
    command.add_argument("--open", action="store_true", help="open the page in a web browser")
    command.set_defaults(handler=run_playground, parser=command)


def _add_torch(commands) -> None:
    command = commands.add_parser(
        "torch", help="run a PyTorch script unchanged, with `import torch` served by wright"
    )
    command.add_argument("script", help="the Python script to run as __main__")
    command.add_argument(
        "script_args", nargs=argparse.REMAINDER, help="arguments passed to the script"
    )
    command.set_defaults(handler=run_torch_script, parser=command)


def _add_info(commands) -> None:
    command = commands.add_parser("info", help="versions, BLAS and threads")
    command.set_defaults(handler=show_info, parser=command)


# Each command's parser builder, in the order `wright --help` lists them; a new command adds its
# builder here.
COMMANDS: tuple[Callable, ...] = (
    _add_train,
    _add_evaluate,
    _add_sample,
    _add_score,
    _add_demo,
    _add_playground,
    _add_torch,
    _add_info,
)


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
    for add in COMMANDS:
        add(commands)
    return parser


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM stops a command the way Ctrl-C does (with the same message about what was kept)."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `wright` console script and `python -m wright`."""
    args, unused = build_parser().parse_known_args(argv)
    if unused:
        # Named by the command's own parser, whose usage lists the flags it does take.
        args.parser.error(f"unrecognized arguments: {' '.join(unused)} (not used by this command)")
    wright.backend.keep_freed_memory()
    try:
        with threadpool_limits(args.threads), _terminate_as_interrupt():
            return args.handler(args)
    except CommandError as error:
        message, code = f"wright: error: {_one_line(error)}", error.exit_code
    except KeyboardInterrupt:
        message, code = "wright: interrupted", 130
    except OSError as error:
        message, code = f"wright: error: {_describe_os_error(error)}", 1
    # Under mpiexec the other ranks may be waiting for this one: stop them all.
    distributed.abort(message, code)
    print(message, file=sys.stderr)
    return code
