"""Dropout: switch random neurons off while training so that no neuron can rely on any other."""

from __future__ import annotations

from wright.nn import functional as F
from wright.nn.module import Module
from wright.tensor import Tensor


class Dropout(Module):
    """Inverted dropout: in training, zero each element with probability p and scale the rest by
    1/(1-p); in `eval()` mode the input passes through unchanged (the scaling kept the expected
    sum).

    Args:
        p: probability of dropping each element.

    Shape:
        input (*) -> output (*), the same shape.

    Example:
        >>> drop = nn.Dropout(0.5)
        >>> drop.eval()(wright.ones(3)).tolist()
        [1.0, 1.0, 1.0]
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"
