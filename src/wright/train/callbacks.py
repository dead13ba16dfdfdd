"""Callbacks: code that `fit` calls at the start and end of training, of each epoch and of each
batch."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from wright import distributed
from wright.serialization import save


class Callback:
    """Base class; override the events you need. `self.state` is the running fit's FitState."""

    state = None

    def on_train_begin(self, state) -> None:
        """Training starts; `state` gives access to model, optimizer, epochs and history."""
        self.state = state

    def on_epoch_begin(self, epoch: int) -> None:
        """Epoch `epoch` (1-based) starts."""

    def on_batch_end(self, step: int, logs: dict) -> None:
        """A training step finished; logs hold the running means of the epoch so far."""

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        """Epoch `epoch` finished; logs hold its training and validation numbers."""

    def on_train_end(self, logs: dict) -> None:
        """Training finished (normally, by early stopping, or on an error)."""


def _format(logs: dict) -> str:
    parts = []
    for key, value in logs.items():
        if key in ("time", "lr", "samples_per_s"):
            continue
        parts.append(f"{key} {value:.4f}")
    return "  ".join(parts)


class ProgressBar(Callback):
    """A tqdm bar per epoch with running loss, accuracy and samples/s; one summary line per epoch
    when the output is not a terminal (or with `verbose=2`). Runs with a step budget also show the
    step count."""

    def __init__(self, verbose: int = 1, stream=None) -> None:
        self.verbose = verbose
        self.stream = stream or sys.stderr
        self.bar = None

    def _interactive(self) -> bool:
        return self.verbose == 1 and hasattr(self.stream, "isatty") and self.stream.isatty()

    def _where(self, epoch: int) -> str:
        planned = self.state.planned_epochs()
        where = f"epoch {epoch}/{planned if planned is not None else '?'}"
        if self.state.steps is not None:
            where += f"  step {self.state.step}/{self.state.steps}"
        return where

    def on_epoch_begin(self, epoch: int) -> None:
        if self._interactive():
            self.bar = tqdm(
                total=self.state.steps_per_epoch,
                desc=f"epoch {epoch}/{self.state.planned_epochs() or '?'}",
                unit="batch",
                leave=True,
                file=self.stream,
                dynamic_ncols=True,
            )
        self.refresh_every = max(1, (self.state.steps_per_epoch or 100) // 50)
        self.pending = 0

    def on_batch_end(self, step: int, logs: dict) -> None:
        if self.bar is None:
            return
        self.pending += 1
        if self.pending >= self.refresh_every:
            self.bar.set_postfix_str(
                _format(logs) + f"  {logs['samples_per_s']:,.0f} samples/s", refresh=False
            )
            self.bar.update(self.pending)
            self.pending = 0

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        line = (
            f"{self._where(epoch)}  {_format(logs)}  {logs['samples_per_s']:,.0f} "
            f"samples/s  {logs['time']:.1f}s"
        )
        if self.bar is not None:
            self.bar.update(self.pending)
            self.bar.set_postfix_str(_format(logs), refresh=True)
            self.bar.close()
            self.bar = None
        elif self.verbose:
            print(line, file=self.stream, flush=True)


def _better(mode: str, value: float, best: float, min_delta: float) -> bool:
    if mode == "min":
        return value < best - min_delta
    return value > best + min_delta


def _mode_for(monitor: str, mode: str) -> str:
    if mode != "auto":
        return mode
    return "max" if "acc" in monitor else "min"


class EarlyStopping(Callback):
    """Stop when the monitored number has not improved for `patience` epochs.

    Args:
        monitor: a key of the epoch logs, e.g. "val_loss" or "val_accuracy".
        patience: epochs without improvement to wait.
        min_delta: smallest change that counts as improvement.
        mode: "min", "max" or "auto" (max for accuracies, min otherwise).
        restore_best_weights: put back the weights of the best epoch when stopping.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 3,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = False,
    ) -> None:
        self.monitor, self.patience, self.min_delta = monitor, patience, min_delta
        self.mode = _mode_for(monitor, mode)
        self.restore_best_weights = restore_best_weights
        self.stopped_epoch = 0

    def on_train_begin(self, state) -> None:
        super().on_train_begin(state)
        self.best = math.inf if self.mode == "min" else -math.inf
        self.wait = 0
        self.best_weights = None

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        if self.monitor not in logs:
            raise KeyError(
                f"EarlyStopping: monitored {self.monitor!r} is not among the epoch's numbers "
                f"{sorted(logs)}; pass val_loader to fit for val_ metrics"
            )
        value = logs[self.monitor]
        if _better(self.mode, value, self.best, self.min_delta):
            self.best, self.wait = value, 0
            if self.restore_best_weights:
                self.best_weights = {
                    k: v.array.copy() for k, v in self.state.model.state_dict().items()
                }
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.state.stop_training = True
            self.stopped_epoch = epoch
            if self.best_weights is not None:
                self.state.model.load_state_dict(self.best_weights)


class ModelCheckpoint(Callback):
    """Save everything needed to resume (`FitState.snapshot()`: weights, optimizer and scheduler
    state, counters, history, random generators) after an epoch, by default only when `monitor`
    improves.

    The file is written atomically and only for a good epoch: never when the epoch's loss
    (`val_loss`, or `loss` without validation data) is NaN or infinite, or has blown up to more than
    `blowup` times the best loss seen so far. So the file always holds the last good state, whatever
    a diverging run does afterwards. `extra` is stored beside the state (e.g. the model's name, so
    the checkpoint can be rebuilt). `fit(resume=wright.load(path))` continues from the file.

    Attributes:
        saved_epoch: the epoch last written by this callback (None before the first save).
    """

    def __init__(
        self,
        path: str | os.PathLike,
        monitor: str = "val_loss",
        mode: str = "auto",
        save_best_only: bool = True,
        extra: dict | None = None,
        blowup: float | None = 10.0,
        verbose: int = 1,
    ) -> None:
        self.path = Path(path)
        self.monitor, self.mode = monitor, _mode_for(monitor, mode)
        self.save_best_only = save_best_only
        self.extra = dict(extra or {})
        self.blowup = blowup
        self.verbose = verbose
        self.best = None
        self.saved_epoch = None

    def on_train_begin(self, state) -> None:
        super().on_train_begin(state)
        self.best = math.inf if self.mode == "min" else -math.inf
        # A resumed run remembers how good its earlier epochs were.
        for value in state.history.history.get(self.monitor, []):
            if np.isfinite(value) and _better(self.mode, value, self.best, 0.0):
                self.best = value

    def _blown_up(self, logs: dict) -> str | None:
        """Why this epoch must not be saved, or None."""
        key = "val_loss" if "val_loss" in logs else "loss"
        value = logs.get(key)
        if value is None:
            return None
        if not np.isfinite(value):
            return f"{key} is {value}"
        earlier = [v for v in self.state.history.history.get(key, [])[:-1] if np.isfinite(v)]
        if self.blowup is not None and earlier and value > self.blowup * min(earlier):
            return f"{key} {value:.4g} is more than {self.blowup:g}x the best {min(earlier):.4g}"
        return None

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        if not distributed.is_main_process():
            return  # data-parallel: rank 0 writes the one checkpoint
        value = logs.get(self.monitor, logs.get(self.monitor.removeprefix("val_")))
        reason = self._blown_up(logs)
        if reason is None and (value is None or not np.isfinite(value)):
            reason = f"{self.monitor} is {value}"
        if reason is not None:
            if self.verbose:
                print(
                    f"ModelCheckpoint: not saving epoch {epoch} ({reason}); {self.path} keeps "
                    "its earlier state",
                    file=sys.stderr,
                    flush=True,
                )
            return
        if self.save_best_only and not _better(self.mode, value, self.best, 0.0):
            return
        self.best = value
        save({**self.state.snapshot(), "metrics": dict(logs), **self.extra}, self.path)
        self.saved_epoch = epoch
