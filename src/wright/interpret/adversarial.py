"""Adversarial examples: tiny, deliberate input changes that flip a network's answer (FGSM and
PGD)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from wright.creation import as_tensor
from wright.interpret.gradients import as_batch, as_labels, input_gradient, per_sample
from wright.nn import functional as F
from wright.nn.module import Module
from wright.tensor import Tensor

LossFn = Callable[[Tensor, Tensor], Tensor]


def _summed_cross_entropy(outputs: Tensor, labels: Tensor) -> Tensor:
    # A sum, not a mean, so each image's gradient does not shrink with the batch size.
    return F.cross_entropy(outputs, labels, reduction="sum")


def _loss_gradient(
    model: Module, x: np.ndarray, labels: np.ndarray, loss: LossFn | None
) -> np.ndarray:
    loss = loss or _summed_cross_entropy
    target = as_tensor(labels)
    grad, _ = input_gradient(model, x, lambda inputs, outputs: loss(outputs, target))
    return grad


def _clip(x: np.ndarray, bounds: tuple[float, float] | None) -> np.ndarray:
    return x if bounds is None else np.clip(x, bounds[0], bounds[1])


def fgsm(
    model: Module,
    x,
    y,
    eps,
    loss: LossFn | None = None,
    bounds: tuple[float, float] | None = (0.0, 1.0),
) -> Tensor:
    """Fast gradient sign method: move every input value by eps in the direction that raises the
    loss.

    x_adv = clip(x + eps * sign(d loss / d x)), one gradient for the whole batch.

    Args:
        model: a classifier with outputs (N, classes).
        x: (N, ...) inputs.
        y: their true labels, (N,) ints (or one int for all).
        eps: the largest change per input value: a number, or (N,) numbers, one per sample.
        loss: loss(outputs, labels) -> scalar to increase; default cross-entropy summed over the
            batch (a sum keeps each sample's gradient its own).
        bounds: the valid input range to clip to ((0, 1) for MNIST pixels); None for no clipping.

    Returns:
        The adversarial inputs, a Tensor shaped like x (no graph).

    Example:
        >>> _ = wright.manual_seed(0)
        >>> net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
        >>> x, y = wright.rand(5, 4), wright.tensor([0, 1, 0, 1, 0])
        >>> x_adv = fgsm(net, x, y, eps=0.1)
        >>> loss = nn.functional.cross_entropy
        >>> bool(loss(net(x_adv), y) > loss(net(x), y))
        True
    """
    x = as_batch(x, "fgsm")
    labels = as_labels(y, len(x), "fgsm")
    eps = per_sample(eps, x, "eps", "fgsm")
    grad = _loss_gradient(model, x, labels, loss)
    return as_tensor(_clip(x + eps * np.sign(grad), bounds).astype(x.dtype))


def pgd(
    model: Module,
    x,
    y,
    eps,
    step,
    steps: int = 10,
    loss: LossFn | None = None,
    bounds: tuple[float, float] | None = (0.0, 1.0),
) -> Tensor:
    """Projected gradient descent (iterated FGSM): many small sign steps, kept within eps of the
    original.

    Each step: x_adv = clip(project(x_adv + step * sign(d loss / d x_adv))), where project clips
    every value back into [x - eps, x + eps]. Stronger than one FGSM step of size eps, at `steps`
    times the cost.

    Args:
        model, x, y, loss, bounds: as in `fgsm`.
        eps: the largest total change per input value (a number or (N,) numbers).
        step: the change per iteration (a number or (N,) numbers); eps / 4 is a common choice.
        steps: number of iterations.

    Returns:
        The adversarial inputs, a Tensor shaped like x (no graph).
    """
    x = as_batch(x, "pgd")
    labels = as_labels(y, len(x), "pgd")
    if steps < 1:
        raise ValueError(f"pgd: steps must be >= 1, got {steps}")
    eps = per_sample(eps, x, "eps", "pgd")
    step = per_sample(step, x, "step", "pgd")
    low, high = x - eps, x + eps
    adversarial = x
    for _ in range(steps):
        grad = _loss_gradient(model, adversarial, labels, loss)
        adversarial = _clip(np.clip(adversarial + step * np.sign(grad), low, high), bounds).astype(
            x.dtype
        )
    return as_tensor(adversarial)
