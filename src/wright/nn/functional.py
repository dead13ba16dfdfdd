"""Stateless forms of the layers, activations and losses (`wright.nn.functional`, imported as F)."""

from __future__ import annotations

import math
import warnings

import numpy as np

from wright import backend, dtypes
from wright.creation import as_tensor
from wright.ops import attention as A
from wright.ops import conv as C
from wright.ops import elementwise as E
from wright.ops import gelu as G
from wright.ops import layernorm as N
from wright.ops import linalg as L
from wright.ops import loss as losses
from wright.ops import reduce as R
from wright.tensor import Tensor, cat, where

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


# ----- Transformer building blocks: GELU, layer and RMS normalization, attention -----


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF: the Gaussian error linear unit.

    Args:
        approximate: 'none' (exact, through erf) or 'tanh' (PyTorch's tanh approximation).
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _check_floating("gelu", input)
    return G.Gelu.apply(input, approximate=approximate)


def _check_floating(owner: str, *tensors: Tensor | None) -> None:
    present = [t for t in tensors if t is not None]
    for t in present:
        if not t.is_floating_point():
            raise NotImplementedError(f"\"{owner}\" not implemented for '{t.dtype}'")
    if len({t.array.dtype for t in present}) > 1:
        raise RuntimeError(
            f"{owner}: mixed dtype (CPU): all inputs must share same datatype, got "
            + ", ".join(str(t.dtype) for t in present)
        )


def _normalized_axes(
    owner: str, input: Tensor, normalized_shape, params: dict[str, Tensor | None]
) -> tuple[int, ...]:
    """The trailing axes that `normalized_shape` names, after checking input and parameters."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if not shape:
        raise RuntimeError(
            f"{owner}: expected normalized_shape to be at least 1-dimensional, i.e., containing "
            "at least one element, but got normalized_shape = []"
        )
    if tuple(input.shape[-len(shape) :]) != shape or input.ndim < len(shape):
        raise RuntimeError(
            f"{owner}: given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size {list(input.shape)}"
        )
    for name, param in params.items():
        if param is not None and tuple(param.shape) != shape:
            raise RuntimeError(
                f"{owner}: expected {name} to be of same shape as normalized_shape, but got "
                f"{name} of shape {list(param.shape)} and normalized_shape = {list(shape)}"
            )
    _check_floating(owner, input, *params.values())
    return tuple(range(input.ndim - len(shape), input.ndim))


def _normalize(
    input: Tensor, axes: tuple[int, ...], weight, bias, eps: float, centre: bool
) -> Tensor:
    affine = [t for t in (weight, bias) if t is not None]
    return N.Normalize.apply(
        input, *affine, axes=axes, eps=eps, centre=centre, has_weight=weight is not None
    )


def layer_norm(
    input: Tensor,
    normalized_shape,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the trailing `normalized_shape` dimensions to mean 0 and (biased) variance
    1, then scale by weight and shift by bias. See LayerNorm."""
    axes = _normalized_axes("layer_norm", input, normalized_shape, {"weight": weight, "bias": bias})
    return _normalize(input, axes, weight, bias, eps, centre=True)


def rms_norm(
    input: Tensor, normalized_shape, weight: Tensor | None = None, eps: float | None = None
) -> Tensor:
    """Divide by the root mean square over the trailing `normalized_shape` dimensions, then scale
    by weight; eps None means the dtype's machine epsilon. See RMSNorm."""
    axes = _normalized_axes("rms_norm", input, normalized_shape, {"weight": weight})
    eps = float(np.finfo(input.array.dtype).eps) if eps is None else eps
    return _normalize(input, axes, weight, None, eps, centre=False)


def _as_additive_mask(mask: np.ndarray, dtype) -> Tensor:
    """A bool 'may attend' mask as a float one: 0 where allowed, -inf where not."""
    return as_tensor(np.where(mask, 0.0, -np.inf).astype(dtype))


def _attend(query, key, value, bias, dropout_p: float, scale: float, safe: bool):
    """softmax(query key^T * scale + bias) value over the last two dimensions; also returns the
    attention weights. `safe` gives zero weights, not NaN, on rows where every key is masked."""
    scores = (query * scale) @ key.mT
    if bias is not None:
        scores = scores + bias
    # Without `safe`, rows where every key is masked are NaN, as in PyTorch (without a warning).
    with np.errstate(invalid="ignore"):
        weights = (A.SafeSoftmax if safe else R.Softmax).apply(scores, axis=-1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return weights @ value, weights


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(Q K^T / sqrt(E) + mask) V: each query position's weighted mix of the values, the
    weights from how well the query matches each key.

    Leading (batch, head) dimensions broadcast. A bool `attn_mask` says where a query may attend
    (True), a float one is added to the scores; rows where nothing may be attended give zeros.
    Dropout (on the weights) applies whenever `dropout_p` > 0, in training or not.

    Args:
        query: (..., L, E).
        key: (..., S, E).
        value: (..., S, Ev).
        attn_mask: broadcastable to (..., L, S).
        is_causal: let position i attend only to keys 0..i (no attn_mask then).
        scale: multiplies the scores instead of 1 / sqrt(E).
        enable_gqa: grouped-query attention: key and value have fewer heads (dimension -3), each
            shared by a group of query heads.

    Returns:
        (..., L, Ev).
    """
    owner = "scaled_dot_product_attention"
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError(
            f"{owner}: expected query, key, and value to all be at least 2 dimensional, but got "
            f"query.dim: {query.ndim} key.dim: {key.ndim} and value.dim: {value.ndim} instead."
        )
    if not query.dtype == key.dtype == value.dtype or not query.is_floating_point():
        raise RuntimeError(
            f"{owner}: expected query, key, and value to have the same floating dtype, but got "
            f"query.dtype: {query.dtype} key.dtype: {key.dtype} and value.dtype: {value.dtype} "
            "instead."
        )
    if attn_mask is not None and attn_mask.array.dtype not in (np.bool_, query.array.dtype):
        raise RuntimeError(
            f"{owner}: expected attn_mask dtype to be bool or to match query dtype, but got "
            f"attn_mask.dtype: {attn_mask.dtype} and query.dtype: {query.dtype} instead."
        )
    if is_causal and attn_mask is not None:
        raise RuntimeError(f"{owner}: explicit attn_mask should not be set when is_causal=True")
    if enable_gqa and key.shape[-3] != query.shape[-3]:
        key, value = (_repeat_heads(owner, t, query.shape[-3]) for t in (key, value))
    length, source = query.shape[-2], key.shape[-2]
    if is_causal:
        attn_mask = as_tensor(np.tri(length, source, dtype=bool))
    bias = attn_mask
    if attn_mask is not None and attn_mask.array.dtype == np.bool_:
        bias = _as_additive_mask(attn_mask.array, query.array.dtype)
    scale = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    return _attend(query, key, value, bias, dropout_p, scale, safe=True)[0]


def _repeat_heads(owner: str, t: Tensor, heads: int) -> Tensor:
    """Key or value heads repeated in place (h0 h0 h1 h1 ...) up to the query's head count."""
    groups, remainder = divmod(heads, t.shape[-3])
    if remainder:
        raise RuntimeError(
            f"{owner}: with enable_gqa, the query's {heads} heads must be a multiple of the "
            f"key's and value's {t.shape[-3]}"
        )
    shape = t.shape
    expanded = t.unsqueeze(-3).expand(*shape[:-2], groups, *shape[-2:])
    return expanded.reshape(*shape[:-3], heads, *shape[-2:])


def _canonical_mask(
    mask: Tensor | None,
    mask_name: str,
    other_type,
    other_name: str,
    target_type,
    check_other: bool = True,
) -> Tensor | None:
    """A bool 'ignore' mask (True = masked out, PyTorch's nn convention) as a float one with -inf
    where True; float masks pass through."""
    if mask is None:
        return None
    if mask.array.dtype != np.bool_ and not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(
            f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type "
            "for both instead.",
            stacklevel=3,
        )
    if mask.is_floating_point():
        return mask
    return _as_additive_mask(~mask.array, dtypes.to_numpy_dtype(target_type))


def _none_or_dtype(input: Tensor | None):
    return None if input is None else input.dtype


def _check_mha_shapes(query, key, value, key_padding_mask, attn_mask, num_heads: int) -> bool:
    """Whether the inputs are batched (3-D); AssertionError for inconsistent dimensions."""
    if query.ndim not in (2, 3):
        raise AssertionError(
            "query should be unbatched 2D or batched 3D tensor but received "
            f"{query.ndim}-D query tensor"
        )
    batched = query.ndim == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.ndim != query.ndim or value.ndim != query.ndim:
        raise AssertionError(
            f"For {kind} `query`, expected `key` and `value` to be {query.ndim}-D but found "
            f"{key.ndim}-D and {value.ndim}-D tensors respectively"
        )
    if key_padding_mask is not None and key_padding_mask.ndim != query.ndim - 1:
        raise AssertionError(
            f"For {kind} `query`, expected `key_padding_mask` to be `None` or "
            f"{query.ndim - 1}-D but found {key_padding_mask.ndim}-D tensor instead"
        )
    if attn_mask is not None and attn_mask.ndim not in (2, 3):
        raise AssertionError(
            f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
            f"{attn_mask.ndim}-D tensor instead"
        )
    if not batched and attn_mask is not None and attn_mask.ndim == 3:
        expected = (num_heads, query.shape[0], key.shape[0])
        if tuple(attn_mask.shape) != expected:
            raise AssertionError(
                f"Expected `attn_mask` shape to be {expected} but got {tuple(attn_mask.shape)}"
            )
    return batched


def _in_projection(query, key, value, weight, bias, separate) -> tuple[Tensor, Tensor, Tensor]:
    if separate is not None:
        w_q, w_k, w_v = separate
        expected = [(query.shape[-1],) * 2]
        expected += [(query.shape[-1], t.shape[-1]) for t in (key, value)]
        for name, w, shape in zip(("query", "key", "value"), (w_q, w_k, w_v), expected):
            if tuple(w.shape) != shape:
                raise AssertionError(
                    f"expecting {name} weights shape of {shape}, but got {tuple(w.shape)}"
                )
    else:
        if weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        if query is key and key is value:
            # Self-attention: one matrix product for all three projections.
            return linear(query, weight, bias).chunk(3, dim=-1)
        w_q, w_k, w_v = weight.chunk(3)
    b_q, b_k, b_v = (None,) * 3 if bias is None else bias.chunk(3)
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def _heads(t: Tensor, batch: int, num_heads: int) -> Tensor:
    """(T, N, E) to (N, heads, T, E / heads)."""
    return t.reshape(t.shape[0], batch, num_heads, -1).permute(1, 2, 0, 3)


def _pad_last(mask: Tensor | None) -> Tensor | None:
    """A float mask with one more (zero: attend) column, for an appended key."""
    if mask is None:
        return None
    return cat([mask, as_tensor(np.zeros((*mask.shape[:-1], 1), dtype=mask.array.dtype))], -1)


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Tensor | None = None,
    need_weights: bool = True,
    attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None,
    static_v: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention on sequence-first inputs; see MultiheadAttention for the arguments.

    Shape:
        query (L, N, E) or (L, E); key (S, N, Ek), value (S, N, Ev) (or without N) ->
        output (L, N, E) and weights (N, L, S), or (N, num_heads, L, S) without averaging.
    """
    batched = _check_mha_shapes(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    length, batch, embed_dim = query.shape
    key_padding_mask = _canonical_mask(
        key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask), "attn_mask", query.dtype
    )
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
            "method `generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and key_padding_mask is None and not need_weights:
        # PyTorch trusts the hint and attends causally without looking at attn_mask.
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, False)
        is_causal = is_causal and key_padding_mask is None
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(
                f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                f"{tuple(value.shape[:2])}"
            )
        separate = (q_proj_weight, k_proj_weight, v_proj_weight)
        if any(w is None for w in separate):
            raise AssertionError("use_separate_proj_weight is True but a projection weight is None")
    else:
        if key.shape != value.shape:
            raise AssertionError(
                f"key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}"
            )
        separate = None
    q, k, v = _in_projection(query, key, value, in_proj_weight, in_proj_bias, separate)
    source = key.shape[0]
    if attn_mask is not None:
        expected = (length, source) if attn_mask.ndim == 2 else (batch * num_heads, length, source)
        if tuple(attn_mask.shape) != expected:
            raise RuntimeError(
                f"The shape of the {attn_mask.ndim}D attn_mask is {tuple(attn_mask.shape)}, but "
                f"should be {expected}."
            )
    if (bias_k is None) != (bias_v is None):
        raise AssertionError("bias_k and bias_v must be given together")
    if bias_k is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key or value.")
        k = cat([k, bias_k.expand(1, batch, embed_dim)])
        v = cat([v, bias_v.expand(1, batch, embed_dim)])
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    q, k, v = (_heads(t, batch, num_heads) for t in (q, k, v))
    if static_k is not None:
        k = _static_heads(static_k, "static_k", batch, num_heads, head_dim)
    if static_v is not None:
        v = _static_heads(static_v, "static_v", batch, num_heads, head_dim)
    if add_zero_attn:
        zeros = as_tensor(np.zeros((batch, num_heads, 1, head_dim), dtype=k.array.dtype))
        k, v = cat([k, zeros], dim=2), cat([v, zeros], dim=2)
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    source = k.shape[2]
    if attn_mask is not None:
        attn_mask = attn_mask.reshape(-1, num_heads if attn_mask.ndim == 3 else 1, length, source)
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (batch, source):
            raise AssertionError(
                f"Expected key_padding_mask of shape {(batch, source)}, but got "
                f"{tuple(key_padding_mask.shape)}"
            )
        padding = key_padding_mask.reshape(batch, 1, 1, source)
        attn_mask = padding if attn_mask is None else attn_mask + padding
    dropout_p = dropout_p if training else 0.0
    if need_weights:
        out, weights = _attend(q, k, v, attn_mask, dropout_p, 1 / math.sqrt(head_dim), safe=False)
        if average_attn_weights:
            weights = weights.mean(dim=1)
    else:
        out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
        weights = None
    out = out.permute(2, 0, 1, 3).reshape(length, batch, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    if not batched:
        out = out.squeeze(1)
        weights = None if weights is None else weights.squeeze(0)
    return out, weights


def _static_heads(static: Tensor, name: str, batch: int, num_heads: int, head_dim: int) -> Tensor:
    if static.shape[0] != batch * num_heads or static.shape[2] != head_dim:
        raise AssertionError(
            f"expecting {name} of shape ({batch * num_heads}, S, {head_dim}), but got "
            f"{tuple(static.shape)}"
        )
    return static.reshape(batch, num_heads, static.shape[1], head_dim)
