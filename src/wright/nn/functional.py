"""Stateless forms of the layers, activations and losses (`wright.nn.functional`, imported as F)."""

from __future__ import annotations

import math

import numpy as np

from wright import backend, dtypes
from wright.creation import as_tensor
from wright.ops import conv as C
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
    labels = np.asarray(labels.array if isinstance(labels, Tensor) else labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"one_hot: labels must be integers, got dtype {labels.dtype}")
    if num_classes < 0:
        num_classes = int(labels.max()) + 1
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        bad = labels[(labels < 0) | (labels >= num_classes)].flat[0]
        raise ValueError(f"one_hot: label {bad} is outside [0, {num_classes})")
    return as_tensor(np.eye(num_classes, dtype=dtypes.default_float_numpy())[labels])


def _check_reduction(name: str, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _as_target(target, like: Tensor) -> Tensor:
    if isinstance(target, Tensor):
        return target
    return as_tensor(np.asarray(target, dtype=like.dtype))


def _check_same_shape(name: str, pred: Tensor, target: Tensor) -> None:
    if pred.shape != target.shape:
        raise ValueError(
            f"{name}: input has shape {tuple(pred.shape)} "
            f"but target has shape {tuple(target.shape)}"
        )


def mse_loss(pred: Tensor, target, reduction: str = "mean") -> Tensor:
    """Quadratic cost: the mean of (pred - target)^2 over all elements (sum with
    reduction='sum')."""
    target = _as_target(target, pred)
    _check_same_shape("mse_loss", pred, target)
    _check_reduction("mse_loss", reduction)
    return losses.MSE.apply(pred, target, reduction=reduction)


def _check_labels(name: str, logits: Tensor, target: Tensor, ignore_index: int) -> np.ndarray:
    labels = target.array
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{name}: target must hold integer class labels, got dtype {labels.dtype}")
    if logits.ndim < 2:
        raise ValueError(
            f"{name}: input must be (N, C) or (N, C, *), got shape {tuple(logits.shape)}"
        )
    expected = (logits.shape[0],) + logits.shape[2:]
    if labels.shape != expected:
        raise ValueError(
            f"{name}: input of shape {tuple(logits.shape)} needs target of shape {expected}, "
            f"got {tuple(labels.shape)}"
        )
    classes = logits.shape[1]
    bad = labels[((labels < 0) | (labels >= classes)) & (labels != ignore_index)]
    if bad.size:
        raise ValueError(
            f"{name}: target label {bad.flat[0]} is outside [0, {classes}) for {classes} classes"
        )
    return labels


def cross_entropy(
    logits: Tensor,
    target,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
    ignore_index: int = -100,
) -> Tensor:
    """Softmax over classes (axis 1) then the negative log-probability of each true label.

    Args:
        logits: (N, C) or (N, C, d1, ...) unnormalised scores.
        target: (N,) or (N, d1, ...) integer labels in [0, C).
        label_smoothing: mix the one-hot target with a uniform one, this much of it uniform.
    """
    target = target if isinstance(target, Tensor) else as_tensor(np.asarray(target))
    _check_reduction("cross_entropy", reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    _check_labels("cross_entropy", logits, target, ignore_index)
    return losses.CrossEntropy.apply(
        logits,
        target,
        reduction=reduction,
        label_smoothing=label_smoothing,
        ignore_index=ignore_index,
    )


def nll_loss(
    log_probs: Tensor, target, reduction: str = "mean", ignore_index: int = -100
) -> Tensor:
    """Negative log-likelihood of integer labels given log-probabilities (N, C).

    Labels equal to `ignore_index` add nothing and are left out of the mean, as in cross_entropy.
    """
    target = target if isinstance(target, Tensor) else as_tensor(np.asarray(target))
    _check_reduction("nll_loss", reduction)
    labels = _check_labels("nll_loss", log_probs, target, ignore_index)
    if log_probs.ndim != 2:
        raise ValueError(f"nll_loss: input must be (N, C), got shape {tuple(log_probs.shape)}")
    keep = labels != ignore_index
    picked = -log_probs[np.arange(len(labels)), np.where(keep, labels, 0)]
    picked = picked * keep.astype(log_probs.dtype)
    if reduction == "mean":
        return picked.sum() / max(int(keep.sum()), 1)
    return picked if reduction == "none" else picked.sum()


def binary_cross_entropy(prob: Tensor, target, reduction: str = "mean") -> Tensor:
    """-[t log p + (1 - t) log(1 - p)] for probabilities p in [0, 1]."""
    target = _as_target(target, prob)
    _check_same_shape("binary_cross_entropy", prob, target)
    _check_reduction("binary_cross_entropy", reduction)
    if prob.array.size and (prob.array.min() < 0 or prob.array.max() > 1):
        raise ValueError(
            "binary_cross_entropy: input must hold probabilities in [0, 1]; "
            "use binary_cross_entropy_with_logits for raw scores"
        )
    return losses.BinaryCrossEntropy.apply(prob, target, reduction=reduction)


def binary_cross_entropy_with_logits(logits: Tensor, target, reduction: str = "mean") -> Tensor:
    """Sigmoid then binary cross-entropy, fused so that large scores stay finite."""
    target = _as_target(target, logits)
    _check_same_shape("binary_cross_entropy_with_logits", logits, target)
    _check_reduction("binary_cross_entropy_with_logits", reduction)
    return losses.BinaryCrossEntropyWithLogits.apply(logits, target, reduction=reduction)


def _checked_indices(owner: str, input, rows: int) -> np.ndarray:
    """The indices as an integer array, or an error naming `owner` when one is outside [0, rows)."""
    indices = np.asarray(input.array if isinstance(input, Tensor) else input)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"{owner} needs integer indices, got dtype {indices.dtype}")
    if indices.size and (indices.min() < 0 or indices.max() >= rows):
        bad = indices[(indices < 0) | (indices >= rows)].flat[0]
        raise IndexError(f"{owner} got index {bad}, outside [0, {rows})")
    return indices


def _lookup(indices: np.ndarray, weight: Tensor, padding_idx: int | None) -> Tensor:
    vectors = weight[indices]
    if padding_idx is None:
        return vectors
    # Same values; the gradient is cut where the index is the padding row.
    keep = (indices != padding_idx)[..., None]
    return where(keep, vectors, vectors.detach())


def embedding(input, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Look up rows of `weight` (V, E) for integer indices of any shape: (*) -> (*, E).

    The same as multiplying one-hot vectors by `weight`, without building them. The row at
    `padding_idx` receives no gradient.
    """
    return _lookup(_checked_indices("embedding", input, weight.shape[0]), weight, padding_idx)


# ----- convolution, pooling, normalization, dropout, resizing -----


def _check_image(
    owner: str, x: Tensor, layouts: tuple[str, ...], channels: int | None = None
) -> None:
    """Raise a ValueError naming `owner` unless x has a layout's rank and `channels` at dim 1."""
    ranks = [layout.count(",") + 1 for layout in layouts]
    if x.ndim not in ranks or (channels is not None and x.shape[1] != channels):
        wanted = " or ".join(layouts) + (f" with C = {channels}" if channels is not None else "")
        raise ValueError(f"{owner} got input of shape {tuple(x.shape)}; expected {wanted}")


def _convolve(
    owner: str,
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride,
    padding,
    dilation,
    groups: int,
) -> Tensor:
    spatial = weight.ndim - 2
    if spatial not in (1, 2) or weight.shape[0] % groups:
        raise ValueError(
            f"{owner}: weight must be (out_channels, in_channels / groups, *kernel) "
            f"with 1 or 2 kernel dimensions and out_channels divisible by "
            f"groups={groups}, got {weight.shape}"
        )
    layout = "(N, C, L)" if spatial == 1 else "(N, C, H, W)"
    _check_image(owner, x, (layout,), weight.shape[1] * groups)
    window = C.sliding_window(owner, x.shape[2:], weight.shape[2:], stride, padding, dilation)
    if spatial == 2:
        return C.conv2d(x, weight, bias, window, groups)
    # A signal is an image one row high.
    out = C.conv2d(x.unsqueeze(2), weight.unsqueeze(2), bias, window.unsqueezed(), groups)
    return out.squeeze(2)


def conv1d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride=1,
    padding=0,
    dilation=1,
    groups: int = 1,
) -> Tensor:
    """Slide (out, C/groups, K) kernels along (N, C, L) signals: (N, out, L_out). See Conv1d."""
    return _convolve("conv1d", x, weight, bias, stride, padding, dilation, groups)


def conv2d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride=1,
    padding=0,
    dilation=1,
    groups: int = 1,
) -> Tensor:
    """Filter (N, C, H, W) images with (out, C/groups, KH, KW) kernels: (N, out, H_out, W_out).

    See Conv2d for the arguments and the output size.
    """
    return _convolve("conv2d", x, weight, bias, stride, padding, dilation, groups)


