"""Pixel shuffling: trade channels for resolution (sub-pixel convolution) and back."""

from __future__ import annotations

from wright.nn import functional as F
from wright.nn.module import Module
from wright.tensor import Tensor


class PixelShuffle(Module):
    """Rearrange (*, C r^2, H, W) into (*, C, H r, W r): each group of r^2 channels becomes an
    r x r block of pixels (ESPCN's sub-pixel convolution upsamples this way).

    Args:
        upscale_factor: r.

    Shape:
        input (*, C r^2, H, W) -> output (*, C, H r, W r).

    Example:
        >>> nn.PixelShuffle(3)(wright.zeros(1, 9, 4, 4)).shape
        wright.Size([1, 1, 12, 12])
    """

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """The inverse of PixelShuffle: (*, C, H r, W r) -> (*, C r^2, H, W).

    Args:
        downscale_factor: r.

    Shape:
        input (*, C, H r, W r) -> output (*, C r^2, H, W).
    """

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
