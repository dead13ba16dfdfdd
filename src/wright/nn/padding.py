"""Padding layers: add (or crop) rows and columns around signals and images, PyTorch's way."""

from __future__ import annotations

import numpy as np

from wright.nn import functional as F
from wright.nn.module import Module
from wright.tensor import Tensor


class _PadNd(Module):
    """What the padding layers share: PyTorch's padding argument, stored as the full tuple of
    (left, right, top, bottom, ...) sizes that F.pad takes."""

    spatial_dims: int
    mode: str

    def __init__(self, padding) -> None:
        super().__init__()
        count = 2 * self.spatial_dims
        sizes = tuple(padding) if isinstance(padding, tuple | list) else (padding,) * count
        if len(sizes) != count or not all(
            isinstance(p, int | np.integer) and not isinstance(p, bool) for p in sizes
        ):
            raise ValueError(
                f"{type(self).__name__}: padding must be an int or {count} ints, got {padding!r}"
            )
        self.padding = tuple(int(p) for p in sizes)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    mode = "constant"

    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dimension with a constant.

    Args:
        padding: an int for both ends, or (left, right); negative sizes crop.
        value: the fill.

    Shape:
        input (*, L) -> output (*, L + left + right).
    """

    spatial_dims = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dimensions with a constant.

    Args:
        padding: an int for all four sides, or (left, right, top, bottom); negative sizes crop.
        value: the fill.

    Shape:
        input (*, H, W) -> output (*, H + top + bottom, W + left + right).
    """

    spatial_dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dimensions with a constant.

    Args:
        padding: an int for all six sides, or (left, right, top, bottom, front, back).
        value: the fill.

    Shape:
        input (*, D, H, W) -> output (*, D + front + back, H + top + bottom, W + left + right).
    """

    spatial_dims = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd):
    """Pad the last dimension with zeros.

    Args:
        padding: an int for both ends, or (left, right); negative sizes crop.

    Shape:
        input (*, L) -> output (*, L + left + right).
    """

    spatial_dims = 1


class ZeroPad2d(_ZeroPadNd):
    """Pad the last two dimensions with zeros.

    Args:
        padding: an int for all four sides, or (left, right, top, bottom); negative sizes crop.

    Shape:
        input (*, H, W) -> output (*, H + top + bottom, W + left + right).

    Example:
        >>> nn.ZeroPad2d((1, 1, 2, 0))(wright.ones(1, 1, 3, 3)).shape
        wright.Size([1, 1, 5, 5])
    """

    spatial_dims = 2


class ZeroPad3d(_ZeroPadNd):
    """Pad the last three dimensions with zeros.

    Args:
        padding: an int for all six sides, or (left, right, top, bottom, front, back).

    Shape:
        input (*, D, H, W) -> output (*, D + front + back, H + top + bottom, W + left + right).
    """

    spatial_dims = 3


class ReflectionPad1d(_PadNd):
    """Pad signals with their mirror image, the edge not repeated: [1, 2, 3] padded by 2 on the
    left gives [3, 2, 1, 2, 3].

    Args:
        padding: an int for both ends, or (left, right); each less than the length.

    Shape:
        input (N, C, L) or (C, L) -> output with L + left + right.
    """

    spatial_dims, mode = 1, "reflect"


class ReflectionPad2d(_PadNd):
    """Pad images with their mirror image, the edge rows and columns not repeated (the padding
    of style-transfer networks, which leaves no dark border).

    Args:
        padding: an int for all four sides, or (left, right, top, bottom); each less than the
            padded dimension.

    Shape:
        input (N, C, H, W) or (C, H, W) -> output with H + top + bottom, W + left + right.

    Example:
        >>> nn.ReflectionPad2d(1)(wright.zeros(1, 3, 4, 4)).shape
        wright.Size([1, 3, 6, 6])
    """

    spatial_dims, mode = 2, "reflect"


class ReflectionPad3d(_PadNd):
    """Pad volumes with their mirror image, the edges not repeated.

    Args:
        padding: an int for all six sides, or (left, right, top, bottom, front, back).

    Shape:
        input (N, C, D, H, W) or (C, D, H, W) -> output padded on the last three dimensions.
    """

    spatial_dims, mode = 3, "reflect"


class ReplicationPad1d(_PadNd):
    """Pad signals by repeating their end values.

    Args:
        padding: an int for both ends, or (left, right).

    Shape:
        input (N, C, L) or (C, L) -> output with L + left + right.
    """

    spatial_dims, mode = 1, "replicate"


class ReplicationPad2d(_PadNd):
    """Pad images by repeating their edge rows and columns.

    Args:
        padding: an int for all four sides, or (left, right, top, bottom).

    Shape:
        input (N, C, H, W) or (C, H, W) -> output with H + top + bottom, W + left + right.
    """

    spatial_dims, mode = 2, "replicate"


class ReplicationPad3d(_PadNd):
    """Pad volumes by repeating their edge values.

    Args:
        padding: an int for all six sides, or (left, right, top, bottom, front, back).

    Shape:
        input (N, C, D, H, W) or (C, D, H, W) -> output padded on the last three dimensions.
    """

    spatial_dims, mode = 3, "replicate"


class CircularPad1d(_PadNd):
    """Pad signals by wrapping around: the left padding comes from the right end and the other
    way round.

    Args:
        padding: an int for both ends, or (left, right); each at most the length.

    Shape:
        input (N, C, L) or (C, L) -> output with L + left + right.
    """

    spatial_dims, mode = 1, "circular"


class CircularPad2d(_PadNd):
    """Pad images by wrapping around (a torus): rows from the bottom go on top, and so on.

    Args:
        padding: an int for all four sides, or (left, right, top, bottom).

    Shape:
        input (N, C, H, W) or (C, H, W) -> output with H + top + bottom, W + left + right.
    """

    spatial_dims, mode = 2, "circular"


class CircularPad3d(_PadNd):
    """Pad volumes by wrapping around.

    Args:
        padding: an int for all six sides, or (left, right, top, bottom, front, back).

    Shape:
        input (N, C, D, H, W) or (C, D, H, W) -> output padded on the last three dimensions.
    """

    spatial_dims, mode = 3, "circular"
