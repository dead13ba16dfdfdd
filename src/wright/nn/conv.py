"""Convolution layers: small learned features (kernels) slid over every position of the input."""

from __future__ import annotations

import math

import numpy as np

from wright import dtypes
from wright.nn import functional as F
from wright.nn import init
from wright.nn.module import Module, Parameter
from wright.ops.conv import as_tuple
from wright.tensor import Tensor


class _ConvNd(Module):
    """What Conv1d and Conv2d share: PyTorch's arguments, parameter shapes and initialisation."""

    spatial_dims: int

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        dtype=None,
    ) -> None:
        super().__init__()
        name, n = type(self).__name__, self.spatial_dims
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(
                f"{name}: in_channels {in_channels} and out_channels {out_channels} "
                f"must both be divisible by groups {groups}"
            )
        if padding_mode != "zeros":
            raise ValueError(
                f"{name}: only padding_mode='zeros' is supported, got {padding_mode!r}"
            )
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = as_tuple(kernel_size, n, "kernel_size", name)
        self.stride = as_tuple(stride, n, "stride", name)
        self.dilation = as_tuple(dilation, n, "dilation", name)
        if not isinstance(padding, str):
            padding = as_tuple(padding, n, "padding", name)
        self.padding = padding
        dtype = dtype or dtypes.default_float_numpy()
        shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = Parameter(np.empty(shape, dtype=dtype))
        bias_values = Parameter(np.empty(out_channels, dtype=dtype)) if bias else None
        self.register_parameter("bias", bias_values)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: weights and biases from U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

        fan_in = in_channels / groups * kernel area, the number of inputs to each weighted sum.
        """
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init.fan_in_and_fan_out(self.weight)
            bound = 1.0 / math.sqrt(fan_in) if fan_in else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        return F._convolve(
            self.describe(),
            x,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self.dilation,
            self.groups,
        )

    def summary_line(self) -> str:
        kernel = "x".join(str(k) for k in self.kernel_size)
        return f"{type(self).__name__} {self.in_channels}->{self.out_channels}, {kernel}"

    def extra_repr(self) -> str:
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * self.spatial_dims:
            text += f", padding={self.padding!r}"
        if self.dilation != (1,) * self.spatial_dims:
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        return text + ("" if self.bias is not None else ", bias=False")


class Conv1d(_ConvNd):
    """1-D convolution: each feature slides along the signal, one weighted sum per position.

    Args:
        in_channels, out_channels: channels of the input and output (one per feature).
        kernel_size: the feature's length.
        stride: step between positions.
        padding: zeros added at both ends: an int, "valid" (none) or "same" (output as long as
            the input; stride 1 only).
        dilation: spacing between the feature's taps.
        groups: split the channels into this many independent groups.
        bias: whether to learn an additive bias per output channel.

    Shape:
        input (N, in_channels, L) -> output (N, out_channels, L_out), with
        L_out = floor((L + 2 padding - dilation (kernel_size - 1) - 1) / stride) + 1.

    Example:
        >>> nn.Conv1d(16, 33, 3, stride=2)(wright.randn(20, 16, 50)).shape
        (20, 33, 24)
    """

    spatial_dims = 1


class Conv2d(_ConvNd):
    """2-D convolution (a convolution layer): each feature is matched against every image patch.

    Each output pixel is a weighted sum of a (in_channels / groups) x KH x KW patch plus a bias:
    the lectures' filtering (the mean of pixel products) is this with weights feature / (KH KW).
    The weight has PyTorch's shape (out_channels, in_channels / groups, KH, KW), so state dicts
    carry over unchanged.

    Args:
        in_channels, out_channels: channels of the input and output (one per feature).
        kernel_size: the feature's size, an int or (KH, KW).
        stride: step between positions, an int or a pair.
        padding: zeros around the image: an int, a pair, "valid" (none) or "same" (output as
            large as the input; stride 1 only).
        dilation: spacing between the feature's taps.
        groups: split the channels into this many independent groups.
        bias: whether to learn an additive bias per output channel.

    Shape:
        input (N, in_channels, H, W) -> output (N, out_channels, H_out, W_out), with
        H_out = floor((H + 2 padding - dilation (KH - 1) - 1) / stride) + 1, and W_out alike.

    Example:
        >>> conv = nn.Conv2d(1, 20, 5)
        >>> conv(wright.zeros(64, 1, 28, 28)).shape
        (64, 20, 24, 24)
    """

    spatial_dims = 2
