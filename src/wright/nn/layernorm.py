"""Layer normalization and RMS normalization: rescale each sample over its trailing dimensions
(the features of one token, say), independently of the rest of the batch."""

from __future__ import annotations

import numpy as np

from wright import backend, dtypes
from wright.nn import functional as F
from wright.nn import init
from wright.nn.module import Module, Parameter
from wright.tensor import Tensor


def _as_shape(normalized_shape) -> tuple[int, ...]:
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(int(n) for n in normalized_shape)


class LayerNorm(Module):
    """Normalise over the last `len(normalized_shape)` dimensions to mean 0 and variance 1 (the
    biased variance, plus eps), then scale by `weight` and shift by `bias`, elementwise.

    Unlike batch normalization, the statistics are each sample's own, so training and evaluation
    compute the same thing and there are no running statistics.

    Args:
        normalized_shape: the trailing shape to normalise over (an int for the last dimension).
        eps: added to the variance before the square root.
        elementwise_affine: learn `weight` (ones at first) and, with `bias`, `bias` (zeros).
        bias: learn a shift too (only with `elementwise_affine`).
        device: must be the CPU.
        dtype: of the parameters (default float dtype unless given).

    Shape:
        input (*, *normalized_shape) -> output, the same shape.

    Example:
        >>> norm = nn.LayerNorm(16)
        >>> norm(wright.randn(4, 10, 16)).shape
        wright.Size([4, 10, 16])
    """

    def __init__(
        self,
        normalized_shape,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        backend.resolve_device(device)
        self.normalized_shape = _as_shape(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        dtype = dtypes.to_numpy_dtype(dtype or dtypes.default_float_numpy())
        if elementwise_affine:
            self.weight = Parameter(np.empty(self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(np.empty(self.normalized_shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Scale 1 and shift 0."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class RMSNorm(Module):
    """Divide by the root mean square over the last `len(normalized_shape)` dimensions (no mean
    is subtracted), then scale by `weight`, elementwise.

    Args:
        normalized_shape: the trailing shape to normalise over (an int for the last dimension).
        eps: added to the mean square; None means the input dtype's machine epsilon.
        elementwise_affine: learn `weight` (ones at first).
        device: must be the CPU.
        dtype: of the weight (default float dtype unless given).

    Shape:
        input (*, *normalized_shape) -> output, the same shape.
    """

    def __init__(
        self,
        normalized_shape,
        eps: float | None = None,
        elementwise_affine: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        backend.resolve_device(device)
        self.normalized_shape = _as_shape(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        dtype = dtypes.to_numpy_dtype(dtype or dtypes.default_float_numpy())
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dtype))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self) -> None:
        """Scale 1."""
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, x: Tensor) -> Tensor:
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )
