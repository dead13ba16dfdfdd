"""Stateless forms of the layers, activations and losses (`wright.nn.functional`, imported as F)."""

from __future__ import annotations

import math
import warnings

import numpy as np

from wright import backend, dtypes
from wright.autograd import no_grad
from wright.creation import as_tensor
from wright.ops import conv as C
from wright.ops import elementwise as E
from wright.ops import linalg as L
from wright.ops import loss as losses
from wright.ops import norm as N
from wright.tensor import Tensor, where
from wright.tensor import pad as tensor_pad

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


# ----- convolution, pooling, padding, resizing, dropout, normalization -----

_LAYOUTS = {
    1: ("(N, C, L)", "(C, L)"),
    2: ("(N, C, H, W)", "(C, H, W)"),
    3: ("(N, C, D, H, W)", "(C, D, H, W)"),
}


def _check_image(
    owner: str, x: Tensor, layouts: tuple[str, ...], channels: int | None = None
) -> None:
    """Raise a ValueError naming `owner` unless x has a layout's rank and `channels` at dim 1."""
    ranks = [layout.count(",") + 1 for layout in layouts]
    if x.ndim not in ranks or (channels is not None and x.shape[1] != channels):
        wanted = " or ".join(layouts) + (f" with C = {channels}" if channels is not None else "")
        raise ValueError(f"{owner} got input of shape {tuple(x.shape)}; expected {wanted}")


def _add_batch(owner: str, x: Tensor, spatial: int, channels: int | None = None):
    """x as (N, C, *spatial), with a batch of one added to an unbatched (C, *spatial) input (as
    PyTorch's layers take it), and whether it was added; a ValueError naming `owner` otherwise."""
    batched, unbatched = _LAYOUTS[spatial]
    single = x.ndim == spatial + 1
    found = x.unsqueeze(0) if single else x
    if found.ndim != spatial + 2 or (channels is not None and found.shape[1] != channels):
        wanted = batched + (f" with C = {channels}" if channels is not None else "")
        raise ValueError(
            f"{owner} got input of shape {tuple(x.shape)}; expected {wanted} "
            f"(or unbatched {unbatched})"
        )
    return found, single


def _drop_batch(out: Tensor, single: bool) -> Tensor:
    return out.squeeze(0) if single else out


def _check_weights(owner: str, x: Tensor, weight: Tensor, bias: Tensor | None, channels: int):
    """A RuntimeError, as PyTorch's, for a bias of the wrong shape or mixed or integer dtypes."""
    if bias is not None and tuple(bias.shape) != (channels,):
        raise RuntimeError(
            f"{owner}: expected bias of shape ({channels},) (one per output channel), "
            f"got {tuple(bias.shape)}"
        )
    kinds = [t.dtype for t in (x, weight, bias) if t is not None]
    if len(set(kinds)) > 1 or not x.is_floating_point():
        raise RuntimeError(
            f"{owner}: input, weight and bias must share one floating-point dtype, got "
            + ", ".join(str(kind) for kind in kinds)
        )


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
    if spatial not in (1, 2) or groups < 1 or weight.shape[0] % groups:
        raise ValueError(
            f"{owner}: weight must be (out_channels, in_channels / groups, *kernel) "
            f"with 1 or 2 kernel dimensions and out_channels divisible by "
            f"groups={groups}, got {weight.shape}"
        )
    x, single = _add_batch(owner, x, spatial, weight.shape[1] * groups)
    _check_weights(owner, x, weight, bias, weight.shape[0])
    window = C.sliding_window(owner, x.shape[2:], weight.shape[2:], stride, padding, dilation)
    if spatial == 2:
        return _drop_batch(C.conv2d(x, weight, bias, window, groups), single)
    # A signal is an image one row high.
    out = C.conv2d(x.unsqueeze(2), weight.unsqueeze(2), bias, window.unsqueezed(), groups)
    return _drop_batch(out.squeeze(2), single)


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride=1,
    padding=0,
    dilation=1,
    groups: int = 1,
) -> Tensor:
    """Slide (out, C/groups, K) kernels along (N, C, L) signals: (N, out, L_out). See Conv1d."""
    return _convolve("conv1d", input, weight, bias, stride, padding, dilation, groups)


