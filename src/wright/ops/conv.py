"""Convolution, pooling and resampling as fused primitives: im2col and one matrix product, col2im
per tap, running maxima over taps, gathers along axes.

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

from wright import backend, parallel
from wright.autograd import Function
from wright.backend import array_module
from wright.ops.shape import _sum_rows
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
    xp = array_module(x)
    x = x.transpose(0, 2, 3, 1)
    if not window.padded:
        return xp.ascontiguousarray(x)
    (top, left), (bottom, right) = window.pad_before, window.pad_after
    n, h, w, c = x.shape
    padded = xp.zeros((n, h + top + bottom, w + left + right, c), x.dtype)
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
    if type(padded) is np.ndarray:
        return as_strided(padded, shape, strides, writeable=False)
    return array_module(padded).lib.stride_tricks.as_strided(padded, shape, strides)


# How many numbers one block of images puts in its im2col columns (or col2im tap values, or a
# pooling pass): 4 MiB of float32, in the L3 cache. A block is built, multiplied and added while it
# is still in cache, and the blocks are what the threads share out.
_BLOCK_NUMBERS = 1 << 20
# The fewest numbers a block holds when the batch is split over threads (1 MiB of float32): on a
# smaller block each NumPy call is so short that handing the GIL between the threads (tens of
# microseconds on a virtual machine) costs more than the second thread saves.
_MIN_BLOCK_NUMBERS = 1 << 18
# A batch smaller than this (16 MiB of float32) goes in one block while BLAS may use its own
# threads (`parallel.blas_threads_free`: no op of the model needs wright's pool and the machine is
# idle): its product then runs on BLAS's threads, which hand work over faster than wright's.
_WHOLE_BATCH_NUMBERS = 1 << 22


def _over_images(body, n: int, images: int, like) -> None:
    # Blocks of images over wright's pool; whether the pool is needed was noted when the block size
    # was chosen (`_images_per_block`), so that splitting only because other ops use the pool does
    # not keep BLAS's threads from every op for good.
    parallel.run_chunks(body, n, images, like=like, mark=False)


def _images_per_block(numbers_per_image: int, n: int, like) -> int:
    """Images per block: what fits `_BLOCK_NUMBERS`, and, over threads, at most a third of each
    thread's share of the batch (so a thread that starts late still finds blocks to take) but no
    fewer than `_MIN_BLOCK_NUMBERS` hold, or a small batch whole (`_WHOLE_BATCH_NUMBERS`). Arrays
    `like` that are not NumPy's go in one block: a GPU has the memory, and one large product is
    fastest."""
    if type(like) is not np.ndarray:
        return max(1, n)
    per_image = max(1, numbers_per_image)
    fit = max(1, _BLOCK_NUMBERS // per_image)
    threads = parallel.usable_threads()
    if threads == 1:
        return fit
    if n * per_image >= _WHOLE_BATCH_NUMBERS:
        parallel.pool_needed()
    elif parallel.blas_threads_free():
        return max(1, n)
    share, least = -(-n // (3 * threads)), -(-_MIN_BLOCK_NUMBERS // per_image)
    return max(1, min(fit, max(share, least)))


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


def _kernel_rows(weight: np.ndarray, groups: int) -> np.ndarray:
    """(O, C/g, KH, KW) kernels as (g, O/g, KH*KW*C/g) rows, in the columns' (KH, KW, C) order."""
    out_channels, group_channels, kh, kw = weight.shape
    kernels = weight.reshape(groups, out_channels // groups, group_channels, kh, kw)
    return kernels.transpose(0, 1, 3, 4, 2).reshape(groups, out_channels // groups, -1)


def _image_rows(image: np.ndarray, groups: int) -> np.ndarray:
    """(N, C, H, W) as (g, N*H*W, C/g): one row of channels per pixel, per group."""
    n, c, h, w = image.shape
    return image.transpose(0, 2, 3, 1).reshape(n * h * w, groups, c // groups).transpose(1, 0, 2)


def _group_patches(x: np.ndarray, window: Window, groups: int) -> np.ndarray:
    """Every window of an NCHW image: an (N, OH, OW, KH, KW, g, C/g) view of padded NHWC memory."""
    n, c = x.shape[:2]
    patches = _patches(_pad_channels_last(x, window), window)
    return patches.reshape(n, *window.out, *window.kernel, groups, c // groups)


def _correlate(
    x, kernels, window: Window, groups: int, bias=None, keep=False, partner=None, images=None
):
    """Cross-correlate NCHW images with (g, O/g, K) kernel rows: the output as (g, N*OH*OW, O/g)
    rows, plus the bias.

    Works a block of images at a time, the blocks spread over threads: a block's columns are built,
    multiplied while still in cache, then dropped. `keep` keeps them instead (one array per block,
    for the weight gradient); given `partner`, (g, N*OH*OW, P) rows, each block adds partner^T
    times its columns to a (g, P, K) sum. Returns the rows (None without kernels: only the sum is
    wanted) and the kept blocks or that sum (or None). `images` per block: see `_conv_images`.
    """
    xp = array_module(x)
    n, c = x.shape[:2]
    (oh, ow), pixels = window.out, math.prod(window.out)
    width = math.prod(window.kernel) * c // groups
    out = None
    if kernels is not None:
        dtype = np.result_type(x.dtype, kernels.dtype)
        out = xp.empty((groups, n * pixels, kernels.shape[1]), dtype)
        kernels_t = kernels.transpose(0, 2, 1)
    # Whole output lines (OW pixels x O/g channels) take the bias faster than rows of O/g numbers.
    line_bias = None if bias is None else xp.tile(bias.reshape(groups, 1, -1), ow)
    images = images or _conv_images(x, window, groups)
    extra = [None] * -(-n // images)

    def block(start, stop):
        rows = slice(start * pixels, stop * pixels)
        cols = _columns(_group_patches(x[start:stop], window, groups))
        if out is not None:
            xp.matmul(cols, kernels_t, out=out[:, rows])
        if line_bias is not None:
            lines = out[:, rows].reshape(groups, (stop - start) * oh, -1)
            lines += line_bias
        if keep:
            extra[start // images] = cols
        elif partner is not None:
            extra[start // images] = xp.matmul(partner[:, rows].transpose(0, 2, 1), cols)

    _over_images(block, n, images, like=x)
    if partner is not None:
        return out, _block_sum(extra, (groups, partner.shape[2], width), partner.dtype, x)
    return out, (extra if keep else None)


def _block_sum(parts: list, shape, dtype, like) -> np.ndarray:
    """The sum of per-block partial results (zeros on the device of `like` for an empty batch)."""
    if not parts:
        return array_module(like).zeros(shape, dtype)
    if type(parts[0]) is np.ndarray:
        return np.sum(parts, axis=0)
    return array_module(parts[0]).stack(parts).sum(axis=0)


def _rows_to_image(rows: np.ndarray, n: int, oh: int, ow: int) -> np.ndarray:
    """(g, N*OH*OW, O/g) output rows as an (N, O, OH, OW) view of NHWC memory (a copy if g > 1)."""
    # The channel count is spelled out: -1 cannot be inferred for an empty batch.
    out = rows.transpose(1, 0, 2).reshape(n, oh, ow, rows.shape[0] * rows.shape[2])
    return out.transpose(0, 3, 1, 2)


def _col2im(rows_of, kernels, window: Window, groups: int, shape, dtype, like, images, also=None):
    """The transpose of im2col and product, into an image of `shape` (N, C, H, W).

    A block of images [start, stop) at a time, the blocks spread over threads: rows_of(start, stop)
    gives the block's (g, m, O/g) output-side rows; each kernel tap's product with them is added
    onto the pixels that the tap read (tap-major products make each add a contiguous block).
    `also(start, stop, rows)` runs on each block's rows too (for the weight and bias gradients).
    """
    (top, left), (bottom, right) = window.pad_before, window.pad_after
    n, c, h, w = shape
    (kh, kw), (oh, ow) = window.kernel, window.out
    xp = array_module(like)
    by_tap = kernels.reshape(groups, -1, kh * kw, c // groups).transpose(0, 2, 1, 3)
    padded = xp.empty((n, h + top + bottom, w + left + right, groups, c // groups), dtype)

    def block(start, stop):
        rows = rows_of(start, stop)
        if also is not None:
            also(start, stop, rows)
        tap_values = xp.matmul(rows[:, None], by_tap)  # (g, KH*KW, m, C/g)
        image = padded[start:stop]
        image[...] = 0
        for tap, (tap_rows, tap_columns) in enumerate(window.offsets()):
            values = tap_values[:, tap].reshape(groups, stop - start, oh, ow, -1)
            image[:, tap_rows, tap_columns] += values.transpose(1, 2, 3, 0, 4)

    _over_images(block, n, images, like=like)
    padded = padded.reshape(n, *padded.shape[1:3], c)
    return padded[:, top : top + h, left : left + w].transpose(0, 3, 1, 2)


def _conv_images(x, window: Window, groups: int, shape=None) -> int:
    """Images per block for a convolution of (N, C, H, W) images `x` (or of `shape`, on x's
    device): its columns, or col2im's tap values, take OH*OW*KH*KW*C/g numbers per image."""
    n, c = (shape or x.shape)[:2]
    numbers = math.prod(window.out) * math.prod(window.kernel) * c // groups
    return _images_per_block(numbers, n, x)


def _kernel_layout(grad: np.ndarray, window: Window, group_channels: int) -> np.ndarray:
    """A (g, O/g, KH*KW*C/g) kernel-rows gradient as (O, C/g, KH, KW)."""
    kh, kw = window.kernel
    return grad.reshape(-1, kh, kw, group_channels).transpose(0, 3, 1, 2).copy()


def _row_sums(rows: np.ndarray) -> np.ndarray:
    """The sum of (g, M, O/g) rows over M, as O numbers (a bias gradient)."""
    # A matrix-vector product sums over M far faster than a reduction of short rows.
    xp = array_module(rows)
    return xp.matmul(xp.ones(rows.shape[1], rows.dtype), rows).reshape(-1)


class Conv2d(Function):
    """Cross-correlation of (N, C, H, W) images with (O, C/groups, KH, KW) kernels, as in PyTorch.

    Forward: columns (groups, N*OH*OW, KH*KW*C/groups) times the kernels, one product per group
    and block of images. Backward, per block: the weight gradient is the output gradient times the
    columns (summed over blocks); the input gradient is the output gradient times each tap's kernel
    slice, added back onto the pixels that tap read (col2im), one strided add per tap.
    """

    def forward(self, x, weight, bias=None, *, window, groups):
        n, (oh, ow) = x.shape[0], window.out
        kernels = _kernel_rows(weight, groups)
        # The weight gradient needs the columns again: keep them, block by block, and work the
        # backward pass in the same blocks.
        images = _conv_images(x, window, groups)
        keep = self.needs_input_grad[1]
        rows, cols = _correlate(x, kernels, window, groups, bias, keep=keep, images=images)
        if any(self.needs_input_grad):
            self.kernels, self.window, self.groups, self.cols = kernels, window, groups, cols
            self.x_shape, self.dtype, self.images = x.shape, x.dtype, images
        return _rows_to_image(rows, n, oh, ow)

    def backward(self, grad):
        need_x, need_w = self.needs_input_grad[:2]
        need_b = len(self.needs_input_grad) == 3 and self.needs_input_grad[2]
        groups, kernels, images = self.groups, self.kernels, self.images
        weight_parts = [None] * -(-grad.shape[0] // images)
        bias_parts = list(weight_parts)

        def rows_of(start, stop):
            return _image_rows(grad[start:stop], groups)

        def parameter_parts(start, stop, rows):
            if need_w:
                weight_parts[start // images] = array_module(rows).matmul(
                    rows.transpose(0, 2, 1), self.cols[start // images]
                )
            if need_b:
                bias_parts[start // images] = _row_sums(rows)

        grad_x = grad_w = grad_b = None
        if need_x:
            grad_x = _col2im(
                rows_of,
                kernels,
                self.window,
                groups,
                self.x_shape,
                self.dtype,
                grad,
                images,
                parameter_parts,
            )
        else:
            _over_images(
                lambda start, stop: parameter_parts(start, stop, rows_of(start, stop)),
                grad.shape[0],
                images,
                like=grad,
            )
        if need_w:
            grad_w = _kernel_layout(
                _block_sum(weight_parts, kernels.shape, grad.dtype, grad),
                self.window,
                self.x_shape[1] // groups,
            )
        if need_b:
            grad_b = _block_sum(
                bias_parts, (kernels.shape[0] * kernels.shape[1],), grad.dtype, grad
            )
        if len(self.needs_input_grad) == 2:
            return grad_x, grad_w
        return grad_x, grad_w, grad_b


class ConvTranspose2d(Function):
    """The transpose of Conv2d (a "deconvolution"): (N, C_in, H, W) images and (C_in,
    C_out/groups, KH, KW) kernels give (N, C_out, OH, OW), as in PyTorch.

    `window` describes the convolution this op reverses, from the output (OH, OW) back to (H, W).
    Forward is that convolution's input gradient (col2im); backward is the convolution itself: the
    input gradient is the output gradient's columns times the kernels, and the weight gradient the
    input's rows times those columns.
    """

    def forward(self, x, weight, bias=None, *, window, groups, size):
        n = x.shape[0]
        dtype = np.result_type(x.dtype, weight.dtype)
        kernels = _kernel_rows(weight, groups)
        shape = (n, weight.shape[1] * groups, *size)
        out = _col2im(
            lambda start, stop: _image_rows(x[start:stop], groups),
            kernels,
            window,
            groups,
            shape,
            dtype,
            x,
            _conv_images(x, window, groups, shape),
        )
        if bias is not None:
            out += bias.reshape(-1, 1, 1)
        if any(self.needs_input_grad):
            self.kernels, self.window, self.groups, self.x = kernels, window, groups, x
        return out

    def backward(self, grad):
        need_x, need_w = self.needs_input_grad[:2]
        n, _, h, w = self.x.shape
        partner = _image_rows(self.x, self.groups) if need_w else None
        kernels = self.kernels if need_x else None
        rows, grad_w = _correlate(grad, kernels, self.window, self.groups, partner=partner)
        grad_x = _rows_to_image(rows, n, h, w) if need_x else None
        if grad_w is not None:
            grad_w = _kernel_layout(grad_w, self.window, grad.shape[1] // self.groups)
        if len(self.needs_input_grad) == 2:
            return grad_x, grad_w
        grad_b = grad.sum(axis=(0, 2, 3)) if self.needs_input_grad[2] else None
        return grad_x, grad_w, grad_b


def _pad_like(x: np.ndarray, window: Window, value: float) -> np.ndarray:
    """x padded on its last two axes with `value`, in x's memory order (NCHW or channels-last)."""
    if not window.padded:
        return x
    (top, left), (bottom, right) = window.pad_before, window.pad_after
    n, c, h, w = x.shape
    padded = array_module(x).full_like(x, value, shape=(n, c, h + top + bottom, w + left + right))
    padded[:, :, top : top + h, left : left + w] = x
    return padded


def _crop(padded: np.ndarray, window: Window, shape: tuple[int, ...]) -> np.ndarray:
    (top, left), (h, w) = window.pad_before, shape[2:]
    return padded[:, :, top : top + h, left : left + w]


def _running_max(taps: list[np.ndarray], out: np.ndarray, winner: np.ndarray) -> None:
    """Write the elementwise maximum of same-shaped arrays into `out`, and which of them (its
    index) holds it into `winner`.

    Ties go to the first tap and NaN to the last NaN, as PyTorch's kernels scan a window.
    """
    xp = array_module(out)
    xp.copyto(out, taps[0])
    winner[...] = 0
    candidate = xp.empty_like(winner)
    for index, tap in enumerate(taps[1:], start=1):
        # Taps come in increasing index order, so the winner is the largest index that beat the
        # running max: a maximum of index * (tap > max), much faster than a masked assignment.
        xp.multiply(xp.greater(tap, out), winner.dtype.type(index), out=candidate)
        xp.maximum(winner, candidate, out=winner)
        xp.maximum(out, tap, out=out)
    if out.dtype.kind == "f" and xp.isnan(out).any():
        for index, tap in enumerate(taps):
            winner[xp.isnan(tap)] = index


class MaxPool2d(Function):
    """The largest value in each window; padding and a ceil-mode overhang count as -inf.

    Forward keeps, per output, which tap won (the first in row-major order on ties, as in
    PyTorch); backward sends each gradient to that tap only. Both loop over the kernel's taps, not
    over pixels, a block of images at a time, the blocks spread over threads. Given a list as
    `indices`, forward appends the winners' flat positions in the input's (H, W) plane to it
    (PyTorch's `return_indices`).
    """

    def forward(self, x, window, indices=None):
        xp = array_module(x)
        n, c = x.shape[:2]
        taps = math.prod(window.kernel)
        # Results keep x's memory order (channels-last after a convolution).
        out = xp.empty_like(x, shape=(n, c, *window.out))
        winner = xp.empty_like(out, dtype=np.min_scalar_type(taps))

        def block(start, stop):
            padded = _pad_like(x[start:stop], window, -np.inf)
            views = [padded[:, :, rows, columns] for rows, columns in window.offsets()]
            _running_max(views, out[start:stop], winner[start:stop])

        images = _images_per_block(math.prod(x.shape[1:]), n, x)
        _over_images(block, n, images, like=x)
        self.winner, self.window, self.x, self.images = winner, window, x, images
        if indices is not None:
            indices.append(_flat_positions(winner, window, x.shape[3]))
        return out

    def backward(self, grad):
        xp, window, x = array_module(grad), self.window, self.x
        (top, left), (bottom, right) = window.pad_before, window.pad_after
        n, c, h, w = x.shape
        grad_padded = xp.empty_like(x, grad.dtype, shape=(n, c, h + top + bottom, w + left + right))
        # Windows that tile the padded image (stride = kernel, no dilation, no pixel left over)
        # write every pixel exactly once.
        sides = zip(
            window.kernel, window.stride, window.dilation, window.out, grad_padded.shape[2:]
        )
        tiled = all(k == s and (d == 1 or k == 1) and o * s == size for k, s, d, o, size in sides)

        def block(start, stop):
            target, winner = grad_padded[start:stop], self.winner[start:stop]
            # The gradient in the winners' memory order, so each pass below runs along memory.
            share = xp.empty_like(winner, dtype=grad.dtype)
            xp.copyto(share, grad[start:stop])
            if not tiled:
                target[...] = 0
            for index, (rows, columns) in enumerate(window.offsets()):
                chosen = xp.equal(winner, index).view(np.uint8)  # a uint8 factor multiplies faster
                if window.overlapping:
                    target[:, :, rows, columns] += share * chosen
                else:
                    # A pixel is in one window at most, so the taps' views never meet.
                    xp.multiply(share, chosen, out=target[:, :, rows, columns])

        _over_images(block, n, self.images, like=grad)
        return _crop(grad_padded, window, x.shape)


def _flat_positions(winner: np.ndarray, window: Window, width: int) -> np.ndarray:
    """Where each window's winning tap sits in the unpadded input, as row * width + column."""
    kw, (sh, sw), (dh, dw) = window.kernel[1], window.stride, window.dilation
    (top, left), (oh, ow) = window.pad_before, window.out
    xp = array_module(winner)
    tap_row, tap_column = xp.divmod(winner.astype(np.int64), kw)
    rows = xp.arange(oh)[:, None] * sh - top + tap_row * dh
    columns = xp.arange(ow) * sw - left + tap_column * dw
    return rows * width + columns


def _divisors(
    window: Window, size: tuple[int, int], count_include_pad: bool, divisor_override: int | None
) -> np.ndarray | float:
    """How many numbers each average is over: (OH, OW), or one number when all windows are full
    (or the caller fixed the divisor)."""
    if divisor_override is not None:
        return float(divisor_override)
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
    """The mean of each window: one strided view per kernel tap, summed, over the window's count;
    a block of images at a time, the blocks spread over threads."""

    def forward(self, x, window, count_include_pad=True, divisor_override=None):
        xp = array_module(x)
        n, c = x.shape[:2]
        divisor = _divisors(window, x.shape[2:], count_include_pad, divisor_override)
        if isinstance(divisor, float):
            scale = 1.0 / divisor
        else:  # worked out on the host; used where x is
            scale = backend.array_like((1.0 / divisor).astype(x.dtype), x)
        out = xp.empty_like(x, shape=(n, c, *window.out))

        def block(start, stop):
            padded, target = _pad_like(x[start:stop], window, 0.0), out[start:stop]
            for index, (rows, columns) in enumerate(window.offsets()):
                tap = padded[:, :, rows, columns]
                if index:
                    target += tap
                else:
                    xp.copyto(target, tap)
            target *= scale

        self.images = _images_per_block(math.prod(x.shape[1:]), n, x)
        _over_images(block, n, self.images, like=x)
        self.scale, self.window, self.x = scale, window, x
        return out

    def backward(self, grad):
        xp, window, x = array_module(grad), self.window, self.x
        (top, left), (bottom, right) = window.pad_before, window.pad_after
        n, c, h, w = x.shape
        grad_padded = xp.empty_like(x, grad.dtype, shape=(n, c, h + top + bottom, w + left + right))

        def block(start, stop):
            target = grad_padded[start:stop]
            target[...] = 0
            # Each window's share, in the input's memory order, so the adds run along memory.
            share = xp.empty_like(target, shape=grad[start:stop].shape)
            xp.multiply(grad[start:stop], self.scale, out=share)
            for rows, columns in window.offsets():
                target[:, :, rows, columns] += share

        _over_images(block, n, self.images, like=grad)
        return _crop(grad_padded, window, x.shape)


class MaxUnpool(Function):
    """The inverse of max pooling: each value goes to its flat position `indices` in an output of
    spatial `size`, zeros elsewhere; the gradient gathers from the same positions."""

    def forward(self, x, indices, size):
        xp = array_module(x)
        planes = x.shape[0] * x.shape[1]
        self.positions, self.x_shape = indices.reshape(planes, -1), x.shape
        out = xp.zeros((planes, math.prod(size)), x.dtype)
        xp.put_along_axis(out, self.positions, x.reshape(planes, -1), axis=1)
        return out.reshape(*x.shape[:2], *size)

    def backward(self, grad):
        planes = grad.reshape(self.positions.shape[0], -1)
        return (
            array_module(grad).take_along_axis(planes, self.positions, axis=1).reshape(self.x_shape)
        )


def adaptive_bins(size: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's adaptive pooling bins along one axis: bin i covers [floor(i size / out),
    ceil((i + 1) size / out))."""
    bins = np.arange(out)
    return bins * size // out, -(-(bins + 1) * size // out)


def _bin_taps(size: int, out: int) -> np.ndarray:
    """(K, out) positions: tap k of bin i is its k-th element, or its last for shorter bins (a
    repeat, which leaves a maximum unchanged)."""
    start, end = adaptive_bins(size, out)
    longest = int((end - start).max()) if out else 0
    return np.minimum(start + np.arange(longest)[:, None], end - 1)


class AdaptiveMaxPool2d(Function):
    """The largest value in each adaptive bin (see `adaptive_bins`), as PyTorch.

    Forward gathers one (OH, OW) map per bin tap and keeps a running max (first maximum on ties);
    backward adds each gradient to its winner with one bincount. Given a list as `indices`, forward
    appends the winners' flat positions in the input's (H, W) plane to it.
    """

    def forward(self, x, size, indices=None):
        xp = array_module(x)
        h, w = x.shape[2:]
        # The bins are worked out on the host; their positions are used where x is.
        rows = backend.array_like(_bin_taps(h, size[0]), x)
        columns = backend.array_like(_bin_taps(w, size[1]), x)
        taps = [x[:, :, r[:, None], col] for r in rows for col in columns]
        out = xp.empty_like(taps[0])
        winner = xp.empty_like(out, dtype=np.min_scalar_type(len(taps)))
        _running_max(taps, out, winner)
        tap_row, tap_column = xp.divmod(winner.astype(np.int64), len(columns))
        positions = (
            rows[tap_row, xp.arange(size[0])[:, None]] * w + columns[tap_column, xp.arange(size[1])]
        )
        self.positions, self.x_shape = positions, x.shape
        if indices is not None:
            indices.append(positions)
        return out

    def backward(self, grad):
        xp = array_module(grad)
        n, c, h, w = self.x_shape
        planes = (xp.arange(n * c) * (h * w)).reshape(n, c, 1, 1)
        total = xp.bincount(
            (self.positions + planes).ravel(), weights=grad.ravel(), minlength=n * c * h * w
        )
        return total.astype(grad.dtype, copy=False).reshape(self.x_shape)


class Resample(Function):
    """Resampling axis by axis: each output position along an axis is a weighted sum of a few
    input positions along it (padding by reflection, replication or wrapping; nearest, linear
    and cubic interpolation).

    `plan` holds, per axis, (axis, index, weights): index (T, out) picks T input positions for
    every output position, and weights (T, out), or None for a single tap, weighs them. Forward
    gathers and sums per tap. Backward adds each tap's weighted gradient back onto the positions
    it picked (repeats summed): a few slice adds when the picks come in a few runs (padding),
    else one product with the (in, out) resampling matrix (interpolation), else a sort-and-sum.
    """

    def forward(self, x, plan):
        self.plan, self.sizes = plan, []
        for axis, index, weights in plan:
            self.sizes.append(x.shape[axis])
            x = _gather_along(x, axis, index, weights)
        return x

    def backward(self, grad):
        for (axis, index, weights), size in zip(reversed(self.plan), reversed(self.sizes)):
            grad = _scatter_along(grad, axis % grad.ndim, index, weights, size)
        return grad


def _weights_along(weights: np.ndarray, axis: int, ndim: int) -> np.ndarray:
    """Per-position weights (out,) shaped to broadcast along `axis` of an ndim-dimensional array."""
    return weights.reshape((-1,) + (1,) * (ndim - 1 - axis % ndim))


def _gather_along(x, axis, index, weights):
    # The plan is made on the host; its positions and weights are used where x is.
    xp = array_module(x)
    index = backend.array_like(index, x)
    weights = None if weights is None else backend.array_like(weights, x)
    out = None
    for tap, picks in enumerate(index):
        values = xp.take(x, picks, axis=axis)
        if weights is not None:
            values *= _weights_along(weights[tap], axis, x.ndim)
        out = values if out is None else xp.add(out, values, out=out)
    return out


# Backward strategies for Resample: at most this many runs of picks are added slice by slice,
# and resampling matrices up to this many entries are multiplied densely.
_MAX_RUNS = 16
_MAX_MATRIX = 1 << 22


def _runs(picks: np.ndarray) -> list[tuple[int, int, int, int]] | None:
    """Split output positions into runs (start, stop, first pick, step) whose picks move by a
    constant step of -1, 0 or 1; None when there are more than _MAX_RUNS."""
    steps = np.diff(picks)
    runs, start = [], 0
    while start < len(picks):
        if len(runs) == _MAX_RUNS:
            return None
        if start == len(steps) or abs(steps[start]) > 1:
            step, stop = 1, start + 1  # a run of one
        else:
            step = int(steps[start])
            different = np.flatnonzero(steps[start:] != step)
            stop = start + 1 + (int(different[0]) if len(different) else len(steps) - start)
        runs.append((start, stop, int(picks[start]), step))
        start = stop
    return runs


def _scatter_along(grad, axis, index, weights, size):
    xp = array_module(grad)
    shape = list(grad.shape)
    shape[axis] = size
    full = xp.zeros(shape, grad.dtype)
    if grad.size == 0:
        return full
    before = (slice(None),) * axis
    runs = _runs(index[0]) if weights is None and len(index) == 1 else None
    if runs is not None:
        for start, stop, first, step in runs:
            part = grad[(*before, slice(start, stop))]
            if step == 0:
                full[(*before, slice(first, first + 1))] += part.sum(axis=axis, keepdims=True)
            elif step == 1:
                full[(*before, slice(first, first + stop - start))] += part
            else:
                full[(*before, slice(first - (stop - start) + 1, first + 1))] += xp.flip(part, axis)
        return full
    out = index.shape[1]
    if size * out <= _MAX_MATRIX:
        # The transpose of resampling along an axis is a product with its (in, out) matrix.
        matrix = np.zeros((size, out), grad.dtype)
        taps = np.ones(index.shape, grad.dtype) if weights is None else weights
        np.add.at(matrix, (index, np.arange(out)), taps)  # on the host, from the host plan
        matrix = backend.array_like(matrix, grad)
        if axis == grad.ndim - 1:
            return xp.matmul(grad.reshape(-1, out), matrix.T).reshape(shape)
        rows = grad.reshape(math.prod(grad.shape[:axis]), out, -1)
        return xp.matmul(matrix, rows).reshape(shape)
    if weights is not None:
        weights = backend.array_like(weights, grad)
        grad = xp.concatenate([grad * _weights_along(w, axis, grad.ndim) for w in weights], axis)
    index = backend.array_like(index, grad)
    _sum_rows(xp.moveaxis(full, axis, 0), index.ravel(), xp.moveaxis(grad, axis, 0))
    return full


def pad_positions(mode: str, size: int, before: int, after: int) -> np.ndarray:
    """Which input position each output position copies along an axis of `size` padded by `before`
    and `after` positions (negative: cropped) with `mode` 'reflect', 'replicate' or 'circular'."""
    count = size + before + after
    if mode == "circular":
        # PyTorch crops first, then wraps around what is left.
        start, stop = max(-before, 0), size - max(-after, 0)
        if count <= 0:
            return np.zeros(0, np.int64)
        return start + (np.arange(count) - max(before, 0)) % (stop - start)
    source = np.arange(count) - before
    if mode == "replicate":
        return np.clip(source, 0, size - 1)
    source = np.abs(source)  # reflect: mirror about the first and the last position
    return np.where(source >= size, 2 * (size - 1) - source, source)


def _compute_type(dtype: np.dtype) -> type:
    """The float type PyTorch's resampling kernels compute positions and weights in."""
    return np.float64 if dtype == np.float64 else np.float32


def nearest_positions(size, out, scale_factor, exact: bool, dtype, vectorized: bool) -> np.ndarray:
    """PyTorch's source position for each of `out` positions resampled from `size`: floor(j *
    scale) ('nearest') or floor((j + 1/2) * scale) ('nearest-exact'), with scale = 1 /
    scale_factor when one is given, else size / out.

    PyTorch has two kernels that round differently: its `vectorized` one (small 2-D outputs)
    computes in float32, copies an unchanged axis and halves positions for an axis that doubles;
    the generic one computes in the input's float type (float32 for integers).
    """
    positions = np.arange(out)
    if vectorized:
        if not exact and out == size:
            return positions
        if not exact and out == 2 * size:
            return positions // 2
        scale = (
            np.float32(1.0 / scale_factor) if scale_factor else np.float32(size) / np.float32(out)
        )
        if exact:
            source = ((positions + 0.5) * np.float64(scale)).astype(np.float32)
        else:
            source = positions.astype(np.float32) * scale
    else:
        real = _compute_type(dtype)
        ratio = real(1.0 / scale_factor) if scale_factor else real(size) / real(out)
        if exact:
            # the pixel centre's position, clamped at 0, rounded half up
            centres = ratio * (positions.astype(real) + real(0.5)) - real(0.5)
            source = np.maximum(centres, 0) + real(0.5)
        else:
            source = ratio * positions.astype(real)
    return np.minimum(np.floor(source.astype(np.float32)).astype(np.int64), size - 1)


def _source_positions(size, out, scale_factor, align_corners, dtype):
    """Fractional source positions of the output's positions: j * (size - 1) / (out - 1) with
    aligned corners, else the centres' (j + 1/2) * scale - 1/2."""
    real = _compute_type(dtype)
    positions = np.arange(out).astype(real)
    if align_corners:
        ratio = real(size - 1) / real(out - 1) if out > 1 else real(0)
        return ratio * positions
    ratio = real(1.0 / scale_factor) if scale_factor else real(size) / real(out)
    return ratio * (positions + real(0.5)) - real(0.5)


def _floor_and_fraction(source: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    # PyTorch floors in float32 whatever the compute type, and clamps the fraction to [0, 1].
    index = np.minimum(np.floor(source.astype(np.float32)).astype(np.int64), size - 1)
    return index, np.clip(source - index, 0, 1)


def linear_taps(size, out, scale_factor, align_corners, dtype) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's linear interpolation along one axis: (2, out) positions and weights."""
    source = _source_positions(size, out, scale_factor, align_corners, dtype)
    index, fraction = _floor_and_fraction(np.maximum(source, 0), size)
    following = index + (index < size - 1)
    return np.stack([index, following]), np.stack([1 - fraction, fraction]).astype(dtype)


def cubic_taps(size, out, scale_factor, align_corners, dtype) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's bicubic interpolation along one axis (Keys' cubic convolution, A = -0.75, edge
    positions repeated): (4, out) positions and weights."""
    source = _source_positions(size, out, scale_factor, align_corners, dtype)
    index, t = _floor_and_fraction(source, size)
    a = t.dtype.type(-0.75)

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    weights = np.stack([far(t + 1), near(t), near(1 - t), far(2 - t)])
    positions = np.clip(index + np.arange(-1, 3)[:, None], 0, size - 1)
    return positions, weights.astype(dtype)


def conv_transpose2d(
    x: Tensor, weight: Tensor, bias: Tensor | None, window: Window, groups: int, size
) -> Tensor:
    """Apply the ConvTranspose2d op to tensors, leaving out a missing bias."""
    inputs = (x, weight) if bias is None else (x, weight, bias)
    return ConvTranspose2d.apply(*inputs, window=window, groups=groups, size=tuple(size))


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None, window: Window, groups: int) -> Tensor:
    """Apply the Conv2d op to tensors, leaving out a missing bias."""
    if bias is None:
        return Conv2d.apply(x, weight, window=window, groups=groups)
    return Conv2d.apply(x, weight, bias, window=window, groups=groups)
