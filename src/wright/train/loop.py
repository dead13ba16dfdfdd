"""The training loop: `fit` repeats forward pass, loss, backward pass and update over the data;
`evaluate` measures a model on data without changing it."""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from wright import distributed
from wright.autograd import no_grad
from wright.creation import as_tensor
from wright.nn.module import Module
from wright.optim.lr_scheduler import LRScheduler, OneCycleLR
from wright.optim.optimizer import Optimizer
from wright.tensor import Tensor
from wright.train import metrics as metric_table
from wright.train.callbacks import Callback, ProgressBar
from wright.train.history import History

NONFINITE_POLICIES = ("raise", "skip", "continue")


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite during training."""


@dataclass
class FitState:
    """What callbacks can see and change while `fit` runs (set `stop_training` to end after this
    epoch)."""

    model: Module
    optimizer: Optimizer
    epochs: int
    steps_per_epoch: int | None
    history: History = field(default_factory=History)
    epoch: int = 0
    stop_training: bool = False
    skipped_steps: int = 0


class _Running:
    """Sums of loss and metric counts over an epoch, so means come out exact whatever the batch
    sizes."""

    def __init__(self, metric_fns: dict[str, Callable]) -> None:
        self.metric_fns = metric_fns
        self.loss_sum, self.samples = 0.0, 0
        self.totals = {name: [0.0, 0] for name in metric_fns}

    def add(self, loss: float, outputs: np.ndarray, targets: np.ndarray) -> None:
        batch = len(outputs)
        self.loss_sum += loss * batch
        self.samples += batch
        for name, fn in self.metric_fns.items():
            correct, count = fn(outputs, targets)
            self.totals[name][0] += correct
            self.totals[name][1] += count

    def over_ranks(self) -> _Running:
        """These sums added up over every process of a data-parallel run (the same numbers
        without one), so means are those of all the processes' data."""
        names = list(self.totals)
        flat = [self.loss_sum, self.samples] + [v for name in names for v in self.totals[name]]
        summed = distributed.sum_over_ranks(np.array(flat, dtype=np.float64))
        total = _Running(self.metric_fns)
        total.loss_sum, total.samples = float(summed[0]), int(summed[1])
        for i, name in enumerate(names):
            total.totals[name] = [float(summed[2 + 2 * i]), float(summed[3 + 2 * i])]
        return total

    def means(self, prefix: str = "") -> dict[str, float]:
        logs = {f"{prefix}loss": self.loss_sum / max(self.samples, 1)}
        for name, (total, count) in self.totals.items():
            logs[f"{prefix}{name}"] = total / max(count, 1)
        return logs


def _split_batch(batch) -> tuple[Tensor, Tensor]:
    if not isinstance(batch, tuple | list) or len(batch) != 2:
        raise ValueError(
            "fit/evaluate: each batch must be an (inputs, targets) pair, got "
            f"{type(batch).__name__} of length {len(batch) if hasattr(batch, '__len__') else '?'}"
        )
    inputs, targets = batch
    return (
        inputs if isinstance(inputs, Tensor) else as_tensor(inputs),
        targets if isinstance(targets, Tensor) else as_tensor(targets),
    )


def evaluate(
    model: Module,
    loss_fn: Callable,
    loader: Iterable,
    metrics: Sequence[str] = ("accuracy",),
    prefix: str = "",
    *,
    across_ranks: bool = False,
) -> dict[str, float]:
    """Mean loss and metrics of `model` over `loader`, in eval mode and without recording a graph.

    With `across_ranks`, every process of a data-parallel run calls this on its share of the data
    and all get the means over all the shares (`fit` does this).

    Returns:
        e.g. {"loss": 0.21, "accuracy": 0.953}; keys start with `prefix` ("val_" inside fit).
    """
    was_training = model.training
    model.eval()
    running = _Running(metric_table.resolve(metrics))
    with no_grad():
        for batch in loader:
            inputs, targets = _split_batch(batch)
            outputs = model(inputs)
            running.add(float(loss_fn(outputs, targets).array), outputs.array, targets.array)
    model.train(was_training)
    return (running.over_ranks() if across_ranks else running).means(prefix)


