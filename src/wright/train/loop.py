"""The training loop: `fit` repeats forward pass, loss, backward pass and update over the data;
`evaluate` measures a model on data without changing it."""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from wright import distributed
from wright.autograd import no_grad
from wright.backend import default_generator
from wright.creation import as_tensor
from wright.nn.module import Module
from wright.nn.parallel import DistributedDataParallel
from wright.nn.utils import clip_grad_norm_
from wright.optim.lr_scheduler import ReduceLROnPlateau
from wright.optim.optimizer import Optimizer
from wright.tensor import Tensor
from wright.train import metrics as metric_table
from wright.train.callbacks import Callback, ProgressBar
from wright.train.history import History

NONFINITE_POLICIES = ("raise", "skip", "continue")
# What a checkpoint must hold for `fit(resume=...)` to carry on exactly where it stopped.
RESUME_KEYS = ("model", "optimizer", "epoch", "step", "seconds", "history", "rng")


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite during training (`value` at `epoch`, `step` of that epoch)."""

    def __init__(self, value: float, epoch: int, step: int) -> None:
        self.value, self.epoch, self.step = value, epoch, step
        super().__init__(
            f"fit: the loss became {value} at epoch {epoch}, step {step}; training stopped "
            "before updating the weights (lower the learning rate, or pass on_nonfinite='skip')"
        )


@dataclass
class FitState:
    """What callbacks can see and change while `fit` runs (set `stop_training` to end after this
    epoch).

    `epoch` is the current epoch (1-based; the last finished one between epochs), `step` counts
    optimizer steps and `seconds` training time, both over every run of a resumed training.
    `steps` and `time_limit` are the budget (None: no limit); `epochs` may be None when one of them
    ends the training. `generators` are random generators besides wright's default one whose
    state checkpoints keep (e.g. a loader's shuffling generator).
    """

    model: Module
    optimizer: Optimizer
    epochs: int | None
    steps_per_epoch: int | None
    scheduler: Any = None
    steps: int | None = None
    time_limit: float | None = None
    generators: dict[str, np.random.Generator] = field(default_factory=dict)
    history: History = field(default_factory=History)
    epoch: int = 0
    step: int = 0
    seconds: float = 0.0
    stop_training: bool = False
    skipped_steps: int = 0

    def out_of_budget(self) -> bool:
        """Whether the step or time budget is used up."""
        return (self.steps is not None and self.step >= self.steps) or (
            self.time_limit is not None and self.seconds >= self.time_limit
        )

    def finished(self) -> bool:
        """Whether training is over: all epochs done, the budget used up, or stopped."""
        done = self.epochs is not None and self.epoch >= self.epochs
        return done or self.stop_training or self.out_of_budget()

    def planned_epochs(self) -> int | None:
        """How many epochs the run will have, if known (for progress displays)."""
        by_steps = None
        if self.steps is not None and self.steps_per_epoch:
            by_steps = -(-self.steps // self.steps_per_epoch)
        if self.epochs is None or by_steps is None:
            return self.epochs if by_steps is None else by_steps
        return min(self.epochs, by_steps)

    def snapshot(self) -> dict:
        """Everything `fit(resume=...)` needs to go on exactly from here: weights, optimizer and
        scheduler state, epoch, step and time counters, history, and the random generators."""
        saved = {
            "model": _unwrapped(self.model).state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "epoch": self.epoch,
            "step": self.step,
            "seconds": self.seconds,
            "history": self.history.history,
            "rng": default_generator().get_state(),
            "generators": {k: g.bit_generator.state for k, g in self.generators.items()},
        }
        if self.scheduler is not None:
            saved["scheduler"] = self.scheduler.state_dict()
        return saved

    def restore(self, saved: dict) -> None:
        """Go back to a `snapshot()` (as stored in a ModelCheckpoint file)."""
        missing = [key for key in RESUME_KEYS if key not in saved]
        if self.scheduler is not None and "scheduler" not in saved:
            missing.append("scheduler")
        if missing:
            raise ValueError(f"fit: cannot resume from a checkpoint without {', '.join(missing)}")
        _unwrapped(self.model).load_state_dict(saved["model"])
        self.optimizer.load_state_dict(saved["optimizer"])
        if self.scheduler is not None:
            self.scheduler.load_state_dict(saved["scheduler"])
        self.epoch, self.step = int(saved["epoch"]), int(saved["step"])
        self.seconds = float(saved["seconds"])
        self.history = History(saved["history"])
        default_generator().set_state(saved["rng"])
        for name, generator in self.generators.items():
            if name not in saved.get("generators", {}):
                raise ValueError(f"fit: the checkpoint holds no state for generator {name!r}")
            generator.bit_generator.state = saved["generators"][name]


def _unwrapped(model: Module) -> Module:
    """The model inside a DistributedDataParallel wrapper, or the model: checkpoints hold its
    weights under their own names, whatever the number of processes that trained it."""
    return model.module if isinstance(model, DistributedDataParallel) else model


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
        # The mean of nothing is NaN, as PyTorch's mean-reduced losses of an empty batch.
        logs = {f"{prefix}loss": self.loss_sum / self.samples if self.samples else math.nan}
        for name, (total, count) in self.totals.items():
            logs[f"{prefix}{name}"] = total / count if count else math.nan
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
        e.g. {"loss": 0.21, "accuracy": 0.953}; keys start with `prefix` ("val_" inside fit). An
        empty loader gives NaN for each.
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


class _Batches:
    """The training batches of each epoch: one pass over the loader, or with `steps_per_epoch`
    that many batches from an iterator kept across epochs (started again when a pass ends), which
    is how an endless stream is cut into epochs."""

    def __init__(self, loader: Iterable, steps_per_epoch: int | None) -> None:
        self.loader, self.steps_per_epoch = loader, steps_per_epoch
        self.iterator: Iterator | None = None

    def epoch(self) -> Iterator:
        if self.steps_per_epoch is None:
            yield from self.loader
            return
        for _ in range(self.steps_per_epoch):
            batch = next(self.iterator, None) if self.iterator is not None else None
            if batch is None:
                self.iterator = iter(self.loader)
                batch = next(self.iterator, None)
                if batch is None:
                    return
            yield batch


@dataclass
class _Setup:
    """fit's arguments that stay fixed while it runs."""

    loss_fn: Callable
    metrics: Sequence[str]
    batches: _Batches
    val_loader: Iterable | None
    callbacks: list[Callback]
    on_nonfinite: str
    clip_grad_norm: float | None

    def per_batch_schedule(self, state: FitState) -> bool:
        # A scheduler says by its `per_batch` attribute whether it steps after every batch.
        return state.scheduler is not None and getattr(state.scheduler, "per_batch", False)


def _train_step(state: FitState, setup: _Setup, batch, index: int):
    """One forward pass, backward pass and update; returns (loss, outputs, targets) arrays, or
    None when a non-finite loss is skipped."""
    inputs, targets = _split_batch(batch)
    outputs = state.model(inputs)
    loss = setup.loss_fn(outputs, targets)
    value = float(loss.array)
    nonfinite = not math.isfinite(value)
    if setup.on_nonfinite != "continue":
        # Data-parallel ranks stop or skip a step together, or their all-reduces would part.
        nonfinite = distributed.any_rank(nonfinite)
    if nonfinite:
        if setup.on_nonfinite == "raise":
            raise NonFiniteLossError(value, state.epoch, index)
        if setup.on_nonfinite == "skip":
            state.skipped_steps += 1
            return None
        warnings.warn(
            f"fit: loss is {value} at epoch {state.epoch}, step {index}",
            RuntimeWarning,
            stacklevel=4,
        )
    state.optimizer.zero_grad()
    loss.backward()
    if setup.clip_grad_norm is not None:
        clip_grad_norm_(state.model.parameters(), setup.clip_grad_norm)
    state.optimizer.step()
    state.step += 1
    if setup.per_batch_schedule(state):
        state.scheduler.step()
    return value, outputs.array, targets.array


def _clock(state: FitState, started: float, seconds_before: float) -> None:
    """Bring the training time up to now. Under a time limit, data-parallel ranks take the slowest
    rank's time, so they agree on when it is up."""
    state.seconds = seconds_before + time.perf_counter() - started
    if state.time_limit is not None:
        state.seconds = distributed.max_over_ranks(state.seconds)


def _run_epoch(state: FitState, setup: _Setup) -> dict[str, float]:
    """Train for one epoch (or until the budget ends), validate, and tell the callbacks."""
    state.epoch += 1
    state.model.train()
    # A DistributedSampler draws each epoch's common order from its seed and the epoch.
    sampler = getattr(setup.batches.loader, "sampler", None)
    if hasattr(sampler, "set_epoch"):
        sampler.set_epoch(state.epoch - 1)
    for callback in setup.callbacks:
        callback.on_epoch_begin(state.epoch)
    running = _Running(metric_table.resolve(setup.metrics))
    started, seconds_before = time.perf_counter(), state.seconds
    seen = 0
    for seen, batch in enumerate(setup.batches.epoch(), start=1):
        result = _train_step(state, setup, batch, seen)
        _clock(state, started, seconds_before)
        if result is not None:
            running.add(*result)
            logs = running.means()
            logs["samples_per_s"] = running.samples / max(state.seconds - seconds_before, 1e-9)
            for callback in setup.callbacks:
                callback.on_batch_end(seen, logs)
        if state.out_of_budget():
            break
    if seen == 0:
        raise ValueError(f"fit: the training data gave no batches in epoch {state.epoch}")
    elapsed = time.perf_counter() - started
    # Data-parallel: the epoch's numbers are those of every rank's data together.
    running = running.over_ranks()
    logs = running.means()
    if setup.val_loader is not None:
        logs.update(
            evaluate(
                state.model,
                setup.loss_fn,
                setup.val_loader,
                setup.metrics,
                "val_",
                across_ranks=True,
            )
        )
    logs["lr"] = state.optimizer.param_groups[0]["lr"]
    logs["time"] = elapsed
    logs["samples_per_s"] = running.samples / max(elapsed, 1e-9)
    if state.scheduler is not None and not setup.per_batch_schedule(state):
        _step_epoch_scheduler(state.scheduler, logs)
    _clock(state, started, seconds_before)
    state.history.append({k: v for k, v in logs.items() if k != "samples_per_s"})
    for callback in setup.callbacks:
        callback.on_epoch_end(state.epoch, logs)
    return logs


def _step_epoch_scheduler(scheduler, logs: dict) -> None:
    """Step an epoch scheduler; one that watches a metric (ReduceLROnPlateau) is given the
    validation loss, or the training loss when there is no validation data."""
    if isinstance(scheduler, ReduceLROnPlateau):
        scheduler.step(logs.get("val_loss", logs["loss"]))
    else:
        scheduler.step()


def fit(
    model: Module,
    loss_fn: Callable,
    optimizer: Optimizer,
    train_loader: Iterable,
    epochs: int | None = 1,
    val_loader: Iterable | None = None,
    metrics: Sequence[str] = ("accuracy",),
    callbacks: Sequence[Callback] = (),
    scheduler=None,
    verbose: int = 1,
    on_nonfinite: str = "raise",
    *,
    steps: int | None = None,
    time_limit: float | None = None,
    steps_per_epoch: int | None = None,
    clip_grad_norm: float | None = None,
    generators: dict[str, np.random.Generator] | None = None,
    resume: dict | None = None,
) -> History:
    """Train `model` on the batches of `train_loader` and return its History.

    Each step: outputs = model(inputs); loss = loss_fn(outputs, targets); optimizer.zero_grad();
    loss.backward(); (clip the gradients); optimizer.step(). After each epoch the model is measured
    on `val_loader` (if given), the scheduler steps and the callbacks run. A scheduler with a true
    `per_batch` attribute (OneCycleLR, ...) steps after every batch instead; ReduceLROnPlateau is
    given the epoch's validation loss (its training loss without `val_loader`).

    Training ends after `epochs` epochs, `steps` optimizer steps or `time_limit` seconds, whichever
    comes first; a budget running out mid-epoch ends that epoch early (it is still validated and
    recorded).

    Args:
        epochs: the total number of epochs (counting those before a resume); None to train until
            `steps` or `time_limit` runs out.
        verbose: 0 silent, 1 a progress bar (a line per epoch when not on a terminal), 2 a line per
            epoch.
        on_nonfinite: what a NaN/inf loss does: "raise" stops with NonFiniteLossError naming the
            epoch and step, before the update, so weights and checkpoints keep their last good
            values; "skip" drops that batch's update; "continue" warns and goes on.
        steps: the total number of optimizer steps.
        time_limit: the total training time in seconds.
        steps_per_epoch: batches per epoch, drawn from one iterator over `train_loader` that goes
            on across epochs; needed for endless batch streams (e.g. truncated backpropagation
            through time), where an "epoch" is the stretch between two validations.
        clip_grad_norm: scale the gradients down to this total norm before each update.
        generators: NumPy generators that training draws from besides wright's default one (a
            loader's shuffling generator), by name, so that checkpoints keep their state too.
        resume: a checkpoint written by ModelCheckpoint (`wright.load(path)`): model, optimizer
            and scheduler state, epoch/step/time counters, history and the random generators are
            restored, and training goes on from the next epoch as if it had never stopped.

    Example:
        >>> from wright.data import DataLoader, TensorDataset
        >>> _ = wright.manual_seed(0)
        >>> x = wright.randn(200, 2)
        >>> y = (x[:, 0] > 0).long()  # the class is the sign of the first input
        >>> train_loader = DataLoader(TensorDataset(x[:160], y[:160]), batch_size=16, shuffle=True)
        >>> val_loader = DataLoader(TensorDataset(x[160:], y[160:]), batch_size=40)
        >>> model = nn.Linear(2, 2)
        >>> optimizer = optim.Adam(model.parameters(), lr=0.1)
        >>> history = wright.train.fit(model, nn.CrossEntropyLoss(), optimizer, train_loader,
        ...                            epochs=5, val_loader=val_loader, verbose=0)
        >>> history["val_accuracy"][-1] > 0.9
        True
    """
    if on_nonfinite not in NONFINITE_POLICIES:
        raise ValueError(
            f"fit: on_nonfinite must be one of {NONFINITE_POLICIES}, got {on_nonfinite!r}"
        )
    if epochs is None and steps is None and time_limit is None:
        raise ValueError("fit: give epochs, steps or time_limit (all are None)")
    for name, value in (("epochs", epochs), ("steps", steps), ("steps_per_epoch", steps_per_epoch)):
        if value is not None and value < 1:
            raise ValueError(f"fit: {name} must be >= 1, got {value}")
    if time_limit is not None and not time_limit >= 0:
        raise ValueError(f"fit: time_limit must be >= 0 seconds, got {time_limit}")
    known = steps_per_epoch or (len(train_loader) if hasattr(train_loader, "__len__") else None)
    state = FitState(
        model, optimizer, epochs, known, scheduler, steps, time_limit, dict(generators or {})
    )
    if resume is not None:
        state.restore(resume)
    setup = _Setup(
        loss_fn,
        metrics,
        _Batches(train_loader, steps_per_epoch),
        val_loader,
        # In a data-parallel run only rank 0 shows progress.
        ([ProgressBar(verbose)] if verbose and distributed.is_main_process() else [])
        + list(callbacks),
        on_nonfinite,
        clip_grad_norm,
    )
    metric_table.resolve(metrics)  # an unknown metric name fails before any training
    for callback in setup.callbacks:
        callback.on_train_begin(state)
    logs: dict[str, float] = {}
    try:
        while not state.finished():
            logs = _run_epoch(state, setup)
    finally:
        for callback in setup.callbacks:
            callback.on_train_end(logs)
    return state.history
