"""Character language models: truncated-BPTT training, checkpoints, validation, sampling, scoring.

The training text is cut into `batch_size` long streams read side by side; each step reads the next
`seq_len` characters of every stream, carrying the LSTM state over from the previous step but not
its gradient (truncated backpropagation through time). Checkpoints hold everything needed to resume,
sample and score: weights, optimizer state, step, history, recipe, model configuration and
vocabulary.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from wright import nn
from wright.autograd import no_grad
from wright.creation import as_tensor
from wright.datasets.text import CharVocab
from wright.models.char_lstm import CharLSTM
from wright.nn import functional as F
from wright.optim import Adam
from wright.serialization import load, save


@dataclass
class LanguageModelRecipe:
    """How to train a character model.

    Attributes:
        steps: gradient steps in all.
        seq_len: characters per stream per step (how far back gradients reach).
        batch_size: streams read side by side.
        lr: Adam's starting learning rate, annealed to lr * final_lr_fraction along a cosine that
            spans the steps, or the time limit when that comes first (see `learning_rate`).
        clip: the largest gradient norm allowed (gradients are scaled down to it).
        eval_every: steps between validation measurements and checkpoints.
        time_limit: stop (with a last validation and checkpoint) after this many seconds, if set.
    """

    steps: int = 1200
    seq_len: int = 100
    batch_size: int = 64
    lr: float = 3e-3
    final_lr_fraction: float = 0.05
    clip: float = 1.0
    eval_every: int = 250
    time_limit: float | None = None


def batchify(tokens: np.ndarray, batch_size: int) -> np.ndarray:
    """Cut tokens into `batch_size` equal contiguous streams side by side: (L, batch_size)."""
    length = len(tokens) // batch_size
    if length < 2:
        raise ValueError(f"batchify: {len(tokens)} tokens are too few for {batch_size} streams")
    return np.ascontiguousarray(tokens[: length * batch_size].reshape(batch_size, length).T)


def _detach(state):
    return tuple(s.detach() for s in state)


def _windows(streams: np.ndarray, seq_len: int) -> int:
    return (len(streams) - 1) // seq_len


def _window(streams: np.ndarray, index: int, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (T, N) and next-character targets (T, N) of window `index`."""
    start = index * seq_len
    return streams[start : start + seq_len], streams[start + 1 : start + seq_len + 1]


def evaluate_nats(
    model: CharLSTM, tokens: np.ndarray, seq_len: int = 256, batch_size: int = 32
) -> float:
    """Mean negative log-likelihood of each next character in nats, reading a few long streams."""
    streams = batchify(tokens, batch_size)
    seq_len = min(seq_len, len(streams) - 1)
    was_training = model.training
    model.eval()
    total, count, state = 0.0, 0, None
    with no_grad():
        for index in range(_windows(streams, seq_len)):
            inputs, targets = _window(streams, index, seq_len)
            logits, state = model(inputs, state)
            total += float(
                F.cross_entropy(
                    logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction="sum"
                ).array
            )
            count += targets.size
    model.train(was_training)
    return total / count


def learning_rate(recipe: LanguageModelRecipe, step: int, seconds: float) -> float:
    """The cosine schedule: lr at the start, lr * final_lr_fraction at the end of the run.

    Progress is the share of the steps done, or of the time limit used when that is further along,
    so a run stopped by its time limit still ends with a small learning rate.
    """
    progress = step / recipe.steps
    if recipe.time_limit:
        progress = max(progress, seconds / recipe.time_limit)
    floor = recipe.lr * recipe.final_lr_fraction
    return floor + (recipe.lr - floor) * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))


def save_checkpoint(
    path: str | os.PathLike,
    model: CharLSTM,
    vocab: CharVocab,
    optimizer,
    recipe: LanguageModelRecipe,
    step: int,
    history: dict,
) -> None:
    """Save what resuming, sampling and scoring need, atomically (a crash keeps the old file)."""
    save(
        {
            "kind": "char-lstm",
            "model_name": getattr(model, "model_name", "char-lstm"),
            "config": dict(model.config),
            "vocab": vocab.chars,
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "recipe": asdict(recipe),
            "step": step,
            "history": history,
        },
        path,
    )


def load_checkpoint(path: str | os.PathLike) -> dict:
    """Read a checkpoint written by `save_checkpoint`, with the model rebuilt under "net" and the
    vocabulary under "vocabulary". Other files raise ValueError."""
    saved = load(path)
    if not isinstance(saved, dict) or saved.get("kind") != "char-lstm":
        raise ValueError(
            f"{path} is not a character language model checkpoint (written by "
            "`wright train shakespeare`)"
        )
    from wright import models  # the registry imports every architecture: only when loading

    saved["net"] = models.build(saved.get("model_name", "char-lstm"), **saved["config"])
    saved["net"].load_state_dict(saved["model"])
    saved["net"].eval()
    saved["vocabulary"] = CharVocab(saved["vocab"])
    return saved


