"""Fully connected layers: every output neuron a weighted sum of every input plus a bias
(Linear), or of every product of two inputs' features (Bilinear)."""

from __future__ import annotations

import math

from wright.creation import empty
from wright.nn import functional as F
from wright.nn import init
from wright.nn.module import Module, Parameter
from wright.tensor import Tensor


def _uniform_by_fan_in(tensor: Tensor | None, fan_in: int) -> None:
    """Fill with U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (nothing for None; zeros for fan_in 0)."""
    if tensor is not None:
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        init.uniform_(tensor, -bound, bound)


class Linear(Module):
    """y = x W^T + b.

    Weights and biases start from U(-1/sqrt(in), 1/sqrt(in)), PyTorch's default (for the weights,
    kaiming_uniform_ with a=sqrt(5)): small enough that sigmoid and tanh start in their steep
    middle. For deep ReLU stacks, re-initialise with `init.kaiming_uniform_`, for deep sigmoid/tanh
    stacks with `init.xavier_uniform_` (the reference models in `wright.models` do).

    Args:
        in_features: size of each input sample.
        out_features: number of neurons (size of each output sample).
        bias: whether to learn an additive bias.
        device: where to create the parameters (the default device unless named).
        dtype: the parameters' dtype (default: the default float dtype).

    Shape:
        input (*, in_features) -> output (*, out_features)

    Example:
        >>> layer = nn.Linear(784, 16)
        >>> layer(wright.zeros(32, 784)).shape
        wright.Size([32, 16])
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        dtype = init.parameter_dtype(device, dtype)
        self.weight = Parameter(empty((out_features, in_features), dtype=dtype, device=device))
        self.register_parameter(
            "bias", Parameter(empty(out_features, dtype=dtype, device=device)) if bias else None
        )
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh weights and biases from U(-1/sqrt(in), 1/sqrt(in))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        _uniform_by_fan_in(self.bias, self.in_features)

    def forward(self, x: Tensor) -> Tensor:
        shape = x.array.shape
        if not shape or shape[-1] != self.in_features:
            self.check_input(x, -1, self.in_features, "(*, in_features)")
        return F.linear(x, self.weight, self.bias)

    def summary_line(self) -> str:
        return f"Linear {self.in_features}->{self.out_features}"

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Bilinear(Module):
    """y_k = x1^T A_k x2 + b_k: each output a weighted sum of every product of a feature of x1
    and a feature of x2.

    Weights and biases start from U(-1/sqrt(in1), 1/sqrt(in1)), as in PyTorch.

    Args:
        in1_features: size of each first input sample.
        in2_features: size of each second input sample.
        out_features: size of each output sample.
        bias: whether to learn an additive bias.
        device: where to create the parameters (the default device unless named).
        dtype: the parameters' dtype.

    Shape:
        input1 (*, in1_features), input2 (*, in2_features) -> output (*, out_features)
    """

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        self.in1_features, self.in2_features = in1_features, in2_features
        self.out_features = out_features
        dtype = init.parameter_dtype(device, dtype)
        shape = (out_features, in1_features, in2_features)
        self.weight = Parameter(empty(shape, dtype=dtype, device=device))
        self.register_parameter(
            "bias", Parameter(empty(out_features, dtype=dtype, device=device)) if bias else None
        )
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh weights and biases from U(-1/sqrt(in1), 1/sqrt(in1))."""
        _uniform_by_fan_in(self.weight, self.in1_features)
        _uniform_by_fan_in(self.bias, self.in1_features)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )
