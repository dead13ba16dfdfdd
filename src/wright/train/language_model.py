"""Training character language models with `fit`: truncated backpropagation through time over
endless streams of text, a cosine learning rate fitted to a step or time budget, validation and
resumable checkpoints.

The training text is cut into `batch_size` long streams read side by side; each step reads the next
`seq_len` characters of every stream, carrying the LSTM state over from the previous step but not
its gradient (truncated backpropagation through time). To `fit`, the streams are an endless batch
stream and an "epoch" is the stretch of `eval_every` steps between two validations.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from wright import nn
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
        batch_size: streams read side by side.
        lr: the optimizer's starting learning rate, annealed to lr * final_lr_fraction along a
            cosine that spans the steps, or the time limit when that comes first (CosineBudgetLR).
        clip: the largest gradient norm allowed (gradients are scaled down to it).
        eval_every: steps between validation measurements and checkpoints.
        time_limit: stop (with a last validation and checkpoint) after this many seconds, if set.
        optimizer, momentum: the update rule's name and momentum (`wright.models.make_optimizer`).
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
    """Anneal the lr along half a cosine from `lr` to `lr * final_fraction` over a run's budget:
    the share of `steps` taken or of `time_limit` used, whichever is further along (so a run cut by
    its time limit still ends on a small lr). Steps after every batch (`per_batch`).

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
    ) -> None:
        self.optimizer, self.lr, self.steps = optimizer, lr, steps
        self.time_limit, self.final_fraction = time_limit, final_fraction
        self.last_step, self.elapsed = 0, 0.0
        self.started = time.perf_counter()
        self._apply()

    def lr_at(self, step: int, seconds: float) -> float:
        """The lr after `step` steps and `seconds` seconds."""
        progress = step / self.steps
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
    """Truncated-BPTT training with `fit`; every `eval_every` steps, validation and a checkpoint.

    Args:
        model: a CharLSTM (any token vocabulary: characters, or the words of a small world).
        train_tokens, val_tokens: int token streams.
        recipe: the training settings (steps, time limit, lr, ...).
        checkpoint: where ModelCheckpoint keeps the latest good state after each validation.
        info: stored in the checkpoint beside the state (model name, config, vocabulary, ...).
        resume: a checkpoint read back (`wright.load`): training goes on from its step, time,
            optimizer state, schedule, history and random state; the streams go on from the window
            where it stopped, from zero state.
        verbose: fit's progress display (0: silent).
        callbacks: more callbacks for fit.

    Returns:
        The History: per validation, train and validation loss in nats per token (`loss`,
        `val_loss`), next-token `accuracy` and `val_accuracy`, `lr` and `time`.
    """
    reader = TruncatedBPTT(model)
    optimizer = make_optimizer(recipe.optimizer, model.parameters(), recipe.lr, recipe.momentum)
    schedule = CosineBudgetLR(
        optimizer, recipe.lr, recipe.steps, recipe.time_limit, recipe.final_lr_fraction
    )
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