def _pool(
    owner: str, x: Tensor, op, kernel_size, stride, padding, dilation, ceil_mode, **attrs
) -> Tensor:
    _check_image(owner, x, ("(N, C, H, W)",))
    window = C.sliding_window(
        owner, x.shape[2:], kernel_size, stride, padding, dilation, ceil_mode, pooling=True
    )
    return op.apply(x, window=window, **attrs)


def max_pool2d(
    x: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False
) -> Tensor:
    """The largest value in each window (stride defaults to the kernel size). See MaxPool2d."""
    return _pool("max_pool2d", x, C.MaxPool2d, kernel_size, stride, padding, dilation, ceil_mode)


def avg_pool2d(
    x: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """The mean of each window (stride defaults to the kernel size). See AvgPool2d."""
    return _pool(
        "avg_pool2d",
        x,
        C.AvgPool2d,
        kernel_size,
        stride,
        padding,
        1,
        ceil_mode,
        count_include_pad=count_include_pad,
    )


def _averaging_matrix(size: int, out: int, dtype) -> np.ndarray:
    """(size, out): column i averages PyTorch's adaptive bin i, from floor(i size / out) up to
    ceil((i + 1) size / out)."""
    bins = np.arange(out)
    start, end = bins * size // out, -(-(bins + 1) * size // out)
    inside = (np.arange(size)[:, None] >= start) & (np.arange(size)[:, None] < end)
    return (inside / (end - start)).astype(dtype)


def _adaptive_avg_pool2d(owner: str, x: Tensor, output_size) -> Tensor:
    _check_image(owner, x, ("(N, C, H, W)",))
    n, c, h, w = x.shape
    sizes = output_size if isinstance(output_size, tuple | list) else (output_size, output_size)
    oh, ow = (s if o is None else o for s, o in zip((h, w), sizes))
    # Averaging along an axis is a product with a fixed matrix: one matrix product per axis.
    rows = x.reshape(-1, w) @ as_tensor(_averaging_matrix(w, ow, x.dtype))
    out = rows.reshape(n, c, h, ow).transpose(2, 3).reshape(-1, h)
    out = out @ as_tensor(_averaging_matrix(h, oh, x.dtype))
    return out.reshape(n, c, ow, oh).transpose(2, 3)


def adaptive_avg_pool2d(x: Tensor, output_size) -> Tensor:
    """Average over bins chosen so the output is `output_size` (an int or a pair; None keeps that
    side's size)."""
    return _adaptive_avg_pool2d("adaptive_avg_pool2d", x, output_size)


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Inverted dropout: while training, zero each element with probability p and scale survivors
    by 1/(1-p), so nothing needs rescaling at evaluation, when the input passes through as it is."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {p}")
    if not training or p == 0.0:
        return x
    keep = backend.generator().random(x.shape, dtype=np.float32) >= p
    mask = keep * np.asarray(0.0 if p == 1.0 else 1.0 / (1.0 - p), dtype=x.dtype)
    return x * as_tensor(mask)


