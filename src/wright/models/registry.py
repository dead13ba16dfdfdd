"""The table of named models: what to build and how to train it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from wright.nn.module import Module


@dataclass(frozen=True)
class ModelSpec:
    """A named architecture and the recipe that trains it well.

    Attributes:
        name: the name used by `wright train --model`.
        summary: one line for listings.
        builder: makes a fresh model; takes keyword options such as `num_classes`.
        loss: "quadratic" (sigmoid outputs vs one-hot labels) or "cross-entropy" (logits).
        optimizer, lr, batch_size, epochs: the default recipe.
        schedule: None for a constant learning rate, or "cosine" to anneal it to zero over the
            epochs.
        tasks: the kinds of data it fits ("image", "text").
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
