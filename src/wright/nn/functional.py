"""Stateless forms of the layers, activations and losses (`wright.nn.functional`, imported as F)."""

from __future__ import annotations

import numpy as np

from wright import backend
from wright.ops import elementwise as E
from wright.ops import linalg as L
from wright.ops import loss as losses
from wright.tensor import Tensor, where

_REDUCTIONS = ("mean", "sum", "none")


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x W^T + b: every output is a weighted sum of the inputs plus a bias."""
    if bias is None:
        return L.Linear.apply(x, weight)
    return L.Linear.apply(x, weight, bias)


def sigmoid(x: Tensor) -> Tensor:
    """Logistic squashing 1 / (1 + e^-x) into (0, 1)."""
    return E.Sigmoid.apply(x)


def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent squashing into (-1, 1)."""
    return E.Tanh.apply(x)


def relu(x: Tensor) -> Tensor:
    """max(x, 0)."""
    return E.ReLU.apply(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x where positive, negative_slope * x elsewhere."""
    return E.LeakyReLU.apply(x, slope=negative_slope)


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """Exponentiate and normalise along dim: positive values that sum to 1."""
    return x.softmax(dim)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """log(softmax(x)) along dim, computed stably."""
    return x.log_softmax(dim)


def one_hot(labels, num_classes: int = -1) -> Tensor:
    """Integer labels (N,) to rows of zeros with a single one: (N, num_classes), float."""
    labels = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"one_hot: labels must be integers, got dtype {labels.dtype}")
    if num_classes < 0:
        num_classes = int(labels.max()) + 1
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        bad = labels[(labels < 0) | (labels >= num_classes)].flat[0]
        raise ValueError(f"one_hot: label {bad} is outside [0, {num_classes})")
    return Tensor(np.eye(num_classes, dtype=backend.get_default_dtype())[labels])


def _check_reduction(name: str, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _as_target(target, like: Tensor) -> Tensor:
    if isinstance(target, Tensor):
        return target
    return Tensor(np.asarray(target, dtype=like.dtype))


def _check_same_shape(name: str, pred: Tensor, target: Tensor) -> None:
    if pred.shape != target.shape:
        raise ValueError(f"{name}: input has shape {tuple(pred.shape)} but target has shape {tuple(target.shape)}")


def mse_loss(pred: Tensor, target, reduction: str = "mean") -> Tensor:
    """Quadratic cost: the mean of (pred - target)^2 over all elements (sum with reduction='sum')."""
    target = _as_target(target, pred)
    _check_same_shape("mse_loss", pred, target)
    _check_reduction("mse_loss", reduction)
    return losses.MSE.apply(pred, target, reduction=reduction)


def _check_labels(name: str, logits: Tensor, target: Tensor, ignore_index: int) -> np.ndarray:
    labels = target.data
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{name}: target must hold integer class labels, got dtype {labels.dtype}")
    if logits.ndim < 2:
        raise ValueError(f"{name}: input must be (N, C) or (N, C, *), got shape {tuple(logits.shape)}")
    expected = (logits.shape[0],) + logits.shape[2:]
    if labels.shape != expected:
        raise ValueError(f"{name}: input of shape {tuple(logits.shape)} needs target of shape {expected}, "
                         f"got {tuple(labels.shape)}")
    classes = logits.shape[1]
    bad = labels[((labels < 0) | (labels >= classes)) & (labels != ignore_index)]
    if bad.size:
        raise ValueError(f"{name}: target label {bad.flat[0]} is outside [0, {classes}) for {classes} classes")
    return labels


def cross_entropy(logits: Tensor, target, reduction: str = "mean", label_smoothing: float = 0.0,
                  ignore_index: int = -100) -> Tensor:
    """Softmax over classes (axis 1) then the negative log-probability of each true label.

    Args:
        logits: (N, C) or (N, C, d1, ...) unnormalised scores.
        target: (N,) or (N, d1, ...) integer labels in [0, C).
        label_smoothing: mix the one-hot target with a uniform one, this much of it uniform.
    """
    target = target if isinstance(target, Tensor) else Tensor(np.asarray(target))
    _check_reduction("cross_entropy", reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    _check_labels("cross_entropy", logits, target, ignore_index)
    return losses.CrossEntropy.apply(logits, target, reduction=reduction, label_smoothing=label_smoothing,
                                     ignore_index=ignore_index)


def nll_loss(log_probs: Tensor, target, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of integer labels given log-probabilities (N, C)."""
    target = target if isinstance(target, Tensor) else Tensor(np.asarray(target))
    _check_reduction("nll_loss", reduction)
    labels = _check_labels("nll_loss", log_probs, target, -100)
    if log_probs.ndim != 2:
        raise ValueError(f"nll_loss: input must be (N, C), got shape {tuple(log_probs.shape)}")
    picked = -log_probs[np.arange(len(labels)), labels]
    return picked if reduction == "none" else getattr(picked, reduction)()


def binary_cross_entropy(prob: Tensor, target, reduction: str = "mean") -> Tensor:
    """-[t log p + (1 - t) log(1 - p)] for probabilities p in [0, 1]."""
    target = _as_target(target, prob)
    _check_same_shape("binary_cross_entropy", prob, target)
    _check_reduction("binary_cross_entropy", reduction)
    if prob.data.size and (prob.data.min() < 0 or prob.data.max() > 1):
        raise ValueError("binary_cross_entropy: input must hold probabilities in [0, 1]; "
                         "use binary_cross_entropy_with_logits for raw scores")
    return losses.BinaryCrossEntropy.apply(prob, target, reduction=reduction)


def binary_cross_entropy_with_logits(logits: Tensor, target, reduction: str = "mean") -> Tensor:
    """Sigmoid then binary cross-entropy, fused so that large scores stay finite."""
    target = _as_target(target, logits)
    _check_same_shape("binary_cross_entropy_with_logits", logits, target)
    _check_reduction("binary_cross_entropy_with_logits", reduction)
    return losses.BinaryCrossEntropyWithLogits.apply(logits, target, reduction=reduction)


def embedding(input, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Look up rows of `weight` (V, E) for integer indices of any shape: (*) -> (*, E).

    The same as multiplying one-hot vectors by `weight`, without building them. The row at `padding_idx`
    receives no gradient.
    """
    indices = np.asarray(input.data if isinstance(input, Tensor) else input)
    rows = weight.shape[0]
    if indices.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {indices.dtype}")
    if indices.size and (indices.min() < 0 or indices.max() >= rows):
        bad = indices[(indices < 0) | (indices >= rows)].flat[0]
        raise IndexError(f"embedding: index {bad} is outside [0, {rows}) for a table of {rows} rows")
    vectors = weight[indices]
    if padding_idx is None:
        return vectors
    keep = (indices != padding_idx)[..., None]
    return where(keep, vectors, vectors.detach())
