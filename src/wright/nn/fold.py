"""Sliding-window layers: `Unfold` (im2col, every window of an image as a column) and `Fold`
(col2im, columns summed back into an image)."""

from __future__ import annotations

from wright.nn import functional as F
from wright.nn.module import Module
from wright.tensor import Tensor


class Unfold(Module):
    """Copy every kernel-sized window of an image into a column (im2col).

    Args:
        kernel_size: the window's size (an int or (kh, kw)).
        dilation: the spacing of the window's taps.
        padding: zeros added on every side.
        stride: the step between windows.

    Shape:
        input (N, C, H, W) or (C, H, W) -> output (N, C * kh * kw, L) or (C * kh * kw, L), L
        the number of windows.

    Example:
        >>> nn.Unfold(2)(wright.zeros(1, 3, 4, 4)).shape
        wright.Size([1, 12, 9])
    """

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.kernel_size, self.dilation = kernel_size, dilation
        self.padding, self.stride = padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
            f"stride={self.stride}"
        )


class Fold(Module):
    """Add columns back into an image where their windows lie (col2im; overlaps sum): the
    adjoint of Unfold.

    Args:
        output_size: the image's spatial size (H, W).
        kernel_size, dilation, padding, stride: the windows, as for Unfold.

    Shape:
        input (N, C * kh * kw, L) or (C * kh * kw, L) -> output (N, C, H, W) or (C, H, W).

    Example:
        >>> nn.Fold((4, 4), 2)(wright.zeros(1, 12, 9)).shape
        wright.Size([1, 3, 4, 4])
    """

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return F.fold(
            input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride
        )

    def extra_repr(self) -> str:
        return (
            f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
            f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}"
        )
