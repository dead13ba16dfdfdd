"""Convolution and pooling as fused primitives: im2col and one matrix product, col2im per tap.

Images are NCHW to the user (like PyTorch). Inside, the convolution works channels-last: its output
is an NCHW view of NHWC memory, so the next layer's im2col copies contiguous runs of kernel width x
channels numbers, and elementwise ops and pooling keep that memory order (NumPy allocates results
in the order of their inputs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from wright.autograd import Function
from wright.tensor import Tensor

_AXIS_NAMES = {1: ("length",), 2: ("height", "width")}


def as_tuple(value, n: int, name: str, caller: str) -> tuple[int, ...]:
    """An int repeated n times, or a length-n sequence of ints, as a tuple (PyTorch's `_pair`)."""
    values = tuple(value) if isinstance(value, tuple | list) else (value,) * n
    if len(values) != n or not all(isinstance(v, int | np.integer) for v in values):
        raise ValueError(f"{caller}: {name} must be an int or {n} ints, got {value!r}")
    return tuple(int(v) for v in values)


@dataclass(frozen=True)
class Window:
    """Where a sliding window (a kernel) visits an image, per spatial axis.

    Attributes:
        kernel, stride, dilation: the window's size, its step, and the spacing of its taps.
        pad_before, pad_after: rows/columns added before and after; `pad_after` includes the
            overhang that `ceil_mode` adds so the last window can run off the image.
        out: the output size.
    """

    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    pad_before: tuple[int, ...]
    pad_after: tuple[int, ...]
    out: tuple[int, ...]

    @property
    def padded(self) -> bool:
        """Whether any side gets padding (or a ceil-mode overhang)."""
        return any(self.pad_before) or any(self.pad_after)

    @property
    def overlapping(self) -> bool:
        """Whether neighbouring windows share pixels (a stride shorter than the kernel's extent)."""
        return any(s < d * (k - 1) + 1 for k, s, d in zip(self.kernel, self.stride, self.dilation))

    def unsqueezed(self) -> Window:
        """The same window with a leading axis of size 1 added (a signal as a one-row image)."""
        return Window(
            (1,) + self.kernel,
            (1,) + self.stride,
            (1,) + self.dilation,
            (0,) + self.pad_before,
            (0,) + self.pad_after,
            (1,) + self.out,
        )

    def offsets(self):
        """For each kernel tap (i, j), row-major, the slices of the padded image the tap visits."""
        (kh, kw), (sh, sw), (dh, dw), (oh, ow) = self.kernel, self.stride, self.dilation, self.out
        for i in range(kh):
            for j in range(kw):
                yield (
                    slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
                    slice(j * dw, j * dw + sw * (ow - 1) + 1, sw),
                )


def sliding_window(
    caller: str,
    size: tuple[int, ...],
    kernel,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    pooling: bool = False,
) -> Window:
    """Check a kernel against an input's spatial size and work out the output size.

    Args:
        caller: names the layer or function in error messages.
        size: the input's spatial size, (L,) or (H, W).
        padding: an int or tuple; "valid" (none) or "same" (output as large as the input; stride 1
            only).
        stride: defaults to 1, or to the kernel size when `pooling`.
        ceil_mode: round the output size up, so a last partial window covers the image's edge.

    Raises:
        ValueError: with the arithmetic, when an argument is invalid or the kernel does not fit.
    """
    n = len(size)
    kernel = as_tuple(kernel, n, "kernel_size", caller)
    if stride is None:
        stride = kernel if pooling else 1
    stride = as_tuple(stride, n, "stride", caller)
    dilation = as_tuple(dilation, n, "dilation", caller)
    for name, values in (("kernel_size", kernel), ("stride", stride), ("dilation", dilation)):
        if min(values) < 1:
            raise ValueError(f"{caller}: {name} must be positive, got {values}")
    extent = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if padding == "valid":
        before = after = (0,) * n
    elif padding == "same":
        if pooling or max(stride) != 1:
            raise ValueError(
                f"{caller}: padding='same' needs stride 1 (and a convolution), got stride {stride}"
            )
        before = tuple((e - 1) // 2 for e in extent)
        after = tuple(e - 1 - b for e, b in zip(extent, before))
    elif isinstance(padding, str):
        raise ValueError(
            f"{caller}: padding must be an int, a tuple, 'valid' or 'same', got {padding!r}"
        )
    else:
        before = after = as_tuple(padding, n, "padding", caller)
        if min(before) < 0:
            raise ValueError(f"{caller}: padding must be >= 0, got {before}")
        if pooling and any(2 * p > k for p, k in zip(before, kernel)):
            raise ValueError(f"{caller}: padding {before} must be at most half the kernel {kernel}")
    out, overhang = [], []
    sides = zip(_AXIS_NAMES[n], size, extent, stride, before, after)
    for axis, (name, s, e, st, b, a) in enumerate(sides):
        span = s + b + a - e
        if span < 0:
            raise ValueError(
                f"{caller}: the kernel does not fit the input's {name}: output {name} = "
                f"floor(({name} {s} + padding {b} + {a} - dilation {dilation[axis]} * "
                f"(kernel_size {kernel[axis]} - 1) - 1) / stride {st}) + 1 = "
                f"floor({span} / {st}) + 1 = {span // st + 1} <= 0; the padded input ({s + b + a}) "
                f"is smaller than the kernel's extent ({e})"
            )
        count = (-(-span // st) if ceil_mode else span // st) + 1
        if ceil_mode and (count - 1) * st >= s + b:
            count -= 1  # the last window must start inside the image or its leading padding
        out.append(count)
        overhang.append(max((count - 1) * st + e - (s + b + a), 0))
    pad_after = tuple(a + o for a, o in zip(after, overhang))
    return Window(kernel, stride, dilation, before, pad_after, tuple(out))


def _pad_channels_last(x: np.ndarray, window: Window) -> np.ndarray:
    """The NCHW image as contiguous NHWC memory, with zero padding."""
    x = x.transpose(0, 2, 3, 1)
    if not window.padded:
        return np.ascontiguousarray(x)
    (top, left), (bottom, right) = window.pad_before, window.pad_after
    n, h, w, c = x.shape
    padded = np.zeros((n, h + top + bottom, w + left + right, c), x.dtype)
    padded[:, top : top + h, left : left + w] = x
    return padded


def _patches(padded: np.ndarray, window: Window) -> np.ndarray:
    """A read-only (N, OH, OW, KH, KW, C) view of every window of an NHWC image: im2col, no copy."""
    n, _, _, c = padded.shape
    sn, sh, sw, sc = padded.strides
    shape = (n, *window.out, *window.kernel, c)
    strides = (
        sn,
        sh * window.stride[0],
        sw * window.stride[1],
        sh * window.dilation[0],
        sw * window.dilation[1],
        sc,
    )
    return as_strided(padded, shape, strides, writeable=False)


# How many numbers of im2col columns to build at once in inference (1 MiB of float32: a core's L2).
_BLOCK_NUMBERS = 1 << 18


def _columns(patches: np.ndarray) -> np.ndarray:
    """Copy (N, OH, OW, KH, KW, g, C/g) patches into im2col columns (g, N*OH*OW, KH*KW*C/g).

    With one channel per group the copy runs tap-major, along image rows, rather than KW numbers at
    a time, and the columns come back as a transposed view, which the matrix product takes as is.
    """
    n, oh, ow, _, _, groups, group_channels = patches.shape
    if group_channels == 1:
        tap_major = patches.transpose(5, 3, 4, 6, 0, 1, 2).reshape(groups, -1, n * oh * ow)
        return tap_major.transpose(0, 2, 1)
    return patches.transpose(5, 0, 1, 2, 3, 4, 6).reshape(groups, n * oh * ow, -1)


class Conv2d(Function):
    """Cross-correlation of (N, C, H, W) images with (O, C/groups, KH, KW) kernels, as in PyTorch.

    Forward: columns (groups, N*OH*OW, KH*KW*C/groups) times the kernels, one product per group.
    Backward: the weight gradient is the output gradient times the columns; the input gradient is
    the output gradient times each tap's kernel slice, added back onto the pixels that tap read
    (col2im), one strided add per tap.
    """

    def forward(self, x, weight, bias=None, *, window, groups):
        n, c = x.shape[:2]
        out_channels, group_channels = weight.shape[0], c // groups
        (kh, kw), (oh, ow) = window.kernel, window.out
        patches = _patches(_pad_channels_last(x, window), window)
        patches = patches.reshape(n, oh, ow, kh, kw, groups, group_channels)
        # (O, C/g, KH, KW) -> (g, O/g, KH*KW*C/g), matching the columns' (KH, KW, C) order
        kernels = weight.reshape(groups, out_channels // groups, group_channels, kh, kw)
        kernels = kernels.transpose(0, 1, 3, 4, 2).reshape(groups, out_channels // groups, -1)
        if any(self.needs_input_grad):
            self.kernels, self.window, self.groups = kernels, window, groups
            self.x_shape, self.dtype = x.shape, x.dtype
        if self.needs_input_grad[1]:
            # The weight gradient needs the columns again: build them for the batch and keep them.
            self.cols = _columns(patches)
            out = np.matmul(self.cols, kernels.transpose(0, 2, 1))
        else:
            # Otherwise build them a few images at a time: each block is still in cache when the
            # product reads it, and no batch-sized buffer is allocated.
            out = np.empty((groups, n * oh * ow, out_channels // groups), np.result_type(x, weight))
            images = max(1, _BLOCK_NUMBERS // (oh * ow * kernels.shape[2]))
            for start in range(0, n, images):
                rows = slice(start * oh * ow, min(start + images, n) * oh * ow)
                cols = _columns(patches[start : start + images])
                np.matmul(cols, kernels.transpose(0, 2, 1), out=out[:, rows])
        out = out.transpose(1, 0, 2).reshape(n * oh, -1)
        if bias is not None:
            # Rows of whole output lines (OW pixels x O channels) add faster than rows of O numbers.
            out += np.tile(bias, ow)
        return out.reshape(n, oh, ow, out_channels).transpose(0, 3, 1, 2)

    def backward(self, grad):
        need_x, need_w = self.needs_input_grad[:2]
        groups, kernels = self.groups, self.kernels
        n, out_channels, oh, ow = grad.shape
        grad_rows = grad.transpose(0, 2, 3, 1).reshape(n * oh * ow, groups, -1).transpose(1, 0, 2)
        grad_x = grad_w = grad_b = None
        if need_w:
            (kh, kw), c = self.window.kernel, self.x_shape[1]
            grad_w = np.matmul(grad_rows.transpose(0, 2, 1), self.cols)
            grad_w = grad_w.reshape(out_channels, kh, kw, c // groups).transpose(0, 3, 1, 2).copy()
        if need_x:
            grad_x = self._col2im(grad_rows, kernels)
        if len(self.needs_input_grad) == 3 and self.needs_input_grad[2]:
            # A matrix-vector product sums over N*OH*OW far faster than a reduction of short rows.
            grad_b = np.matmul(np.ones(n * oh * ow, grad.dtype), grad_rows).reshape(out_channels)
        return (grad_x, grad_w) if len(self.needs_input_grad) == 2 else (grad_x, grad_w, grad_b)

    def _col2im(self, grad_rows, kernels):
        """The input gradient: per tap, the output gradient times that tap's kernel slice, added
        onto the pixels the tap read. Tap-major products make each add a contiguous block."""
        window, groups = self.window, self.groups
        (top, left), (bottom, right) = window.pad_before, window.pad_after
        n, c, h, w = self.x_shape
        (kh, kw), (oh, ow) = window.kernel, window.out
        hp, wp = h + top + bottom, w + left + right
        by_tap = kernels.reshape(groups, -1, kh * kw, c // groups).transpose(0, 2, 1, 3)
        tap_grads = np.matmul(grad_rows[:, None], by_tap)  # (g, KH*KW, N*OH*OW, C/g)
        grad_padded = np.zeros((n, hp, wp, groups, c // groups), self.dtype)
        for tap, (rows, columns) in enumerate(window.offsets()):
            tap_grad = tap_grads[:, tap].reshape(groups, n, oh, ow, -1)
            grad_padded[:, rows, columns] += tap_grad.transpose(1, 2, 3, 0, 4)
        grad_padded = grad_padded.reshape(n, hp, wp, c)
        return grad_padded[:, top : top + h, left : left + w].transpose(0, 3, 1, 2)


def _pad_like(x: np.ndarray, window: Window, value: float) -> np.ndarray:
    """x padded on its last two axes with `value`, in x's memory order (NCHW or channels-last)."""
    if not window.padded:
        return x
    (top, left), (bottom, right) = window.pad_before, window.pad_after
    n, c, h, w = x.shape
    padded = np.full_like(x, value, shape=(n, c, h + top + bottom, w + left + right))
    padded[:, :, top : top + h, left : left + w] = x
    return padded


def _crop(padded: np.ndarray, window: Window, shape: tuple[int, ...]) -> np.ndarray:
    (top, left), (h, w) = window.pad_before, shape[2:]
    return padded[:, :, top : top + h, left : left + w]


class MaxPool2d(Function):
    """The largest value in each window; padding and a ceil-mode overhang count as -inf.

    Forward keeps, per output, which tap won (the first in row-major order on ties, as in
    PyTorch); backward sends each gradient to that tap only. Both loop over the kernel's taps, not
    over pixels.
    """

    def forward(self, x, window):
        padded = _pad_like(x, window, -np.inf)
        taps = [padded[:, :, rows, columns] for rows, columns in window.offsets()]
        out = taps[0].copy(order="K")
        index_type = np.min_scalar_type(len(taps))
        winner = np.zeros_like(out, dtype=index_type)
        candidate = np.empty_like(out, dtype=index_type)
        for index, tap in enumerate(taps[1:], start=1):
            # Taps come in increasing index order, so the winner is the largest index that beat the
            # running max: a maximum of index * (tap > max), much faster than a masked assignment.
            np.multiply(np.greater(tap, out), index_type.type(index), out=candidate)
            np.maximum(winner, candidate, out=winner)
            np.maximum(out, tap, out=out)
        self.winner, self.window, self.padded_shape, self.x = winner, window, padded.shape, x
        return out

    def backward(self, grad):
        grad_padded = np.zeros_like(self.x, shape=self.padded_shape, dtype=grad.dtype)
        chosen = np.empty_like(grad)
        for index, (rows, columns) in enumerate(self.window.offsets()):
            if self.window.overlapping:
                np.multiply(grad, self.winner == index, out=chosen)
                grad_padded[:, :, rows, columns] += chosen
            else:
                # A pixel is in one window at most, so the taps' views never meet: write in place.
                np.multiply(grad, self.winner == index, out=grad_padded[:, :, rows, columns])
        return _crop(grad_padded, self.window, self.x.shape)


def _divisors(window: Window, size: tuple[int, int], count_include_pad: bool) -> np.ndarray | float:
    """How many numbers each average is over: (OH, OW), or one number when all windows are full."""
    counts = []
    sides = zip(size, window.kernel, window.stride, window.pad_before, window.out)
    for s, k, st, before, o in sides:
        start = np.arange(o) * st - before
        # PyTorch counts padding (when asked) but never the ceil-mode overhang past it
        end = np.minimum(start + k, s + before)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, s)
        counts.append(end - start)
    divisors = np.outer(counts[0], counts[1])
    full = math.prod(window.kernel)
    return float(full) if np.all(divisors == full) else divisors


class AvgPool2d(Function):
    """The mean of each window: one strided view per kernel tap, summed, over the window's count."""

    def forward(self, x, window, count_include_pad=True):
        padded = _pad_like(x, window, 0.0)
        divisor = _divisors(window, x.shape[2:], count_include_pad)
        scale = (1.0 / divisor) if isinstance(divisor, float) else (1.0 / divisor).astype(x.dtype)
        out = None
        for rows, columns in window.offsets():
            tap = padded[:, :, rows, columns]
            out = tap.copy(order="K") if out is None else np.add(out, tap, out=out)
        out *= scale
        self.scale, self.window, self.padded_shape, self.x = scale, window, padded.shape, x
        return out

    def backward(self, grad):
        grad_padded = np.zeros_like(self.x, shape=self.padded_shape, dtype=grad.dtype)
        share = grad * self.scale
        for rows, columns in self.window.offsets():
            grad_padded[:, :, rows, columns] += share
        return _crop(grad_padded, self.window, self.x.shape)


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None, window: Window, groups: int) -> Tensor:
    """Apply the Conv2d op to tensors, leaving out a missing bias."""
    if bias is None:
        return Conv2d.apply(x, weight, window=window, groups=groups)
    return Conv2d.apply(x, weight, bias, window=window, groups=groups)
