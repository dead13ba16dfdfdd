"""Training character language models with `fit`: truncated backpropagation through time over
endless streams of text (or windows drawn at random places), a warm-up and a cosine learning rate
fitted to a step or time budget, validation and resumable checkpoints.

The training text is cut into `batch_size` long streams read side by side; each step reads the next
`seq_len` characters of every stream, carrying the LSTM state over from the previous step but not
its gradient (truncated backpropagation through time). A model that reads each window on its own (a
transformer) learns faster from `batch_size` windows drawn at random places of the text each step.
To `fit`, either is an endless batch stream and an "epoch" is the stretch of `eval_every` steps
between two validations.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from wright import nn
from wright.backend import numpy_rng
from wright.creation import as_tensor
from wright.models.registry import make_optimizer
from wright.nn.module import Module
from wright.optim.optimizer import Optimizer
from wright.train.callbacks import Callback, ModelCheckpoint
from wright.train.history import History
from wright.train.loop import evaluate, fit

# Validation reads a few long streams (the state carries over their whole length).
VALIDATION_STREAMS, VALIDATION_WINDOW = 32, 256


@dataclass
class LanguageModelRecipe:
    """How to train a character model.

    Attributes:
        steps: gradient steps in all (counting those before a resume).
        seq_len: characters per stream per step (how far back gradients reach).
        batch_size: streams read side by side (or random windows per step).
        lr: the optimizer's peak learning rate, reached after `warmup` steps and then annealed to
            lr * final_lr_fraction along a cosine that spans the rest of the steps, or the time
            limit when that comes first (CosineBudgetLR).
        clip: the largest gradient norm allowed (gradients are scaled down to it).
        eval_every: steps between validation measurements and checkpoints.
        time_limit: stop (with a last validation and checkpoint) after this many seconds, if set.
        optimizer, momentum: the update rule's name and momentum (`wright.models.make_optimizer`).
        beta2: adam's and adamw's decay rate of the mean squared gradient (0.99 follows the
            gradients' scale faster than the usual 0.999, for small batches).
        warmup: steps over which the learning rate rises linearly to `lr`.
        weight_decay: weight decay of the weight matrices and embeddings (biases and normalisation
            gains are never decayed); decoupled from the gradient with "adamw".
        windows: "streams" (side-by-side streams, the state carried from window to window) or
            "random" (`batch_size` windows at random places each step, each from zero state).
    """

    steps: int = 1200
    seq_len: int = 100
    batch_size: int = 64
    lr: float = 3e-3
    final_lr_fraction: float = 0.05
    clip: float = 1.0
    eval_every: int = 250
    time_limit: float | None = None
    optimizer: str = "adam"
    momentum: float = 0.0
    beta2: float = 0.999
    warmup: int = 0
    weight_decay: float = 0.0
    windows: str = "streams"


WINDOWS = ("streams", "random")


def batchify(tokens: np.ndarray, batch_size: int) -> np.ndarray:
    """Cut tokens into `batch_size` equal contiguous streams side by side: (L, batch_size)."""
    length = len(tokens) // batch_size
    if length < 2:
        raise ValueError(f"batchify: {len(tokens)} tokens are too few for {batch_size} streams")
    return np.ascontiguousarray(tokens[: length * batch_size].reshape(batch_size, length).T)


class TruncatedBPTT(Module):
    """A recurrent model read window after window along the same streams: each call starts from
    the state the previous call ended in, cut off from its graph, so gradients reach back one
    window only.

    The state is kept apart for training and eval mode, so measuring validation streams between
    training steps does not disturb the training streams; `reset()` forgets the current mode's
    state. The wrapper adds no weights: its state dict is the model's.

    Args:
        model: maps tokens (T, N) and a state (None at first) to scores (T, N, V) and a state.

    Shape:
        tokens (T, N) -> scores (T * N, V), one row per predicted token (for cross-entropy).
    """

    def __init__(self, model: Module) -> None:
        super().__init__()
        self.model = model
        self.carried: dict[bool, tuple] = {}

    def reset(self) -> None:
        """Start the streams afresh (zero state) in the current mode."""
        self.carried.pop(self.training, None)

    def forward(self, tokens):
        scores, state = self.model(tokens, self.carried.get(self.training))  # (T, N, V)
        self.carried[self.training] = tuple(s.detach() for s in state)
        return scores.reshape(-1, scores.shape[-1])  # (T * N, V)

    def state_dict(self, *args, **kwargs):
        """The wrapped model's state dict."""
        return self.model.state_dict(*args, **kwargs)

    def load_state_dict(self, *args, **kwargs):
        """Load into the wrapped model."""
        return self.model.load_state_dict(*args, **kwargs)


class TextStreams:
    """One pass over token streams in windows: (inputs (T, N), next-token targets (T * N,)) each.

    Each pass starts with `reader.reset()` (zero state). `len()` is the number of windows in a pass;
    `fit(..., steps_per_epoch=...)` reads passes one after another, an endless stream.

    Args:
        tokens: the int token sequence.
        batch_size: streams side by side (N).
        seq_len: tokens per window (T).
        reader: the TruncatedBPTT that reads the windows.
        start: the window the first pass starts at (where a resumed run left off).
    """

    def __init__(
        self,
        tokens: np.ndarray,
        batch_size: int,
        seq_len: int,
        reader: TruncatedBPTT | None = None,
        start: int = 0,
    ) -> None:
        self.streams = batchify(tokens, batch_size)  # (L, N)
        self.seq_len, self.reader = seq_len, reader
        self.windows = (len(self.streams) - 1) // seq_len
        if self.windows < 1:
            raise ValueError(
                f"TextStreams: {batch_size} streams of {len(self.streams)} tokens are too short "
                f"for one window of {seq_len} (+1 for the targets)"
            )
        self.start = start % self.windows

    def __len__(self) -> int:
        return self.windows

    def __iter__(self) -> Iterator:
        if self.reader is not None:
            self.reader.reset()
        first, self.start = self.start, 0
        for index in range(first, self.windows):
            at = index * self.seq_len
            yield (
                as_tensor(self.streams[at : at + self.seq_len]),
                as_tensor(self.streams[at + 1 : at + self.seq_len + 1].reshape(-1)),
            )


class RandomWindows:
    """Endless training windows at random places of the text: (inputs (T, N), next-token targets
    (T * N,)) each, every window read from zero state.

    The places are drawn from wright's default generator, so `wright.manual_seed` fixes them and
    a resumed run draws on where it stopped. `len()` is the number of windows holding as many
    characters as the text (one "pass").

    Args:
        tokens: the int token sequence.
        batch_size: windows per step (N).
        seq_len: tokens per window (T).
        reader: the TruncatedBPTT that reads the windows (reset before each one).
    """

    def __init__(
        self, tokens: np.ndarray, batch_size: int, seq_len: int, reader: TruncatedBPTT | None = None
    ) -> None:
        if len(tokens) < seq_len + 1:
            raise ValueError(
                f"RandomWindows: {len(tokens)} tokens are too few for one window of {seq_len} "
                "(+1 for the targets)"
            )
        self.tokens, self.reader = tokens, reader
        self.batch_size, self.seq_len = batch_size, seq_len
        self.offsets = np.arange(seq_len + 1)[:, None]  # (T + 1, 1)

    def __len__(self) -> int:
        return max(1, len(self.tokens) // (self.batch_size * self.seq_len))

    def __iter__(self) -> Iterator:
        rng = numpy_rng(None)
        for _ in range(len(self)):
            if self.reader is not None:
                self.reader.reset()
            starts = rng.integers(0, len(self.tokens) - self.seq_len, self.batch_size)
            window = self.tokens[starts + self.offsets]  # (T + 1, N)
            yield as_tensor(window[:-1]), as_tensor(window[1:].reshape(-1))


def validation_streams(tokens: np.ndarray, reader: TruncatedBPTT) -> TextStreams:
    """Validation windows: up to 32 streams in windows of up to 256 tokens, fewer for short
    texts."""
    batch_size = max(1, min(VALIDATION_STREAMS, len(tokens) // 2))
    return TextStreams(
        tokens, batch_size, min(VALIDATION_WINDOW, len(tokens) // batch_size - 1), reader
    )


def evaluate_nats(model: Module, tokens: np.ndarray) -> float:
    """Mean negative log-likelihood of each next token in nats, reading validation streams."""
    reader = TruncatedBPTT(model)
    stream = validation_streams(tokens, reader)
    return evaluate(reader, nn.CrossEntropyLoss(), stream, metrics=())["loss"]


class CosineBudgetLR:
    """Raise the lr linearly to `lr` over `warmup` steps, then anneal it along half a cosine to
    `lr * final_fraction` over the rest of a run's budget: the share of the steps after the warm-up
    taken or of `time_limit` used, whichever is further along (so a run cut by its time limit
    still ends on a small lr). Steps after every batch (`per_batch`).

    Time is counted from construction, and across resumes through the state dict.
    """

    per_batch = True

    def __init__(
        self,
        optimizer: Optimizer,
        lr: float,
        steps: int,
        time_limit: float | None = None,
        final_fraction: float = 0.05,
        warmup: int = 0,
    ) -> None:
        self.optimizer, self.lr, self.steps = optimizer, lr, steps
        self.time_limit, self.final_fraction, self.warmup = time_limit, final_fraction, warmup
        self.last_step, self.elapsed = 0, 0.0
        self.started = time.perf_counter()
        self._apply()

    def lr_at(self, step: int, seconds: float) -> float:
        """The lr after `step` steps and `seconds` seconds."""
        if step < self.warmup:
            return self.lr * (step + 1) / self.warmup
        progress = (step - self.warmup) / max(1, self.steps - self.warmup)
        if self.time_limit:
            progress = max(progress, seconds / self.time_limit)
        floor = self.lr * self.final_fraction
        return floor + (self.lr - floor) * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))

    def _seconds(self) -> float:
        return self.elapsed + time.perf_counter() - self.started

    def _apply(self) -> None:
        lr = self.lr_at(self.last_step, self._seconds())
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def step(self) -> None:
        """Move on by one batch."""
        self.last_step += 1
        self._apply()

    def get_last_lr(self) -> list[float]:
        """The lr of each group."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict:
        """Steps taken and seconds used, for checkpoints."""
        return {"last_step": self.last_step, "elapsed": self._seconds()}

    def load_state_dict(self, state: dict) -> None:
        """Go on from `state_dict()`."""
        self.last_step, self.elapsed = int(state["last_step"]), float(state["elapsed"])
        self.started = time.perf_counter()
        self._apply()


def decay_groups(model: Module, weight_decay: float) -> list[dict]:
    """Parameter groups that decay the weight matrices and embeddings (2 or more dimensions) by
    `weight_decay` and leave biases and normalisation gains alone, as transformers are usually
    trained (groups left empty are dropped)."""
    parameters = list(model.parameters())
    groups = [
        {"params": [p for p in parameters if p.ndim >= 2], "weight_decay": weight_decay},
        {"params": [p for p in parameters if p.ndim < 2], "weight_decay": 0.0},
    ]
    return [group for group in groups if group["params"]]


def train_language_model(
    model: Module,
    train_tokens: np.ndarray,
    val_tokens: np.ndarray,
    recipe: LanguageModelRecipe,
    checkpoint: str | os.PathLike | None = None,
    info: dict | None = None,
    resume: dict | None = None,
    verbose: int = 0,
    callbacks: Sequence[Callback] = (),
) -> History:
    """Truncated-BPTT (or random-window) training with `fit`; every `eval_every` steps, validation
    and a checkpoint.

    Args:
        model: a CharLSTM or CharTransformer (any token vocabulary: characters, or the words of a
            small world).
        train_tokens, val_tokens: int token streams.
        recipe: the training settings (steps, time limit, lr, ...).
        checkpoint: where ModelCheckpoint keeps the latest good state after each validation.
        info: stored in the checkpoint beside the state (model name, config, vocabulary, ...).
        resume: a checkpoint read back (`wright.load`): training goes on from its step, time,
            optimizer state, schedule, history and random state; the streams go on from the window
            where it stopped, from zero state (random windows from the saved random state).
        verbose: fit's progress display (0: silent).
        callbacks: more callbacks for fit.

    Returns:
        The History: per validation, train and validation loss in nats per token (`loss`,
        `val_loss`), next-token `accuracy` and `val_accuracy`, `lr` and `time`.
    """
    if recipe.windows not in WINDOWS:
        raise ValueError(f"windows must be one of {WINDOWS}, got {recipe.windows!r}")
    reader = TruncatedBPTT(model)
    # One group without weight decay, as checkpoints of such runs have always held.
    parameters = (
        decay_groups(model, recipe.weight_decay) if recipe.weight_decay else model.parameters()
    )
    optimizer = make_optimizer(
        recipe.optimizer, parameters, recipe.lr, recipe.momentum, beta2=recipe.beta2
    )
    schedule = CosineBudgetLR(
        optimizer,
        recipe.lr,
        recipe.steps,
        recipe.time_limit,
        recipe.final_lr_fraction,
        recipe.warmup,
    )
    if recipe.windows == "random":
        train = RandomWindows(train_tokens, recipe.batch_size, recipe.seq_len, reader)
    else:
        start = int(resume["step"]) if resume is not None else 0
        train = TextStreams(train_tokens, recipe.batch_size, recipe.seq_len, reader, start)
    saver = []
    if checkpoint is not None:
        extra = {**(info or {}), "recipe": asdict(recipe)}
        saver.append(ModelCheckpoint(checkpoint, save_best_only=False, extra=extra))
    return fit(
        reader,
        nn.CrossEntropyLoss(),
        optimizer,
        train,
        epochs=None,
        val_loader=validation_streams(val_tokens, reader),
        callbacks=[*saver, *callbacks],
        scheduler=schedule,
        verbose=verbose,
        steps=recipe.steps,
        time_limit=recipe.time_limit,
        steps_per_epoch=recipe.eval_every,
        clip_grad_norm=recipe.clip,
        resume=resume,
    )
