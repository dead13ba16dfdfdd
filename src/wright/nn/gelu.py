"""The Gaussian error linear unit, the activation of Transformer feed-forward blocks."""

from __future__ import annotations

from wright.nn import functional as F
from wright.nn.module import Module
from wright.tensor import Tensor


class GELU(Module):
    """x * Phi(x), with Phi the standard normal CDF: close to ReLU for large |x|, smooth near 0.

    Args:
        approximate: 'none' for the exact function (through erf), 'tanh' for
            0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).

    Shape:
        input (*) -> output, the same shape.
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"
