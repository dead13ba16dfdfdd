"""The table of named models: what to build, how to train it (loss, optimizer, schedule resolved
by name here and nowhere else), and the checkpoints that bring a trained one back."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from wright import nn, optim
from wright.nn.module import Module
from wright.serialization import load, save

LOSSES = ("cross-entropy", "quadratic", "mse", "huber")
OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop")
SCHEDULES = ("cosine",)
# The update rules that take a momentum term.
_WITH_MOMENTUM = ("sgd", "rmsprop")


def _choose(kind: str, name, choices: Iterable) -> None:
    if name not in choices:
        raise ValueError(f"unknown {kind} {name!r}; choose from: {', '.join(map(str, choices))}")


def make_loss(name: str, num_classes: int = 10) -> Module:
    """The loss called `name`: "cross-entropy" (raw scores), "quadratic" (the lectures' cost on
    sigmoid outputs against one-hot labels), "mse" or "huber" (regression: super-resolution,
    Q-learning); any other name raises ValueError."""
    _choose("loss", name, LOSSES)
    if name == "quadratic":
        return nn.QuadraticCost(num_classes)
    return {"mse": nn.MSELoss, "huber": nn.HuberLoss}.get(name, nn.CrossEntropyLoss)()


def check_optimizer(name: str, momentum: float = 0.0) -> None:
    """Raise ValueError for an unknown optimizer name, or a momentum other than 0 for an update
    rule without one (adam, adamw), rather than ignoring it."""
    _choose("optimizer", name, OPTIMIZERS)
    if momentum and name not in _WITH_MOMENTUM:
        raise ValueError(
            f"momentum applies to {' and '.join(_WITH_MOMENTUM)}, not {name} (got {momentum})"
        )


def make_optimizer(
    name: str,
    params,
    lr: float,
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    beta2: float = 0.999,
) -> optim.Optimizer:
    """The optimizer called `name` (sgd, adam, adamw or rmsprop) over `params` (checked by
    `check_optimizer` first); `beta2` is adam's and adamw's decay of the squared gradients."""
    check_optimizer(name, momentum)
    if name == "sgd":
        return optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    rule = optim.Adam if name == "adam" else optim.AdamW
    return rule(params, lr=lr, betas=(0.9, beta2), weight_decay=weight_decay)


@dataclass(frozen=True)
class ModelSpec:
    """A named architecture and the recipe that trains it well.

    Attributes:
        name: the name used by `wright train --model`.
        summary: one line for listings.
        builder: makes a fresh model; takes keyword options such as `num_classes`.
        loss: "quadratic" (sigmoid outputs vs one-hot labels), "cross-entropy" (logits), "mse" or
            "huber".
        optimizer, lr, batch_size, epochs: the default recipe.
        schedule: None for a constant learning rate, or "cosine" to anneal it to zero over the
            epochs.
        tasks: the kinds of data it fits ("image", "text").
        options: keyword options always passed to the builder.
        training: more settings of its task's trainer (for text models, fields of
            `wright.train.language_model.LanguageModelRecipe` such as warmup or windows).

    Unknown loss, optimizer or schedule names are refused when the spec is made.
    """

    name: str
    summary: str
    builder: Callable[..., Module]
    loss: str = "cross-entropy"
    optimizer: str = "adam"
    lr: float = 1e-3
    batch_size: int = 64
    epochs: int = 10
    schedule: str | None = None
    tasks: tuple[str, ...] = ("image",)
    options: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        _choose("loss", self.loss, LOSSES)
        _choose("optimizer", self.optimizer, OPTIMIZERS)
        if self.schedule is not None:
            _choose("schedule", self.schedule, SCHEDULES)

    def make_loss(self, num_classes: int = 10) -> Module:
        """The loss this model trains with."""
        return make_loss(self.loss, num_classes)

    def make_optimizer(
        self, params, name: str | None = None, lr: float | None = None, momentum: float = 0.0
    ) -> optim.Optimizer:
        """The recipe's optimizer over `params`; `name` and `lr` replace the recipe's when given."""
        return make_optimizer(name or self.optimizer, params, lr or self.lr, momentum)

    def make_scheduler(self, optimizer: optim.Optimizer, epochs: int):
        """The recipe's learning-rate schedule over `epochs` epochs, or None for a constant lr."""
        if self.schedule == "cosine":
            return optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
        return None


_REGISTRY: dict[str, ModelSpec] = {}


def register(spec: ModelSpec) -> ModelSpec:
    """Add a model to the table (each architecture module registers its own)."""
    _REGISTRY[spec.name] = spec
    return spec