def conv2d(
    input: Tensor,
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
    return _convolve("conv2d", input, weight, bias, stride, padding, dilation, groups)


def _transposed_window(owner: str, size, kernel, stride, padding, output_padding, dilation):
    """The window of the convolution a transposed convolution reverses, and the output size
    (size - 1) stride - 2 padding + dilation (kernel - 1) + output_padding + 1."""
    n = len(size)
    stride, padding, output_padding, dilation = (
        C.as_tuple(value, n, name, owner)
        for value, name in (
            (stride, "stride"),
            (padding, "padding"),
            (output_padding, "output_padding"),
            (dilation, "dilation"),
        )
    )
    if min(stride) < 1 or min(dilation) < 1:
        raise RuntimeError(
            f"{owner}: stride and dilation must be positive, got {stride} and {dilation}"
        )
    if min(padding) < 0 or min(output_padding) < 0:
        raise RuntimeError(f"{owner}: negative padding is not supported, got {padding}")
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= s and op >= d:
            raise RuntimeError(
                f"{owner}: output padding must be smaller than either stride or dilation, got "
                f"output_padding {output_padding}, stride {stride} and dilation {dilation}"
            )
    out = tuple(
        (i - 1) * s - 2 * p + d * (k - 1) + op + 1
        for i, k, s, p, op, d in zip(size, kernel, stride, padding, output_padding, dilation)
    )
    if min(out) < 1:
        raise RuntimeError(
            f"{owner}: the output size (input - 1) * stride - 2 * padding + dilation * "
            f"(kernel_size - 1) + output_padding + 1 = {out} is too small for input size "
            f"{tuple(size)}"
        )
    window = C.Window(tuple(kernel), stride, dilation, padding, padding, tuple(size))
    return window, out


def _convolve_transposed(
    owner: str,
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride,
    padding,
    output_padding,
    groups: int,
    dilation,
) -> Tensor:
    spatial = weight.ndim - 2
    if spatial not in (1, 2) or groups < 1:
        raise ValueError(
            f"{owner}: weight must be (in_channels, out_channels / groups, *kernel) with 1 or 2 "
            f"kernel dimensions and groups >= 1, got {weight.shape} and groups={groups}"
        )
    x, single = _add_batch(owner, x, spatial, weight.shape[0])
    if x.shape[1] % groups:
        raise RuntimeError(f"{owner}: in_channels {x.shape[1]} not divisible by groups {groups}")
    _check_weights(owner, x, weight, bias, weight.shape[1] * groups)
    window, size = _transposed_window(
        owner, x.shape[2:], weight.shape[2:], stride, padding, output_padding, dilation
    )
    if spatial == 2:
        return _drop_batch(C.conv_transpose2d(x, weight, bias, window, groups, size), single)
    out = C.conv_transpose2d(
        x.unsqueeze(2), weight.unsqueeze(2), bias, window.unsqueezed(), groups, (1, *size)
    )
    return _drop_batch(out.squeeze(2), single)


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride=1,
    padding=0,
    output_padding=0,
    groups: int = 1,
    dilation=1,
) -> Tensor:
    """Transposed convolution of (N, C_in, L) signals with (C_in, C_out/groups, K) kernels:
    (N, C_out, L_out). See ConvTranspose1d."""
    return _convolve_transposed(
        "conv_transpose1d", input, weight, bias, stride, padding, output_padding, groups, dilation
    )


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride=1,
    padding=0,
    output_padding=0,
    groups: int = 1,
    dilation=1,
) -> Tensor:
    """Transposed convolution of (N, C_in, H, W) images with (C_in, C_out/groups, KH, KW)
    kernels: (N, C_out, H_out, W_out). See ConvTranspose2d."""
    return _convolve_transposed(
        "conv_transpose2d", input, weight, bias, stride, padding, output_padding, groups, dilation
    )