def _batch_norm(
    owner: str,
    x: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None,
    bias: Tensor | None,
    training: bool,
    momentum: float,
    eps: float,
) -> Tensor:
    channels = x.shape[1] if x.ndim > 1 else None
    shape = (1, channels) + (1,) * (x.ndim - 2)
    if training or running_mean is None:
        axes = (0,) + tuple(range(2, x.ndim))
        count = x.array.size // channels
        if training and count < 2:
            raise ValueError(
                f"{owner} needs more than one value per channel to train, got input "
                f"of shape {tuple(x.shape)}"
            )
        mean = x.mean(axis=axes, keepdims=True)
        centred = x - mean
        var = (centred * centred).mean(axis=axes, keepdims=True)
        if training and running_mean is not None:
            _update_running_stats(
                owner,
                running_mean,
                running_var,
                mean.array.ravel(),
                var.array.ravel(),
                count,
                momentum,
            )
        out = centred / (var + eps).sqrt()
        scale, shift = weight, bias
    else:
        inv_std = as_tensor((running_var.array + eps) ** -0.5)
        scale = inv_std if weight is None else weight * inv_std
        shift = -(as_tensor(running_mean.array) * scale)
        shift = shift if bias is None else shift + bias
        out = x
    if scale is not None:
        out = out * scale.reshape(shape)
    return out if shift is None else out + shift.reshape(shape)


