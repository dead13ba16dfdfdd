"""Pooling layers: shrink each filtered image, keeping one number (the max or mean) per window."""

from __future__ import annotations

from wright.nn import functional as F
from wright.nn.module import Module
from wright.ops import conv as C
from wright.tensor import Tensor


class MaxPool2d(Module):
    """Max pooling: walk a window across each channel in strides and keep the largest value in it.

    With `ceil_mode=True` the output size rounds up, so a window that runs off the image's edge
    still counts and takes the max of the pixels that are there (the lectures' 7x7 -> 4x4 with a
    2x2 window).

    Args:
        kernel_size: window size, an int or (KH, KW).
        stride: step between windows; defaults to the kernel size.
        padding: -inf padding on each side (at most half the kernel).
        dilation: spacing between the window's taps.
        ceil_mode: round the output size up instead of down.

    Shape:
        input (N, C, H, W) -> output (N, C, H_out, W_out), with
        H_out = floor_or_ceil((H + 2 padding - dilation (KH - 1) - 1) / stride) + 1.

    Example:
        >>> nn.MaxPool2d(2)(wright.zeros(64, 20, 24, 24)).shape
        (64, 20, 12, 12)
    """

    def __init__(
        self, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False
    ) -> None:
        super().__init__()
        self.kernel_size, self.padding = kernel_size, padding
        self.stride = kernel_size if stride is None else stride
        self.dilation, self.ceil_mode = dilation, ceil_mode

    def forward(self, x: Tensor) -> Tensor:
        return F._pool(
            self.describe(),
            x,
            C.MaxPool2d,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
        )

    def summary_line(self) -> str:
        return f"MaxPool2d {self.kernel_size}"

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """Average pooling: the mean of each window.

    Args:
        kernel_size, stride, padding, ceil_mode: as in MaxPool2d (zero padding).
        count_include_pad: whether padded zeros count in the mean (PyTorch's default, True); the
            ceil-mode overhang past the padding never counts.

    Shape:
        input (N, C, H, W) -> output (N, C, H_out, W_out), sized as in MaxPool2d.
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
        self.kernel_size, self.padding = kernel_size, padding
        self.stride = kernel_size if stride is None else stride
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, x: Tensor) -> Tensor:
        return F._pool(
            self.describe(),
            x,
            C.AvgPool2d,
            self.kernel_size,
            self.stride,
            self.padding,
            1,
            self.ceil_mode,
            count_include_pad=self.count_include_pad,
        )

    def summary_line(self) -> str:
        return f"AvgPool2d {self.kernel_size}"

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"ceil_mode={self.ceil_mode}, count_include_pad={self.count_include_pad}"
        )


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size whatever the input size; `AdaptiveAvgPool2d(1)`
    averages each channel to one number (global average pooling).

    Args:
        output_size: an int, or (OH, OW) where None keeps that side's input size.

    Shape:
        input (N, C, H, W) -> output (N, C, OH, OW).
    """

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return F._adaptive_avg_pool2d(self.describe(), x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