def fit(
    model: Module,
    loss_fn: Callable,
    optimizer: Optimizer,
    train_loader: Iterable,
    epochs: int = 1,
    val_loader: Iterable | None = None,
    metrics: Sequence[str] = ("accuracy",),
    callbacks: Sequence[Callback] = (),
    scheduler: LRScheduler | None = None,
    verbose: int = 1,
    on_nonfinite: str = "raise",
) -> History:
    """Train `model` for `epochs` passes over `train_loader` and return its History.

    Each step: outputs = model(inputs); loss = loss_fn(outputs, targets); optimizer.zero_grad();
    loss.backward(); optimizer.step(). After each epoch the model is evaluated on `val_loader` (if
    given), the scheduler steps (OneCycleLR steps every batch instead) and callbacks run.

    Args:
        verbose: 0 silent, 1 a progress bar (a line per epoch when not on a terminal), 2 a line per
            epoch.
        on_nonfinite: what a NaN/inf loss does: "raise" stops with NonFiniteLossError naming the
            epoch and step, before the update, so weights and checkpoints keep their last good
            values; "skip" drops that batch's update; "continue" warns and goes on.

    Example:
        >>> history = wright.train.fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters()),
        ...                            train_loader, epochs=5, val_loader=test_loader)
        >>> history["val_accuracy"][-1]
    """
    if on_nonfinite not in NONFINITE_POLICIES:
        raise ValueError(
            f"fit: on_nonfinite must be one of {NONFINITE_POLICIES}, got {on_nonfinite!r}"
        )
    if epochs < 1:
        raise ValueError(f"fit: epochs must be >= 1, got {epochs}")
    metric_fns = metric_table.resolve(metrics)
    steps = len(train_loader) if hasattr(train_loader, "__len__") else None
    state = FitState(model, optimizer, epochs, steps)
    # In a data-parallel run only rank 0 shows progress.
    showing = verbose and distributed.is_main_process()
    callbacks = ([ProgressBar(verbose)] if showing else []) + list(callbacks)
    per_batch_schedule = isinstance(scheduler, OneCycleLR)
    for callback in callbacks:
        callback.on_train_begin(state)
    logs: dict[str, float] = {}
    try:
        for epoch in range(1, epochs + 1):
            state.epoch = epoch
            model.train()
            # A DistributedSampler draws each epoch's common order from its seed and the epoch.
            sampler = getattr(train_loader, "sampler", None)
            if hasattr(sampler, "set_epoch"):
                sampler.set_epoch(epoch - 1)
            for callback in callbacks:
                callback.on_epoch_begin(epoch)
            running = _Running(metric_fns)
            started = time.perf_counter()
            for step, batch in enumerate(train_loader, start=1):
                inputs, targets = _split_batch(batch)
                outputs = model(inputs)
                loss = loss_fn(outputs, targets)
                value = float(loss.array)
                nonfinite = not math.isfinite(value)
                if on_nonfinite == "skip":
                    # Data-parallel ranks skip a step together, or their all-reduces would part.
                    nonfinite = distributed.any_rank(nonfinite)
                if nonfinite:
                    if on_nonfinite == "raise":
                        raise NonFiniteLossError(
                            f"fit: the loss became {value} at epoch {epoch}, step {step}; training "
                            "stopped before updating the weights "
                            "(lower the learning rate, or pass on_nonfinite='skip')"
                        )
                    if on_nonfinite == "skip":
                        state.skipped_steps += 1
                        continue
                    warnings.warn(
                        f"fit: loss is {value} at epoch {epoch}, step {step}",
                        RuntimeWarning,
                        stacklevel=2,
                    )
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if per_batch_schedule:
                    scheduler.step()
                running.add(value, outputs.array, targets.array)
                batch_logs = running.means()
                batch_logs["samples_per_s"] = running.samples / max(
                    time.perf_counter() - started, 1e-9
                )
                for callback in callbacks:
                    callback.on_batch_end(step, batch_logs)
            elapsed = time.perf_counter() - started
            # Data-parallel: the epoch's numbers are those of every rank's data together.
            running = running.over_ranks()
            logs = running.means()
            if val_loader is not None:
                logs.update(
                    evaluate(model, loss_fn, val_loader, metrics, prefix="val_", across_ranks=True)
                )
            logs["lr"] = optimizer.param_groups[0]["lr"]
            logs["time"] = elapsed
            logs["samples_per_s"] = running.samples / max(elapsed, 1e-9)
            if scheduler is not None and not per_batch_schedule:
                scheduler.step()
            state.history.append({k: v for k, v in logs.items() if k != "samples_per_s"})
            for callback in callbacks:
                callback.on_epoch_end(epoch, logs)
            if state.stop_training:
                break
    finally:
        for callback in callbacks:
            callback.on_train_end(logs)
    return state.history
