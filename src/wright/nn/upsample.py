"""Upsampling: make feature maps larger (or smaller) by copying neighbours or interpolating."""

from __future__ import annotations

from wright.nn import functional as F
from wright.nn.module import Module
from wright.tensor import Tensor


class Upsample(Module):
    """Resize (N, C, L), (N, C, H, W) or (N, C, D, H, W) inputs: F.interpolate as a layer.

    Args:
        size: the output's spatial size (an int or a tuple), or
        scale_factor: a multiplier for each spatial side (give exactly one of the two).
        mode: 'nearest' (default), 'nearest-exact', 'linear', 'bilinear', 'bicubic',
            'trilinear' or 'area' (see F.interpolate).
        align_corners: for the interpolating modes, map the corner pixels' centres onto each other.
        recompute_scale_factor: interpolate with input size / output size rather than the given
            scale_factor.

    Example:
        >>> nn.Upsample(scale_factor=2)(wright.zeros(1, 3, 4, 4)).shape
        wright.Size([1, 3, 8, 8])
    """

    def __init__(
        self,
        size=None,
        scale_factor=None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode, self.align_corners = mode, align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.interpolate(
            input,
            self.size,
            self.scale_factor,
            self.mode,
            self.align_corners,
            recompute_scale_factor=self.recompute_scale_factor,
        )

    def extra_repr(self) -> str:
        what = (
            f"scale_factor={self.scale_factor!r}"
            if self.scale_factor is not None
            else f"size={self.size!r}"
        )
        return f"{what}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Upsample (N, C, H, W) images by copying the nearest pixel: Upsample(mode='nearest').

    Args:
        size: the output's (H, W) (or an int for both), or
        scale_factor: a multiplier for each side.
    """

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Upsample (N, C, H, W) images by bilinear interpolation with aligned corners:
    Upsample(mode='bilinear', align_corners=True).

    Args:
        size: the output's (H, W) (or an int for both), or
        scale_factor: a multiplier for each side.
    """

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
