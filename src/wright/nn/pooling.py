"""Pooling layers: shrink each filtered image, keeping one number (the max or mean) per window."""

from __future__ import annotations

from wright.nn import functional as F
from wright.nn.module import Module
from wright.ops import conv as C
from wright.tensor import Tensor


class _MaxPoolNd(Module):
    """What MaxPool1d and MaxPool2d share: PyTorch's arguments, stored as given."""

    spatial_dims: int

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        dilation=1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size, self.padding = kernel_size, padding
        self.stride = kernel_size if stride is None else stride
        self.dilation, self.return_indices, self.ceil_mode = dilation, return_indices, ceil_mode

    def forward(self, input: Tensor):
        return F._pool(
            self.describe(),
            input,
            self.spatial_dims,
            C.MaxPool2d,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )

    def summary_line(self) -> str:
        return f"{type(self).__name__} {self.kernel_size}"

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool1d(_MaxPoolNd):
    """Max pooling of signals: the largest value in each window along L.

    Args:
        kernel_size: window length.
        stride: step between windows; defaults to the kernel size.
        padding: -inf padding at both ends (at most half the kernel).
        dilation: spacing between the window's taps.
        return_indices: also return each maximum's position along L (for MaxUnpool1d).
        ceil_mode: round the output length up instead of down.

    Shape:
        input (N, C, L) or (C, L) -> output (N, C, L_out) or (C, L_out), with
        L_out = floor_or_ceil((L + 2 padding - dilation (kernel_size - 1) - 1) / stride) + 1.
    """

    spatial_dims = 1


class MaxPool2d(_MaxPoolNd):
    """Max pooling: walk a window across each channel in strides and keep the largest value in it.

    With `ceil_mode=True` the output size rounds up, so a window that runs off the image's edge
    still counts and takes the max of the pixels that are there (the lectures' 7x7 -> 4x4 with a
    2x2 window).

    Args:
        kernel_size: window size, an int or (KH, KW).
        stride: step between windows; defaults to the kernel size.
        padding: -inf padding on each side (at most half the kernel).
        dilation: spacing between the window's taps.
        return_indices: also return each maximum's flat position h * W + w in its input plane
            (int64, for MaxUnpool2d).
        ceil_mode: round the output size up instead of down.

    Shape:
        input (N, C, H, W) or (C, H, W) -> output (N, C, H_out, W_out) or (C, H_out, W_out), with
        H_out = floor_or_ceil((H + 2 padding - dilation (KH - 1) - 1) / stride) + 1.

    Example:
        >>> nn.MaxPool2d(2)(wright.zeros(64, 20, 24, 24)).shape
        wright.Size([64, 20, 12, 12])
    """

    spatial_dims = 2


class AvgPool1d(Module):
    """Average pooling of signals: the mean of each window along L.

    Args:
        kernel_size, stride, padding, ceil_mode: as in MaxPool1d (zero padding); stored as
            1-tuples, as PyTorch stores them.
        count_include_pad: whether padded zeros count in the mean.

    Shape:
        input (N, C, L) or (C, L) -> output (N, C, L_out) or (C, L_out), sized as in MaxPool1d.
    """

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.kernel_size = C.as_tuple(kernel_size, 1, "kernel_size", name)
        self.stride = self.kernel_size if stride is None else C.as_tuple(stride, 1, "stride", name)
        self.padding = C.as_tuple(padding, 1, "padding", name)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F._pool(
            self.describe(),
            input,
            1,
            C.AvgPool2d,
            self.kernel_size,
            self.stride,
            self.padding,
            1,
            self.ceil_mode,
            count_include_pad=self.count_include_pad,
        )

    def summary_line(self) -> str:
        return f"AvgPool1d {self.kernel_size[0]}"

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """Average pooling: the mean of each window.

    Args:
        kernel_size, stride, padding, ceil_mode: as in MaxPool2d (zero padding).
        count_include_pad: whether padded zeros count in the mean (PyTorch's default, True); the
            ceil-mode overhang past the padding never counts.
        divisor_override: divide every window's sum by this number instead.

    Shape:
        input (N, C, H, W) or (C, H, W) -> output (N, C, H_out, W_out) or (C, H_out, W_out),
        sized as in MaxPool2d.
    """

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size, self.padding = kernel_size, padding
        self.stride = kernel_size if stride is None else stride
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        if self.divisor_override is not None and self.divisor_override == 0:
            raise RuntimeError(f"{self.describe()}: divisor_override must not be zero")
        return F._pool(
            self.describe(),
            input,
            2,
            C.AvgPool2d,
            self.kernel_size,
            self.stride,
            self.padding,
            1,
            self.ceil_mode,
            count_include_pad=self.count_include_pad,
            divisor_override=self.divisor_override,
        )

    def summary_line(self) -> str:
        return f"AvgPool2d {self.kernel_size}"

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptivePoolNd(Module):
    """What the adaptive pooling layers share: an output size, stored as given."""

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptivePoolNd):
    """Average pooling of signals to a fixed length whatever the input length.

    Args:
        output_size: the output length L_out.

    Shape:
        input (N, C, L) or (C, L) -> output (N, C, L_out) or (C, L_out).
    """

    def forward(self, input: Tensor) -> Tensor:
        return F._adaptive_avg_pool(self.describe(), input, 1, self.output_size)


