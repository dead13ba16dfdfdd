"""Upsampling: make feature maps larger by copying each value into a block (nearest neighbour)."""

from __future__ import annotations

from wright.nn import functional as F
from wright.nn.module import Module
from wright.tensor import Tensor


class Upsample(Module):
    """Resize (N, C, L) or (N, C, H, W), copying the nearest input value (PyTorch's 'nearest').

    Args:
        size: the output's spatial size (an int or a tuple), or
        scale_factor: a multiplier for each spatial side (give exactly one of the two).
        mode: only "nearest".

    Example:
        >>> nn.Upsample(scale_factor=2)(wright.zeros(1, 3, 4, 4)).shape
        (1, 3, 8, 8)
    """

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest") -> None:
        super().__init__()
        self.size, self.scale_factor, self.mode = size, scale_factor, mode

    def forward(self, x: Tensor) -> Tensor:
        return F._interpolate(self.describe(), x, self.size, self.scale_factor, self.mode)

    def extra_repr(self) -> str:
        what = f"size={self.size}" if self.size is not None else f"scale_factor={self.scale_factor}"
        return f"{what}, mode={self.mode!r}"