def available(task: str | None = None) -> list[str]:
    """Names of the registered models, optionally only those for one kind of data."""
    return sorted(n for n, s in _REGISTRY.items() if task is None or task in s.tasks)


def get(name: str) -> ModelSpec:
    """The spec for `name`; unknown names raise KeyError listing the valid ones."""
    if name not in _REGISTRY:
        raise KeyError(f"unknown model {name!r}; choose from: {', '.join(available())}")
    return _REGISTRY[name]


def build(name: str, **options) -> Module:
    """A freshly initialised model called `name`."""
    spec = get(name)
    return spec.builder(**{**spec.options, **options})


# ----- checkpoints -----


class CheckpointError(ValueError):
    """A file that is not a usable checkpoint of a registered model (the message says why)."""


@dataclass
class Checkpoint:
    """A checkpoint read back: the rebuilt model (weights loaded, eval mode), its spec, and
    everything else that was stored (dataset, recipe, optimizer state, history, ...)."""

    path: Path
    model: Module
    spec: ModelSpec
    saved: dict


def checkpoint_info(name: str, **config) -> dict:
    """What a checkpoint stores besides weights so that `load_checkpoint` can rebuild the model:
    its registered name and the builder options (`config`) it was made with."""
    from wright import __version__

    get(name)
    return {"model_name": name, "config": dict(config), "wright_version": __version__}


def save_checkpoint(
    path: str | os.PathLike, model: Module, name: str, config: dict | None = None, **info
) -> None:
    """Save `model` (a registered `name` built with `config`) with `info` (e.g. dataset=...,
    metrics=...) so that `load_checkpoint` rebuilds it; the file is replaced atomically."""
    save({**checkpoint_info(name, **(config or {})), **info, "model": model.state_dict()}, path)


def _check_config(spec: ModelSpec, config) -> None:
    if not isinstance(config, dict):
        raise CheckpointError(f"its config is a {type(config).__name__}, not a dict of options")
    parameters = inspect.signature(spec.builder).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return
    accepted = {p.name for p in parameters}
    unknown = sorted(set(config) - accepted)
    if unknown:
        raise CheckpointError(
            f"its config keys {unknown} do not fit model {spec.name!r} (it takes: "
            f"{', '.join(sorted(accepted)) or 'no options'})"
        )


def _check_finite(weights: dict) -> None:
    for key, value in weights.items():
        array = np.asarray(getattr(value, "array", value))
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise CheckpointError(f"its weights hold NaN or infinite values (in {key!r})")


def load_checkpoint(path: str | os.PathLike, task: str | None = None) -> Checkpoint:
    """Read a checkpoint written by `wright train`, `save_checkpoint` or `ModelCheckpoint` with
    `checkpoint_info`, and rebuild its model.

    Args:
        path: the .npz file.
        task: when given ("image" or "text"), the model must be registered for that kind of data.

    Raises:
        FileNotFoundError: no such file.
        CheckpointError: a wright file that is not a usable checkpoint: no model name, a model this
            wright does not know or one for another task, config keys the builder does not take,
            weights that do not fit the model, or NaN/infinite weights. The message names the file.
    """
    path = Path(path)
    try:
        # On the host, wherever it was trained: a GPU's checkpoint opens on any machine.
        saved = load(path, map_location="cpu")
        if not isinstance(saved, dict) or "model_name" not in saved or "model" not in saved:
            raise CheckpointError(
                "it is a wright file but not a checkpoint written by wright train"
            )
        try:
            spec = get(saved["model_name"])
        except (KeyError, TypeError):
            raise CheckpointError(
                f"it names model {saved['model_name']!r}, which this wright does not know "
                f"(it knows: {', '.join(available())})"
            ) from None
        if task is not None and task not in spec.tasks:
            raise CheckpointError(
                f"it holds a {spec.name} model, not a model for {task} data "
                f"(those are: {', '.join(available(task))})"
            )
        config = saved.get("config", {})
        _check_config(spec, config)
        if not isinstance(saved["model"], dict):
            raise CheckpointError("its weights are not a state dict")
        _check_finite(saved["model"])
        try:
            model = build(spec.name, **config)
            model.load_state_dict(saved["model"])
        except (KeyError, RuntimeError, TypeError, ValueError) as error:
            message = error.args[0] if error.args else error
            raise CheckpointError(
                f"its weights do not fit a {spec.name} built with config {config}: {message}"
            ) from None
    except CheckpointError as error:
        raise CheckpointError(f"{path}: {error}") from None
    return Checkpoint(path, model.eval(), spec, saved)