class AdaptiveAvgPool2d(_AdaptivePoolNd):
    """Average pooling to a fixed output size whatever the input size; `AdaptiveAvgPool2d(1)`
    averages each channel to one number (global average pooling).

    Bin i along an axis of size S covers positions floor(i S / out) to ceil((i + 1) S / out).

    Args:
        output_size: an int, or (OH, OW) where None keeps that side's input size.

    Shape:
        input (N, C, H, W) or (C, H, W) -> output (N, C, OH, OW) or (C, OH, OW).
    """

    def forward(self, input: Tensor) -> Tensor:
        return F._adaptive_avg_pool(self.describe(), input, 2, self.output_size)


class _AdaptiveMaxPoolNd(_AdaptivePoolNd):
    spatial_dims: int

    def __init__(self, output_size, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input: Tensor):
        return F._adaptive_max_pool(
            self.describe(), input, self.spatial_dims, self.output_size, self.return_indices
        )


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max pooling of signals to a fixed length: the largest value in each adaptive bin.

    Args:
        output_size: the output length L_out.
        return_indices: also return each maximum's position along L.

    Shape:
        input (N, C, L) or (C, L) -> output (N, C, L_out) or (C, L_out).
    """

    spatial_dims = 1


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max pooling to a fixed output size: the largest value in each adaptive bin (bins as in
    AdaptiveAvgPool2d).

    Args:
        output_size: an int, or (OH, OW) where None keeps that side's input size.
        return_indices: also return each maximum's flat position h * W + w in its input plane.

    Shape:
        input (N, C, H, W) or (C, H, W) -> output (N, C, OH, OW) or (C, OH, OW).
    """

    spatial_dims = 2


class _MaxUnpoolNd(Module):
    spatial_dims: int

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
        name, n = type(self).__name__, self.spatial_dims
        self.kernel_size = C.as_tuple(kernel_size, n, "kernel_size", name)
        self.stride = self.kernel_size if stride is None else C.as_tuple(stride, n, "stride", name)
        self.padding = C.as_tuple(padding, n, "padding", name)

    def forward(self, input: Tensor, indices: Tensor, output_size=None) -> Tensor:
        return F._max_unpool(
            self.describe(),
            input,
            indices,
            self.spatial_dims,
            self.kernel_size,
            self.stride,
            self.padding,
            output_size,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """The inverse of MaxPool1d: each value goes back to the position its maximum came from
    (`indices` from MaxPool1d(return_indices=True)), zeros elsewhere.

    Args:
        kernel_size, stride, padding: those of the max pooling being undone.

    Shape:
        input (N, C, L) or (C, L) -> output (N, C, L_out), with
        L_out = (L - 1) stride - 2 padding + kernel_size, or `output_size` given to forward.
    """

    spatial_dims = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """The inverse of MaxPool2d: each value goes back to the pixel its maximum came from
    (`indices` from MaxPool2d(return_indices=True)), zeros elsewhere.

    Args:
        kernel_size, stride, padding: those of the max pooling being undone.

    Shape:
        input (N, C, H, W) or (C, H, W) -> output (N, C, H_out, W_out), with
        H_out = (H - 1) stride - 2 padding + KH, or `output_size` given to forward (which picks
        among the sizes a max pooling maps to the same size).

    Example:
        >>> pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
        >>> out, indices = pool(wright.randn(1, 1, 4, 4))
        >>> unpool(out, indices).shape
        wright.Size([1, 1, 4, 4])
    """

    spatial_dims = 2


class _LPPoolNd(Module):
    """What LPPool1d and LPPool2d share: PyTorch's arguments, stored as given."""

    spatial_dims: int

    def __init__(self, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type, self.kernel_size, self.stride = norm_type, kernel_size, stride
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        pool = F.lp_pool1d if self.spatial_dims == 1 else F.lp_pool2d
        return pool(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
            f"ceil_mode={self.ceil_mode}"
        )


class LPPool1d(_LPPoolNd):
    """Power-average pooling of signals: (sum of x^p over each window)^(1/p).

    Args:
        norm_type: p (1: sum pooling; large p approaches max pooling).
        kernel_size: window length.
        stride: step between windows; defaults to the kernel size.
        ceil_mode: round the output length up instead of down.

    Shape:
        input (N, C, L) or (C, L) -> output (N, C, L_out) or (C, L_out), sized as in AvgPool1d.
    """

    spatial_dims = 1


class LPPool2d(_LPPoolNd):
    """Power-average pooling of images: (sum of x^p over each window)^(1/p).

    Args:
        norm_type: p (1: sum pooling; large p approaches max pooling).
        kernel_size: window size, an int or (KH, KW).
        stride: step between windows; defaults to the kernel size.
        ceil_mode: round the output size up instead of down.

    Shape:
        input (N, C, H, W) or (C, H, W) -> output (N, C, H_out, W_out), sized as in AvgPool2d.
    """

    spatial_dims = 2