def train_language_model(
    model: CharLSTM,
    train_tokens: np.ndarray,
    val_tokens: np.ndarray,
    recipe: LanguageModelRecipe,
    checkpoint: str | os.PathLike | None = None,
    vocab: CharVocab | None = None,
    resume: dict | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Truncated-BPTT training; every `eval_every` steps, validation nats/char and a checkpoint.

    Args:
        model: a CharLSTM (any token vocabulary: characters, or the words of a small world).
        train_tokens, val_tokens: int token streams.
        checkpoint: where to save after every validation; `vocab` is stored with it.
        resume: a checkpoint from `load_checkpoint` whose weights `model` already holds; training
            goes on from its step, time and optimizer state (streams restart from zero state).
        log: receives one line per validation.

    Returns:
        The history: lists "step", "seconds", "train_loss" and "val_loss" (nats per character).
    """
    optimizer = Adam(model.parameters(), lr=recipe.lr)
    history = {"step": [], "seconds": [], "train_loss": [], "val_loss": []}
    step, elapsed_before = 0, 0.0
    if resume is not None:
        optimizer.load_state_dict(resume["optimizer"])
        history, step = {k: list(v) for k, v in resume["history"].items()}, int(resume["step"])
        elapsed_before = history["seconds"][-1] if history["seconds"] else 0.0
    streams = batchify(train_tokens, recipe.batch_size)
    windows = _windows(streams, recipe.seq_len)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    state, running, running_steps = None, 0.0, 0
    start = time.perf_counter()
    while step < recipe.steps:
        index = step % windows
        if index == 0:
            state = None
        inputs, targets = _window(streams, index, recipe.seq_len)
        logits, state = model(inputs, state)
        loss = loss_fn(logits.reshape(-1, logits.shape[-1]), as_tensor(targets.reshape(-1)))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), recipe.clip)
        lr = learning_rate(recipe, step, elapsed_before + time.perf_counter() - start)
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.step()
        state = _detach(state)
        running += float(loss.array)
        running_steps += 1
        step += 1
        seconds = elapsed_before + time.perf_counter() - start
        out_of_time = recipe.time_limit is not None and seconds >= recipe.time_limit
        if step % recipe.eval_every == 0 or step == recipe.steps or out_of_time:
            val = evaluate_nats(model, val_tokens)
            seconds = elapsed_before + time.perf_counter() - start
            for key, value in (
                ("step", step),
                ("seconds", seconds),
                ("train_loss", running / running_steps),
                ("val_loss", val),
            ):
                history[key].append(value)
            log(
                f"step {step:6d}  {seconds:7.1f}s  train {running / running_steps:.3f}  "
                f"val {val:.3f} nats/char  "
                f"lr {lr:.2e}"
            )
            running, running_steps = 0.0, 0
            if checkpoint is not None:
                save_checkpoint(checkpoint, model, vocab, optimizer, recipe, step, history)
        if out_of_time:
            break
    return history


def _prompt_tokens(vocab: CharVocab, text: str) -> np.ndarray:
    unknown = vocab.unknown(text)
    if unknown:
        raise ValueError(
            f"characters not in the model's vocabulary: {', '.join(map(repr, unknown))}; "
            f"it knows {vocab.chars!r}"
        )
    return vocab.encode(text)


def sample_tokens(
    model: CharLSTM,
    prompt: np.ndarray,
    length: int,
    temperature: float = 1.0,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Continue `prompt` (tokens) by `length` tokens, each drawn from softmax(scores / temperature).

    Lower temperatures pick likely tokens more often (0.5: safe; 1.0: the model's own distribution).
    """
    if temperature <= 0:
        raise ValueError(f"sample: temperature must be > 0, got {temperature}")
    if len(prompt) == 0:
        raise ValueError("sample: the prompt needs at least one token")
    rng = rng or np.random.default_rng()
    model.eval()
    written = np.empty(length, dtype=np.int64)
    # One uniform draw per token, compared with the cumulative probabilities: inverse-CDF sampling.
    draws = rng.random(length)
    with no_grad():
        logits, state = model(np.asarray(prompt, dtype=np.int64)[:, None])
        for i in range(length):
            scores = logits.array[-1, 0].astype(np.float64) / temperature
            cumulative = np.cumsum(np.exp(scores - scores.max()))
            written[i] = min(
                np.searchsorted(cumulative, draws[i] * cumulative[-1]), len(cumulative) - 1
            )
            logits, state = model(written[i : i + 1, None], state)
    return written


def sample(
    model: CharLSTM,
    vocab: CharVocab,
    prompt: str = "\n",
    length: int = 500,
    temperature: float = 1.0,
    rng: np.random.Generator | None = None,
) -> str:
    """`prompt` followed by `length` sampled characters (see `sample_tokens`).

    Characters of the prompt outside the vocabulary raise a ValueError listing them.
    """
    written = sample_tokens(model, _prompt_tokens(vocab, prompt or "\n"), length, temperature, rng)
    return prompt + vocab.decode(written)


def log_probability(model: CharLSTM, vocab: CharVocab, text: str, context: str = "\n") -> float:
    """log P(text | context) in nats: the sum of the log-probabilities of each character of `text`.

    The context (a newline by default: the start of a line) is read first and not scored.
    """
    if not text or not context:
        raise ValueError("log_probability: the text and its context must not be empty")
    tokens = _prompt_tokens(vocab, context + text)
    model.eval()
    with no_grad():
        logits, _ = model(tokens[:-1, None])
        log_probs = logits.log_softmax(-1).array[:, 0]
    positions = np.arange(len(context) - 1, len(tokens) - 1)
    return float(log_probs[positions, tokens[positions + 1]].sum())


def bits(nats: float) -> float:
    """Nats to bits."""
    return nats / math.log(2)


def default_checkpoint(out: str | os.PathLike, model_name: str = "char-lstm") -> Path:
    """Where `wright train shakespeare` keeps its checkpoint inside the output folder."""
    return Path(out) / f"{model_name}.npz"