_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad (or, with negative sizes, crop) the last dimensions, PyTorch's way.

    Args:
        pad: (left, right) for the last dimension, then (top, bottom) for the one before, and
            so on: 2 numbers per padded dimension, last dimension first.
        mode: 'constant' (fill with `value`, any number of dimensions), 'reflect' (mirror without
            repeating the edge), 'replicate' (repeat the edge) or 'circular' (wrap around); the
            last three pad the last 1, 2 or 3 dimensions of a (batched or unbatched) input.
        value: the fill for 'constant' (default 0).

    Example:
        >>> F.pad(wright.tensor([[1.0, 2.0, 3.0]]), (2, 1), mode="reflect").tolist()
        [[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]
    """
    if not isinstance(pad, tuple | list) or not all(
        isinstance(p, int | np.integer) and not isinstance(p, bool) for p in pad
    ):
        raise TypeError(f"pad: pad must be a tuple of ints, got {pad!r}")
    if mode not in _PAD_MODES:
        raise NotImplementedError(
            f"pad: unknown padding mode {mode!r}; expected one of {_PAD_MODES}"
        )
    if len(pad) % 2:
        raise RuntimeError(f"pad: padding length must be divisible by 2, got {len(pad)}")
    dims = len(pad) // 2
    if dims > input.ndim:
        raise RuntimeError(
            f"pad: padding length {len(pad)} is more than two per dimension of an input with "
            f"{input.ndim} dimensions"
        )
    # (axis, before, after) for the padded axes, the last axis first as in `pad`
    sides = [(input.ndim - 1 - i, int(pad[2 * i]), int(pad[2 * i + 1])) for i in range(dims)]
    if mode == "constant":
        return _pad_constant(input, sides, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f"pad: mode {mode!r} does not take a value, got value={value}")
    if dims not in (1, 2, 3) or input.ndim not in (dims + 1, dims + 2):
        raise NotImplementedError(
            f"pad: mode {mode!r} pads the last 1, 2 or 3 dimensions of a batched or unbatched "
            f"input (2-D or 3-D, 3-D or 4-D, 4-D or 5-D); got {len(pad)} padding sizes for a "
            f"{input.ndim}-D input"
        )
    plan = []
    for axis, before, after in sides:
        size = input.shape[axis]
        # PyTorch lets 2-D and 3-D padding (not 1-D) crop a dimension away entirely.
        smallest = 1 if dims == 1 and mode != "circular" else 0
        _check_pad_sizes(mode, input, axis, size, before, after, smallest)
        if before or after:
            positions = C.pad_positions(mode, size, before, after)
            plan.append((axis, positions[None], None))
    # Like PyTorch, return a new tensor even when nothing is padded.
    return C.Resample.apply(input, plan=tuple(plan)) if plan else input.clone()


def _pad_constant(x: Tensor, sides, value) -> Tensor:
    crop = [slice(None)] * x.ndim
    widths = [(0, 0)] * x.ndim
    for axis, before, after in sides:
        if x.shape[axis] + before + after < 0:
            raise RuntimeError(
                f"pad: padding ({before}, {after}) leaves a negative size for dimension {axis} "
                f"of size {x.shape[axis]}"
            )
        crop[axis] = slice(max(-before, 0), x.shape[axis] - max(-after, 0))
        widths[axis] = (max(before, 0), max(after, 0))
    if any(min(before, after) < 0 for _, before, after in sides):
        x = x[tuple(crop)]
    if not any(before or after for before, after in widths):
        return x.clone()
    # The fill is cast as PyTorch casts it: truncated for integers, nonzero -> True for bools.
    return tensor_pad(x, widths, value=np.asarray(value).astype(x.array.dtype).item())


def _check_pad_sizes(mode: str, x: Tensor, axis: int, size: int, before: int, after: int, smallest):
    if size == 0:
        raise RuntimeError(
            f"pad: mode {mode!r} needs non-empty padded dimensions, got input of shape "
            f"{tuple(x.shape)}"
        )
    if mode == "reflect" and max(before, after) >= size:
        raise RuntimeError(
            f"pad: reflect padding ({before}, {after}) must be less than the size {size} of "
            f"dimension {axis} of input of shape {tuple(x.shape)}"
        )
    kept = size - max(-before, 0) - max(-after, 0)
    if mode == "circular" and max(before, after) > kept:
        raise RuntimeError(
            f"pad: circular padding ({before}, {after}) wraps around more than once a dimension "
            f"of {kept} kept elements (dimension {axis} of input of shape {tuple(x.shape)})"
        )
    if size + before + after < smallest:
        raise RuntimeError(
            f"pad: padding ({before}, {after}) leaves no elements of dimension {axis} of size "
            f"{size}"
        )


def _shuffle_factor(owner: str, x: Tensor, factor) -> int:
    if not isinstance(factor, int | np.integer) or isinstance(factor, bool):
        raise TypeError(f"{owner}: the factor must be an int, got {factor!r}")
    if factor < 1:
        raise RuntimeError(f"{owner}: the factor must be positive, got {factor}")
    if x.ndim < 3:
        raise RuntimeError(
            f"{owner}: expected an input of at least 3 dimensions (*, C, H, W), got shape "
            f"{tuple(x.shape)}"
        )
    return int(factor)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """Move channel blocks into space: (*, C r^2, H, W) -> (*, C, H r, W r), r = upscale_factor.

    Output pixel (h r + i, w r + j) of channel c is input channel c r^2 + i r + j at (h, w): the
    sub-pixel convolution of super-resolution networks.
    """
    r = _shuffle_factor("pixel_shuffle", input, upscale_factor)
    *batch, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(
            f"pixel_shuffle: the channels ({c}) must be divisible by upscale_factor squared "
            f"({r * r}), got input of shape {tuple(input.shape)}"
        )
    k = len(batch)
    x = input.reshape(*batch, c // (r * r), r, r, h, w)
    x = x.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)  # (*, C, H, r, W, r)
    return x.reshape(*batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """The inverse of pixel_shuffle: (*, C, H r, W r) -> (*, C r^2, H, W), r = downscale_factor."""
    r = _shuffle_factor("pixel_unshuffle", input, downscale_factor)
    *batch, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(
            f"pixel_unshuffle: height and width ({h}, {w}) must be divisible by "
            f"downscale_factor {r}"
        )
    k = len(batch)
    x = input.reshape(*batch, c, h // r, r, w // r, r)
    x = x.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)  # (*, C, r, r, H, W)
    return x.reshape(*batch, c * r * r, h // r, w // r)


def _pool(
    owner: str,
    x: Tensor,
    spatial: int,
    op,
    kernel_size,
    stride,
    padding,
    dilation,
    ceil_mode,
    return_indices: bool = False,
    **attrs,
):
    x, single = _add_batch(owner, x, spatial)
    window = C.sliding_window(
        owner, x.shape[2:], kernel_size, stride, padding, dilation, ceil_mode, pooling=True
    )
    if spatial == 1:
        # A signal is an image one row high.
        x, window = x.unsqueeze(2), window.unsqueezed()
    found: list = []
    if return_indices:
        attrs["indices"] = found
    out = op.apply(x, window=window, **attrs)
    if spatial == 1:
        out = out.squeeze(2)
    if not return_indices:
        return _drop_batch(out, single)
    indices = as_tensor(found[0].reshape(out.shape))
    return _drop_batch(out, single), _drop_batch(indices, single)


def max_pool1d(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
):
    """The largest value in each window of (N, C, L) signals; with `return_indices`, also each
    maximum's position along L (int64). See MaxPool1d."""
    return _pool(
        "max_pool1d",
        input,
        1,
        C.MaxPool2d,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        return_indices,
    )


def max_pool2d(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
):
    """The largest value in each window (stride defaults to the kernel size); with
    `return_indices`, also each maximum's flat position h * W + w in its input plane (int64), for
    max_unpool2d. See MaxPool2d."""
    return _pool(
        "max_pool2d",
        input,
        2,
        C.MaxPool2d,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        return_indices,
    )


def avg_pool1d(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """The mean of each window of (N, C, L) signals. See AvgPool1d."""
    return _pool(
        "avg_pool1d",
        input,
        1,
        C.AvgPool2d,
        kernel_size,
        stride,
        padding,
        1,
        ceil_mode,
        count_include_pad=count_include_pad,
    )


def avg_pool2d(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """The mean of each window (stride defaults to the kernel size); `divisor_override` divides
    every window's sum by that number instead. See AvgPool2d."""
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("avg_pool2d: divisor_override must not be zero")
    return _pool(
        "avg_pool2d",
        input,
        2,
        C.AvgPool2d,
        kernel_size,
        stride,
        padding,
        1,
        ceil_mode,
        count_include_pad=count_include_pad,
        divisor_override=divisor_override,
    )


def _output_size(owner: str, output_size, size: tuple[int, ...]) -> tuple[int, ...]:
    """An adaptive pool's output size: an int for every axis, or a tuple where None keeps that
    axis's input size."""
    sizes = tuple(output_size) if isinstance(output_size, tuple | list) else (output_size,)
    if len(sizes) == 1 and len(size) > 1:
        sizes = sizes * len(size)
    if len(sizes) != len(size):
        raise ValueError(f"{owner}: output_size must be an int or {len(size)} ints, got {sizes}")
    sizes = tuple(s if o is None else o for s, o in zip(size, sizes))
    if min(sizes) < 0 or min(size) < 1:
        raise RuntimeError(
            f"{owner}: needs a non-empty input plane and output_size >= 0, got input size "
            f"{tuple(size)} and output_size {sizes}"
        )
    return sizes


def _averaging_matrix(size: int, out: int, dtype) -> np.ndarray:
    """(size, out): column i averages PyTorch's adaptive bin i (see ops.conv.adaptive_bins)."""
    start, end = C.adaptive_bins(size, out)
    inside = (np.arange(size)[:, None] >= start) & (np.arange(size)[:, None] < end)
    return (inside / (end - start)).astype(dtype)


def _average_bins(x: Tensor, sizes: tuple[int, ...]) -> Tensor:
    """Adaptive average pooling of x's spatial axes (2, 3, ...) to `sizes` (a new tensor)."""
    out = x
    for axis, size in enumerate(sizes, start=2):
        before = out.shape[axis]
        if size == before:
            continue
        # Averaging along an axis is a product with a fixed matrix: move the axis last, multiply.
        moved = out.transpose(axis, -1)
        rows = moved.reshape(-1, before) @ as_tensor(_averaging_matrix(before, size, x.dtype))
        out = rows.reshape(*moved.shape[:-1], size).transpose(axis, -1)
    return x.clone() if out is x else out


def _adaptive_avg_pool(owner: str, x: Tensor, spatial: int, output_size) -> Tensor:
    x, single = _add_batch(owner, x, spatial)
    if not x.is_floating_point():
        raise RuntimeError(f"{owner}: expected a floating-point input, got {x.dtype}")
    return _drop_batch(_average_bins(x, _output_size(owner, output_size, x.shape[2:])), single)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Average (N, C, L) over bins chosen so the output is (N, C, output_size)."""
    return _adaptive_avg_pool("adaptive_avg_pool1d", input, 1, output_size)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average over bins chosen so the output is `output_size` (an int or a pair; None keeps that
    side's size)."""
    return _adaptive_avg_pool("adaptive_avg_pool2d", input, 2, output_size)


def _adaptive_max_pool(owner: str, x: Tensor, spatial: int, output_size, return_indices: bool):
    x, single = _add_batch(owner, x, spatial)
    sizes = _output_size(owner, output_size, x.shape[2:])
    if spatial == 1:
        x, sizes = x.unsqueeze(2), (1, *sizes)
    found: list = []
    if 0 in sizes:
        # Nothing to pool: an empty output (still linked to the input, like PyTorch's).
        out = _average_bins(x, sizes)
        found.append(np.zeros(out.shape, np.int64))
    elif all(size % out == 0 for size, out in zip(x.shape[2:], sizes)):
        # Equal bins that do not overlap: plain max pooling with strided views, no gathers.
        kernel = tuple(size // out for size, out in zip(x.shape[2:], sizes))
        window = C.sliding_window(owner, x.shape[2:], kernel, pooling=True)
        out = C.MaxPool2d.apply(x, window=window, indices=found)
    else:
        out = C.AdaptiveMaxPool2d.apply(x, size=sizes, indices=found)
    if spatial == 1:
        out = out.squeeze(2)
    if not return_indices:
        return _drop_batch(out, single)
    return _drop_batch(out, single), _drop_batch(as_tensor(found[0].reshape(out.shape)), single)


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """The largest value in each adaptive bin of (N, C, L) signals (and, with `return_indices`,
    its position along L)."""
    return _adaptive_max_pool("adaptive_max_pool1d", input, 1, output_size, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """The largest value in each adaptive bin (and, with `return_indices`, its flat position in
    the input plane)."""
    return _adaptive_max_pool("adaptive_max_pool2d", input, 2, output_size, return_indices)


def _max_unpool(
    owner: str, x: Tensor, indices, spatial: int, kernel_size, stride, padding, output_size
) -> Tensor:
    x, single = _add_batch(owner, x, spatial)
    positions = indices.array if isinstance(indices, Tensor) else np.asarray(indices)
    if positions.dtype != np.int64:
        raise RuntimeError(f"{owner}: indices must be int64, got {positions.dtype}")
    positions = positions.reshape(x.shape) if single and positions.ndim == x.ndim - 1 else positions
    if positions.shape != tuple(x.shape):
        raise RuntimeError(
            f"{owner}: indices of shape {positions.shape} do not match the input's {tuple(x.shape)}"
        )
    kernel = C.as_tuple(kernel_size, spatial, "kernel_size", owner)
    stride = kernel if stride is None else C.as_tuple(stride, spatial, "stride", owner)
    padding = C.as_tuple(padding, spatial, "padding", owner)
    default = tuple(
        (i - 1) * s - 2 * p + k for i, k, s, p in zip(x.shape[2:], kernel, stride, padding)
    )
    size = default
    if output_size is not None:
        size = tuple(int(n) for n in tuple(output_size)[-spatial:])
        for axis, (n, d, s) in enumerate(zip(size, default, stride)):
            if not d - s < n < d + s:
                raise ValueError(
                    f"{owner}: invalid output_size {tuple(output_size)} (dim {axis} must be "
                    f"between {d - s} and {d + s}, exclusive)"
                )
    if positions.size and (positions.min() < 0 or positions.max() >= math.prod(size)):
        bad = positions[(positions < 0) | (positions >= math.prod(size))].flat[0]
        raise RuntimeError(f"{owner}: found an invalid max index {bad} for an output of {size}")
    return _drop_batch(C.MaxUnpool.apply(x, indices=positions, size=size), single)


def max_unpool1d(
    input: Tensor, indices, kernel_size, stride=None, padding=0, output_size=None
) -> Tensor:
    """Put each value of (N, C, L) back at the position max_pool1d found it, zeros elsewhere."""
    return _max_unpool("max_unpool1d", input, indices, 1, kernel_size, stride, padding, output_size)


def max_unpool2d(
    input: Tensor, indices, kernel_size, stride=None, padding=0, output_size=None
) -> Tensor:
    """Put each value back at the position max_pool2d(..., return_indices=True) found it, zeros
    elsewhere: (N, C, H, W) -> (N, C, H_out, W_out), H_out = (H - 1) stride - 2 padding + kernel
    unless `output_size` says otherwise."""
    return _max_unpool("max_unpool2d", input, indices, 2, kernel_size, stride, padding, output_size)


def _check_probability(owner: str, p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{owner}: p must be a probability in [0, 1], got {p}")


def _apply_mask(x: Tensor, mask: np.ndarray, inplace: bool, shift=None) -> Tensor:
    """x * mask (+ shift), in x's memory when `inplace`."""
    if inplace:
        x.mul_(as_tensor(mask))
        return x if shift is None else x.add_(as_tensor(shift))
    out = x * as_tensor(mask)
    return out if shift is None else out + as_tensor(shift)


def _keep_mask(owner: str, x: Tensor, p: float, shape: tuple[int, ...]) -> np.ndarray:
    """Keep (True) each entry of `shape` with probability 1 - p."""
    if not x.is_floating_point():
        raise RuntimeError(f"{owner}: expected a floating-point input, got {x.dtype}")
    return backend.generator().random(shape, dtype=np.float32) >= p


def _dropout(owner: str, x: Tensor, p: float, training: bool, inplace: bool, shape) -> Tensor:
    """Inverted dropout with one random draw per entry of `shape` (which broadcasts to x's)."""
    _check_probability(owner, p)
    if not training or p == 0.0:
        return x
    keep = _keep_mask(owner, x, p, shape)
    mask = keep * np.asarray(0.0 if p == 1.0 else 1.0 / (1.0 - p), dtype=x.array.dtype)
    return _apply_mask(x, mask, inplace)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Inverted dropout: while training, zero each element with probability p and scale survivors
    by 1/(1-p), so nothing needs rescaling at evaluation, when the input passes through as it is."""
    return _dropout("dropout", input, p, training, inplace, tuple(input.shape))


def _channel_shape(x: Tensor, batched: bool) -> tuple[int, ...]:
    """One draw per channel: (N, C, 1, ...) for a batch, (C, 1, ...) for one unbatched sample."""
    kept = 2 if batched else 1
    return tuple(x.shape[:kept]) + (1,) * (x.ndim - kept)


def _feature_dropout_shape(owner: str, x: Tensor) -> tuple[int, ...]:
    if x.ndim < 2:
        raise RuntimeError(f"{owner}: channel dropout needs at least 2 dimensions, got {x.ndim}")
    return _channel_shape(x, batched=True)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Channel dropout of (N, C, L) or unbatched (C, L) signals: zero whole channels with
    probability p, scale the rest by 1/(1-p)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: expected a 2-D (C, L) or 3-D (N, C, L) input, got {input.ndim}-D"
        )
    shape = _channel_shape(input, batched=input.ndim == 3)
    return _dropout("dropout1d", input, p, training, inplace, shape)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Channel dropout of (N, C, H, W) images. As in PyTorch, a 3-D input is taken as (N, C, L)
    (with a warning; use dropout1d for that), not as an unbatched (C, H, W) image."""
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: a {input.ndim}-D input is deprecated (expected 4-D (N, C, H, W)); "
            "channels are taken along dim 1",
            stacklevel=2,
        )
    elif input.ndim == 3:
        warnings.warn(
            "dropout2d: a 3-D input is taken as (N, C, L), one draw per (sample, channel), not "
            "as an unbatched (C, H, W) image; use dropout1d for channel dropout of signals",
            stacklevel=2,
        )
    shape = _feature_dropout_shape("dropout2d", input)
    return _dropout("dropout2d", input, p, training, inplace, shape)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Channel dropout of (N, C, D, H, W) volumes or unbatched (C, D, H, W) ones."""
    if input.ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: a {input.ndim}-D input is deprecated (expected 4-D or 5-D); it is taken "
            "as one unbatched sample with channels along dim 0",
            stacklevel=2,
        )
    shape = _channel_shape(input, batched=input.ndim == 5)
    return _dropout("dropout3d", input, p, training, inplace, shape)


# SELU's negative saturation value, -scale * alpha: what alpha dropout sets dropped units to.
_SELU_SATURATION = 1.7580993408473766


def _alpha_dropout(owner: str, x: Tensor, p: float, training: bool, inplace: bool, shape):
    _check_probability(owner, p)
    if not training or p == 0.0:
        return x
    dtype = x.array.dtype
    if p == 1.0:
        return _apply_mask(x, np.zeros((), dtype), inplace)
    keep = _keep_mask(owner, x, p, shape)
    # Affine a * (x or -saturation) + b keeps a SELU network's zero mean and unit variance.
    a = 1.0 / math.sqrt((_SELU_SATURATION**2 * p + 1.0) * (1.0 - p))
    b = _SELU_SATURATION * a * p
    shift = np.where(keep, b, b - _SELU_SATURATION * a).astype(dtype)
    return _apply_mask(x, (keep * a).astype(dtype), inplace, shift)


def alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """Dropout for SELU networks: dropped elements take SELU's saturation value and everything is
    scaled and shifted so the mean and variance stay as they were. Off unless `training`."""
    return _alpha_dropout("alpha_dropout", input, p, training, inplace, tuple(input.shape))


def feature_alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """Alpha dropout of whole channels (dim 1) of (N, C, ...) inputs. Off unless `training`."""
    shape = _feature_dropout_shape("feature_alpha_dropout", input)
    return _alpha_dropout("feature_alpha_dropout", input, p, training, inplace, shape)


def _standardize(x: Tensor, axes: tuple[int, ...], eps: float):
    """(x - mean) / sqrt(var + eps) over `axes`, with the (biased) mean and variance as arrays."""
    stats: list = []
    out = N.Standardize.apply(x, axes=axes, eps=eps, stats=stats)
    return out, *stats


def _scale_and_shift(out: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    """out * weight + bias, with one weight and bias per channel (dim 1)."""
    shape = (1, out.shape[1]) + (1,) * (out.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(shape)
    return out if bias is None else out + bias.reshape(shape)


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
    if not (training or running_mean is None):
        # Evaluation: one fixed scale and shift per channel.
        inv_std = as_tensor((running_var.array + eps) ** -0.5)
        scale = inv_std if weight is None else weight * inv_std
        shift = -(as_tensor(running_mean.array) * scale)
        return _scale_and_shift(x, scale, shift if bias is None else shift + bias)
    channels = x.shape[1] if x.ndim > 1 else None
    count = x.array.size // channels
    if training and count < 2:
        raise ValueError(
            f"{owner} needs more than one value per channel to train, got input "
            f"of shape {tuple(x.shape)}"
        )
    out, mean, var = _standardize(x, (0,) + tuple(range(2, x.ndim)), eps)
    if training and running_mean is not None:
        _update_running_stats(
            owner, running_mean, running_var, mean.ravel(), var.ravel(), count, momentum
        )
    return _scale_and_shift(out, weight, bias)


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
    # The running variance is the unbiased estimate, as in PyTorch.
    unbiased = var * (count / (count - 1))
    with no_grad():
        running_mean.mul_(1 - momentum).add_(as_tensor(momentum * mean))
        running_var.mul_(1 - momentum).add_(as_tensor(momentum * unbiased))


def batch_norm(
    input: Tensor,
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
        "batch_norm", input, running_mean, running_var, weight, bias, training, momentum, eps
    )


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel of each sample of (N, C, *) over its own positions, then scale by
    weight and shift by bias (one per channel).

    With `use_input_stats=False`, the running statistics are used instead; with it and running
    statistics given, they move `momentum` of the way towards the batch's average of the
    per-sample statistics (in place).
    """
    return _instance_norm(
        "instance_norm",
        input,
        running_mean,
        running_var,
        weight,
        bias,
        use_input_stats,
        momentum,
        eps,
    )


def _instance_norm(
    owner: str,
    x: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None,
    bias: Tensor | None,
    use_input_stats: bool,
    momentum: float,
    eps: float,
) -> Tensor:
    if not use_input_stats:
        return _batch_norm(owner, x, running_mean, running_var, weight, bias, False, 0.0, eps)
    if x.ndim < 3:
        raise ValueError(f"{owner}: expected an (N, C, *) input, got shape {tuple(x.shape)}")
    count = math.prod(x.shape[2:])
    if count < 2:
        raise ValueError(
            f"{owner} needs more than one spatial element per channel when normalising with the "
            f"input's statistics, got input of shape {tuple(x.shape)}"
        )
    out, mean, var = _standardize(x, tuple(range(2, x.ndim)), eps)
    if running_mean is not None:
        n, c = x.shape[:2]
        _update_running_stats(
            owner,
            running_mean,
            running_var,
            mean.reshape(n, c).mean(axis=0),
            var.reshape(n, c).mean(axis=0),
            count,
            momentum,
        )
    return _scale_and_shift(out, weight, bias)


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise (N, C, *) over groups of C / num_groups channels (and all positions) per sample,
    then scale by weight and shift by bias (one per channel)."""
    return _group_norm("group_norm", input, num_groups, weight, bias, eps)


def _group_norm(owner, x, num_groups, weight, bias, eps) -> Tensor:
    if x.ndim < 2:
        raise RuntimeError(f"{owner}: expected an (N, C, *) input, got shape {tuple(x.shape)}")
    n, c = x.shape[:2]
    if num_groups < 1 or c % num_groups:
        raise RuntimeError(
            f"{owner}: the channels of input of shape {tuple(x.shape)} must be divisible by "
            f"num_groups={num_groups}"
        )
    for name, parameter in (("weight", weight), ("bias", bias)):
        if parameter is not None and tuple(parameter.shape) != (c,):
            raise RuntimeError(
                f"{owner}: expected {name} of shape ({c},) for input of shape {tuple(x.shape)}, "
                f"got {tuple(parameter.shape)}"
            )
    out, _, _ = _standardize(x.reshape(n, num_groups, -1), (2,), eps)
    return _scale_and_shift(out.reshape(x.shape), weight, bias)


def local_response_norm(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """Divide each value by (k + alpha * mean of squares over `size` neighbouring channels)^beta
    (AlexNet's normalisation across channels, dim 1, zero-padded at the ends)."""
    if input.ndim < 3:
        raise ValueError(
            f"local_response_norm: expected an (N, C, *) input of 3 or more dimensions, got "
            f"shape {tuple(input.shape)}"
        )
    channels = input.shape[1]
    squares = input * input
    widths = [(0, 0)] * input.ndim
    widths[1] = (size // 2, (size - 1) // 2)
    padded = tensor_pad(squares, widths)
    total = padded[:, :channels]
    for offset in range(1, size):
        total = total + padded[:, offset : offset + channels]
    return input / (total * (alpha / size) + k) ** beta


_INTERPOLATION_MODES = (
    "nearest",
    "linear",
    "bilinear",
    "bicubic",
    "trilinear",
    "area",
    "nearest-exact",
)
_MODE_RANK = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}


def _interpolation_sizes(owner: str, x: Tensor, size, scale_factor, recompute_scale_factor):
    """PyTorch's output size for each spatial axis, and the scale factors its kernels use (None
    where the size alone decides)."""
    spatial = tuple(x.shape[2:])
    n = len(spatial)
    if size is not None and scale_factor is not None:
        raise ValueError(f"{owner}: give only one of size and scale_factor")
    if size is None and scale_factor is None:
        raise ValueError(f"{owner}: give either size or scale_factor")
    if size is not None:
        if recompute_scale_factor:
            raise ValueError(f"{owner}: recompute_scale_factor is not meaningful with a size")
        sizes = tuple(size) if isinstance(size, tuple | list) else (size,) * n
        if len(sizes) != n:
            raise ValueError(
                f"{owner}: input with spatial size {list(spatial)} needs a size of {n} numbers, "
                f"got {size}"
            )
        if not all(isinstance(s, int | np.integer) and not isinstance(s, bool) for s in sizes):
            raise TypeError(f"{owner}: size must be an int or a tuple of ints, got {size}")
        return tuple(int(s) for s in sizes), (None,) * n
    factors = tuple(scale_factor) if isinstance(scale_factor, tuple | list) else (scale_factor,) * n
    if len(factors) != n:
        raise ValueError(
            f"{owner}: input with spatial size {list(spatial)} needs a scale_factor of {n} "
            f"numbers, got {scale_factor}"
        )
    sizes = tuple(math.floor(s * float(f)) for s, f in zip(spatial, factors))
    if recompute_scale_factor:
        return sizes, (None,) * n
    return sizes, tuple(float(f) for f in factors)


def interpolate(
    input: Tensor,
    size=None,
    scale_factor=None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize (N, C, L), (N, C, H, W) or (N, C, D, H, W) to `size`, or by `scale_factor`.

    Positions and weights follow PyTorch's kernels exactly: 'nearest' copies input position
    floor(j * scale) (scale = 1 / scale_factor, or input size / output size), 'nearest-exact'
    floor((j + 1/2) * scale); 'linear', 'bilinear' and 'trilinear' interpolate between the two
    neighbours of (j + 1/2) * scale - 1/2 (j * (in - 1) / (out - 1) with `align_corners=True`),
    'bicubic' between four with Keys' cubic (A = -0.75, edges repeated), and 'area' averages
    (adaptive average pooling).

    Args:
        size: the output's spatial size (an int, or one per spatial dimension), or
        scale_factor: a multiplier per spatial dimension; output size floor(size * factor).
        mode: one of 'nearest', 'linear' (3-D), 'bilinear', 'bicubic' (4-D), 'trilinear' (5-D),
            'area', 'nearest-exact'.
        align_corners: for the interpolating modes, map the corner pixels' centres onto each other.
        recompute_scale_factor: interpolate with input size / output size rather than the given
            scale_factor.
        antialias: not supported (an error when True).
    """
    owner = "interpolate"
    if mode not in _INTERPOLATION_MODES:
        raise NotImplementedError(
            f"{owner}: unknown mode {mode!r}; expected one of {_INTERPOLATION_MODES}"
        )
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                f"{owner}: align_corners can only be set with the interpolating modes linear, "
                "bilinear, bicubic and trilinear"
            )
    elif align_corners is None:
        align_corners = False
    if input.ndim not in (3, 4, 5):
        raise NotImplementedError(
            f"{owner}: expected a 3-D, 4-D or 5-D input (N, C, *spatial), got shape "
            f"{tuple(input.shape)}"
        )
    if mode in _MODE_RANK and input.ndim != _MODE_RANK[mode]:
        raise NotImplementedError(
            f"{owner}: mode {mode!r} needs a {_MODE_RANK[mode]}-D input, got {input.ndim}-D"
        )
    if antialias:
        raise NotImplementedError(f"{owner}: antialias=True is not supported")
    sizes, factors = _interpolation_sizes(owner, input, size, scale_factor, recompute_scale_factor)
    spatial = tuple(input.shape[2:])
    if min(sizes) < 1 or min(spatial) < 1:
        raise RuntimeError(
            f"{owner}: input and output sizes must be positive, got input {spatial} and output "
            f"{sizes}"
        )
    if mode == "area":
        return _average_bins(input, sizes)
    if mode not in ("nearest", "nearest-exact") and not input.is_floating_point():
        raise RuntimeError(
            f"{owner}: mode {mode!r} needs a floating-point input, got {input.dtype}"
        )
    return _resample(input, mode, sizes, factors, align_corners)


def _resample(x: Tensor, mode: str, sizes, factors, align_corners) -> Tensor:
    plan = []
    # Which of PyTorch's nearest kernels (they round differently) a contiguous input gets.
    one_pixel = x.ndim > 3 and x.shape[1] > 3 and math.prod(x.shape[2:]) == 1
    vectorized = one_pixel or (x.ndim == 4 and sum(sizes) <= 128)
    for axis, (before, after, factor) in enumerate(zip(x.shape[2:], sizes, factors), start=2):
        if mode.startswith("nearest"):
            exact = mode == "nearest-exact"
            index = C.nearest_positions(before, after, factor, exact, x.array.dtype, vectorized)
            plan.append((axis, index[None], None))
        elif mode == "bicubic":
            plan.append((axis, *C.cubic_taps(before, after, factor, align_corners, x.array.dtype)))
        elif after != before:  # PyTorch copies an axis whose size stays, whatever the factor
            plan.append((axis, *C.linear_taps(before, after, factor, align_corners, x.array.dtype)))
    return C.Resample.apply(x, plan=tuple(plan)) if plan else x.clone()


def upsample(
    input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None
) -> Tensor:
    """Deprecated name of interpolate (PyTorch warns too)."""
    warnings.warn("upsample is deprecated; use interpolate", DeprecationWarning, stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: interpolate(..., mode='nearest')."""
    warnings.warn(
        "upsample_nearest is deprecated; use interpolate", DeprecationWarning, stacklevel=2
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: interpolate(..., mode='bilinear', align_corners=True)."""
    warnings.warn(
        "upsample_bilinear is deprecated; use interpolate", DeprecationWarning, stacklevel=2
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
