"""Convolution layers: small learned features (kernels) slid over every position of the input."""

from __future__ import annotations

import math

import numpy as np

from wright import backend, dtypes
from wright.nn import functional as F
from wright.nn import init
from wright.nn.module import Module, Parameter
from wright.ops.conv import as_tuple
from wright.tensor import Tensor

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What the convolution layers share: PyTorch's arguments, checks, parameter shapes and
    initialisation. A transposed convolution's weight is (in, out / groups, *kernel)."""

    spatial_dims: int
    transposed = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride,
        padding,
        dilation,
        groups: int,
        bias: bool,
        padding_mode: str,
        device,
        dtype,
        output_padding=0,
    ) -> None:
        super().__init__()
        name, n = type(self).__name__, self.spatial_dims
        backend.resolve_device(device)
        if not isinstance(groups, int | np.integer) or groups < 1:
            raise ValueError(f"{name}: groups must be a positive integer, got {groups!r}")
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"{name}: in_channels {in_channels} and out_channels {out_channels} "
                f"must both be divisible by groups {groups}"
            )
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"{name}: padding_mode must be one of {_PADDING_MODES}, got {padding_mode!r}"
            )
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = as_tuple(kernel_size, n, "kernel_size", name)
        self.stride = as_tuple(stride, n, "stride", name)
        self.dilation = as_tuple(dilation, n, "dilation", name)
        self.output_padding = as_tuple(output_padding, n, "output_padding", name)
        self.padding_mode = padding_mode
        if isinstance(padding, str) and not self.transposed:
            if padding not in ("valid", "same"):
                raise ValueError(
                    f"{name}: padding must be an int, a tuple, 'valid' or 'same', got {padding!r}"
                )
            if padding == "same" and max(self.stride) != 1:
                raise ValueError(f"{name}: padding='same' needs stride 1, got stride {self.stride}")
        else:
            padding = as_tuple(padding, n, "padding", name)
        self.padding = padding
        dtype = dtype or dtypes.default_float_numpy()
        channels = (in_channels, out_channels // groups)
        if not self.transposed:
            channels = (out_channels, in_channels // groups)
        self.weight = Parameter(np.empty((*channels, *self.kernel_size), dtype=dtype))
        bias_values = Parameter(np.empty(out_channels, dtype=dtype)) if bias else None
        self.register_parameter("bias", bias_values)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: weights and biases from U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

        fan_in = weight.shape[1] * kernel area: in_channels / groups for a convolution (the
        number of inputs to each weighted sum), out_channels / groups for a transposed one.
        """
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init.fan_in_and_fan_out(self.weight)
            bound = 1.0 / math.sqrt(fan_in) if fan_in else 0.0
            init.uniform_(self.bias, -bound, bound)

    def _padding_sizes(self) -> tuple[int, ...]:
        """The padding as F.pad's (left, right, top, bottom) sizes, last dimension first."""
        if self.padding == "valid":
            return (0, 0) * self.spatial_dims
        sizes: list[int] = []
        for k, d, p in reversed(list(zip(self.kernel_size, self.dilation, self.padding))):
            if self.padding == "same":
                total = d * (k - 1)  # the odd position goes after, as in F.conv2d
                sizes += [total // 2, total - total // 2]
            else:
                sizes += [p, p]
        return tuple(sizes)

    def forward(self, input: Tensor) -> Tensor:
        padding = self.padding
        if self.padding_mode != "zeros":
            input = F.pad(input, self._padding_sizes(), mode=self.padding_mode)
            padding = 0
        return F._convolve(
            self.describe(),
            input,
            self.weight,
            self.bias,
            self.stride,
            padding,
            self.dilation,
            self.groups,
        )

    def summary_line(self) -> str:
        kernel = "x".join(str(k) for k in self.kernel_size)
        return f"{type(self).__name__} {self.in_channels}->{self.out_channels}, {kernel}"

    def extra_repr(self) -> str:
        n = self.spatial_dims
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * n:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


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
        padding_mode: what the padding holds: 'zeros', 'reflect', 'replicate' or 'circular'
            (see F.pad).
        device, dtype: where and in which float type to create the parameters.

    Shape:
        input (N, in_channels, L) or unbatched (in_channels, L) -> output (N, out_channels, L_out)
        or (out_channels, L_out), with
        L_out = floor((L + 2 padding - dilation (kernel_size - 1) - 1) / stride) + 1.

    Example:
        >>> nn.Conv1d(16, 33, 3, stride=2)(wright.randn(20, 16, 50)).shape
        wright.Size([20, 33, 24])
    """

    spatial_dims = 1

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
        device=None,
        dtype=None,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
        )


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
        padding_mode: what the padding holds: 'zeros', 'reflect', 'replicate' or 'circular'
            (see F.pad).
        device, dtype: where and in which float type to create the parameters.

    Shape:
        input (N, in_channels, H, W) or unbatched (in_channels, H, W) -> output
        (N, out_channels, H_out, W_out) or (out_channels, H_out, W_out), with
        H_out = floor((H + 2 padding - dilation (KH - 1) - 1) / stride) + 1, and W_out alike.

    Example:
        >>> conv = nn.Conv2d(1, 20, 5)
        >>> conv(wright.zeros(64, 1, 28, 28)).shape
        wright.Size([64, 20, 24, 24])
    """

    spatial_dims = 2

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
        device=None,
        dtype=None,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
        )


class _ConvTransposeNd(_ConvNd):
    """What ConvTranspose1d and ConvTranspose2d share: PyTorch's arguments and `output_size`."""

    transposed = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        output_padding=0,
        groups: int = 1,
        bias: bool = True,
        dilation=1,
        padding_mode: str = "zeros",
        device=None,
        dtype=None,
    ) -> None:
        if padding_mode != "zeros":
            raise ValueError(
                f"{type(self).__name__}: only padding_mode='zeros' is supported, got "
                f"{padding_mode!r}"
            )
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
            output_padding,
        )

    def _output_padding(self, input: Tensor, output_size) -> tuple[int, ...]:
        """The output padding that gives `output_size` (its last spatial_dims numbers count)."""
        if output_size is None:
            return self.output_padding
        n = self.spatial_dims
        sizes = [int(s) for s in output_size]
        extra = input.ndim - n
        if len(sizes) == extra + n:
            sizes = sizes[extra:]
        if len(sizes) != n:
            raise ValueError(
                f"{self.describe()}: output_size must have {n} or {extra + n} numbers for a "
                f"{input.ndim}-D input, got {len(sizes)}"
            )
        smallest = [
            (i - 1) * s - 2 * p + d * (k - 1) + 1
            for i, s, p, d, k in zip(
                input.shape[-n:], self.stride, self.padding, self.dilation, self.kernel_size
            )
        ]
        largest = [low + s - 1 for low, s in zip(smallest, self.stride)]
        if any(not low <= size <= high for size, low, high in zip(sizes, smallest, largest)):
            raise ValueError(
                f"{self.describe()}: requested an output size of {sizes}, but valid sizes range "
                f"from {smallest} to {largest} (for an input of spatial size "
                f"{list(input.shape[-n:])})"
            )
        return tuple(size - low for size, low in zip(sizes, smallest))

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        return F._convolve_transposed(
            self.describe(),
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self._output_padding(input, output_size),
            self.groups,
            self.dilation,
        )


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution: each input position spreads its weighted kernel onto the
    output, the transpose (input gradient) of Conv1d; used to upsample learned features.

    Args:
        in_channels, out_channels: channels of the input and output.
        kernel_size: the kernel's length.
        stride: how far apart the input positions' kernels land in the output.
        padding: dilation * (kernel_size - 1) - padding zeros around the input, so that a Conv1d
            with the same arguments maps the output's shape back to the input's.
        output_padding: extra positions added at the end of the output (less than stride or
            dilation), to pick one of the output sizes a strided Conv1d maps to the same size.
        groups: split the channels into this many independent groups.
        bias: whether to learn an additive bias per output channel.
        dilation: spacing between the kernel's taps.
        padding_mode: only 'zeros'.
        device, dtype: where and in which float type to create the parameters.

    The weight has PyTorch's shape (in_channels, out_channels / groups, kernel_size). `forward`
    also takes `output_size` (the output's length) in place of output_padding.

    Shape:
        input (N, in_channels, L) or (in_channels, L) -> output (N, out_channels, L_out), with
        L_out = (L - 1) stride - 2 padding + dilation (kernel_size - 1) + output_padding + 1.

    Example:
        >>> nn.ConvTranspose1d(16, 8, 4, stride=2, padding=1)(wright.zeros(2, 16, 10)).shape
        wright.Size([2, 8, 20])
    """

    spatial_dims = 1


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution ("deconvolution"): each input pixel spreads its weighted kernel
    onto the output, the transpose (input gradient) of Conv2d; the upsampling layer of DCGAN
    generators and U-Net decoders.

    Args:
        in_channels, out_channels: channels of the input and output.
        kernel_size: the kernel's size, an int or (KH, KW).
        stride: how far apart the input pixels' kernels land in the output, an int or a pair.
        padding: dilation * (kernel_size - 1) - padding zeros around the input, so that a Conv2d
            with the same arguments maps the output's shape back to the input's.
        output_padding: extra rows/columns added at the bottom/right of the output (less than
            stride or dilation), to pick one of the sizes a strided Conv2d maps to the same size.
        groups: split the channels into this many independent groups.
        bias: whether to learn an additive bias per output channel.
        dilation: spacing between the kernel's taps.
        padding_mode: only 'zeros'.
        device, dtype: where and in which float type to create the parameters.

    The weight has PyTorch's shape (in_channels, out_channels / groups, KH, KW), so state dicts
    carry over unchanged. `forward` also takes `output_size` ((H_out, W_out), or with the batch
    and channel sizes in front) in place of output_padding.

    Shape:
        input (N, in_channels, H, W) or (in_channels, H, W) -> output (N, out_channels, H_out,
        W_out), with H_out = (H - 1) stride - 2 padding + dilation (KH - 1) + output_padding + 1,
        and W_out alike.

    Example:
        >>> up = nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1)
        >>> up(wright.zeros(8, 64, 16, 16)).shape
        wright.Size([8, 32, 32, 32])
    """

    spatial_dims = 2