def _update_running_stats(
    owner: str,
    running_mean: Tensor,
    running_var: Tensor,
    mean: np.ndarray,
    var: np.ndarray,
    count: int,
    momentum: float,
) -> None:
    bad = ~(np.isfinite(mean) & np.isfinite(var))
    if bad.any():
        raise FloatingPointError(
            f"{owner}: the batch mean or variance of channel(s) {np.flatnonzero(bad).tolist()} is "
            "not finite (the input holds NaN or inf); the running statistics were left as they were"
        )
    running_mean.array[...] = (1 - momentum) * running_mean.array + momentum * mean
    # The running variance is the unbiased estimate, as in PyTorch.
    unbiased = var * (count / (count - 1))
    running_var.array[...] = (1 - momentum) * running_var.array + momentum * unbiased


def batch_norm(
    x: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (axis 1) to mean 0, variance 1, then scale by weight, shift by bias.

    Training uses the batch's statistics and, when running_mean/running_var are given, moves them
    `momentum` of the way towards the batch's (in place). Evaluation uses the running statistics.

    Raises:
        FloatingPointError: in training, when the batch statistics are NaN or infinite; the running
            statistics are left as they were rather than silently poisoned.
    """
    return _batch_norm(
        "batch_norm", x, running_mean, running_var, weight, bias, training, momentum, eps
    )


def _nearest_indices(size: int, out: int, scale_factor: float | None) -> np.ndarray:
    """PyTorch's 'nearest' source index for each output position: floor(i * scale), clipped."""
    scale = size / out if scale_factor is None else 1.0 / scale_factor
    return np.minimum(np.floor(np.arange(out) * scale).astype(np.int64), size - 1)


def _interpolate(owner: str, x: Tensor, size, scale_factor, mode: str) -> Tensor:
    if mode != "nearest":
        raise ValueError(f"{owner}: only mode='nearest' is supported, got {mode!r}")
    _check_image(owner, x, ("(N, C, L)", "(N, C, H, W)"))
    spatial = x.shape[2:]
    if (size is None) == (scale_factor is None):
        raise ValueError(
            f"{owner}: give exactly one of size and scale_factor, got {size!r} and {scale_factor!r}"
        )
    if size is not None:
        sizes, factors = C.as_tuple(size, len(spatial), "size", owner), (None,) * len(spatial)
    else:
        factors = (
            tuple(scale_factor)
            if isinstance(scale_factor, tuple | list)
            else (scale_factor,) * len(spatial)
        )
        sizes = tuple(math.floor(s * f) for s, f in zip(spatial, factors))
    if min(sizes) < 1:
        raise ValueError(f"{owner}: the output size {sizes} must be positive (input {spatial})")
    for axis, (before, after, factor) in enumerate(zip(spatial, sizes, factors), start=2):
        if after % before == 0 and (factor is None or factor == after // before):
            # Whole-number scaling repeats each row (column): broadcast along a new axis, merge.
            shape = x.shape
            x = x.unsqueeze(axis + 1)
            x = x.expand(shape[: axis + 1] + (after // before,) + shape[axis + 1 :])
            x = x.reshape(shape[:axis] + (after,) + shape[axis + 1 :])
        else:
            x = x[(slice(None),) * axis + (_nearest_indices(before, after, factor),)]
    return x


def interpolate(x: Tensor, size=None, scale_factor=None, mode: str = "nearest") -> Tensor:
    """Resize (N, C, L) or (N, C, H, W) to `size`, or by `scale_factor`, copying the nearest input
    value."""
    return _interpolate("interpolate", x, size, scale_factor, mode)
