"""Gradients with respect to a network's input (not its weights): the engine of saliency and
attacks."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import numpy as np

from wright import dtypes
from wright.creation import as_tensor
from wright.nn.module import Module
from wright.tensor import Tensor


def as_batch(x, caller: str) -> np.ndarray:
    """The input as a floating array with a leading batch axis, checked to hold at least one
    sample."""
    array = x.array if isinstance(x, Tensor) else np.asarray(x)
    if array.dtype.kind != "f":
        array = array.astype(dtypes.default_float_numpy())
    if array.ndim == 0 or len(array) == 0:
        raise ValueError(
            f"{caller}: expected a batch of inputs (N, ...) with N >= 1, got shape {array.shape}"
        )
    return array


@contextlib.contextmanager
def frozen(model: Module) -> Iterator[Module]:
    """Evaluation mode with every parameter frozen, so backward fills only the input's gradient.

    Both the mode and each parameter's `requires_grad` are restored on exit.
    """
    was_training = model.training
    params = list(model.parameters())
    flags = [p.requires_grad for p in params]
    model.eval()
    for p in params:
        p.requires_grad = False
    try:
        yield model
    finally:
        for p, flag in zip(params, flags):
            p.requires_grad = flag
        model.train(was_training)


def input_gradient(
    model: Module, x: np.ndarray, objective: Callable[[Tensor, Tensor], Tensor]
) -> tuple[np.ndarray, np.ndarray]:
    """d objective / d x for a batch, and the model's outputs on it.

    Args:
        model: the network; its weights are left untouched and collect no gradient.
        x: (N, ...) inputs.
        objective: maps (inputs, outputs) to a scalar Tensor; use a sum over the batch (not a mean)
            so that each sample's gradient is its own, whatever the batch size.

    Returns:
        (gradient shaped like x, outputs as an array).
    """
    inputs = as_tensor(x).detach().requires_grad_()
    with frozen(model):
        outputs = model(inputs)
        score = objective(inputs, outputs)
        if score.ndim != 0:
            raise ValueError(
                f"input_gradient: the objective must be a scalar, got shape {tuple(score.shape)}"
            )
        score.backward()
    grad = np.zeros_like(x) if inputs.grad is None else inputs.grad.array
    return grad, outputs.array


def per_sample(value, x: np.ndarray, name: str, caller: str) -> np.ndarray:
    """A scalar or one value per sample, shaped (N, 1, 1, ...) to broadcast against the batch x."""
    array = np.asarray(value, dtype=x.dtype)
    if array.ndim == 0:
        return array.reshape((1,) * x.ndim)
    if array.shape != (len(x),):
        raise ValueError(
            f"{caller}: {name} must be a number or one per sample ({len(x)},), "
            f"got shape {array.shape}"
        )
    return array.reshape((len(x),) + (1,) * (x.ndim - 1))


def as_labels(y, count: int, caller: str) -> np.ndarray:
    """Integer labels: one per sample, or one shared by the whole batch."""
    labels = np.asarray(y.array if isinstance(y, Tensor) else y)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{caller}: labels must be integers, got dtype {labels.dtype}")
    if labels.ndim == 0:
        labels = np.full(count, labels, dtype=np.int64)
    if labels.shape != (count,):
        raise ValueError(
            f"{caller}: expected {count} labels (one per input), got shape {labels.shape}"
        )
    return labels.astype(np.int64)
