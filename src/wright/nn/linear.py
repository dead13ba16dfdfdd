"""Fully connected layer: every output neuron a weighted sum of every input plus a bias."""

from __future__ import annotations

import math

import numpy as np

from wright import dtypes
from wright.nn import functional as F
from wright.nn import init
from wright.nn.module import Module, Parameter
from wright.tensor import Tensor


class Linear(Module):
    """y = x W^T + b.

    Weights start from U(-1/sqrt(in), 1/sqrt(in)), PyTorch's default: small enough that sigmoid and
    tanh start in their steep middle. For deep ReLU stacks, re-initialise with
    `init.kaiming_uniform_`, for deep sigmoid/tanh stacks with `init.xavier_uniform_` (the reference
    models in `wright.models` do).

    Args:
        in_features: size of each input sample.
        out_features: number of neurons (size of each output sample).
        bias: whether to learn an additive bias.

    Shape:
        input (*, in_features) -> output (*, out_features)

    Example:
        >>> layer = nn.Linear(784, 16)
        >>> layer(wright.zeros(32, 784)).shape
        (32, 16)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=None) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        dtype = dtype or dtypes.default_float_numpy()
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        self.register_parameter(
            "bias", Parameter(np.empty(out_features, dtype=dtype)) if bias else None
        )
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh weights and biases from U(-1/sqrt(in), 1/sqrt(in))."""
        bound = 1.0 / math.sqrt(self.in_features) if self.in_features else 0.0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            self.check_input(x, -1, self.in_features, "(*, in_features)")
        return F.linear(x, self.weight, self.bias)

    def summary_line(self) -> str:
        return f"Linear {self.in_features}->{self.out_features}"

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )
