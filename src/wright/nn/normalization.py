"""Normalization layers: rescale activations to mean 0 and variance 1 (over the batch, a sample's
channel groups, or each sample's channel) and learn a scale and shift; batch and instance norm can
keep running statistics that stand in for the batch at evaluation."""

from __future__ import annotations

import warnings

import numpy as np

from wright import backend, dtypes
from wright.creation import as_tensor
from wright.nn import functional as F
from wright.nn import init
from wright.nn.module import Module, Parameter
from wright.tensor import Tensor


class _NormBase(Module):
    """What batch and instance norm share: PyTorch's parameters, buffers and their names."""

    def __init__(
        self,
        num_features: int,
        eps: float,
        momentum: float | None,
        affine: bool,
        track_running_stats: bool,
        device,
        dtype,
        bias: bool,
    ) -> None:
        super().__init__()
        backend.resolve_device(device)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        dtype = dtype or dtypes.default_float_numpy()
        _register_affine(self, affine, bias, num_features, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", as_tensor(np.zeros(num_features, dtype=dtype)))
            self.register_buffer("running_var", as_tensor(np.ones(num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", as_tensor(np.zeros((), dtype=np.int64)))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def reset_running_stats(self) -> None:
        """Forget the running statistics: mean 0, variance 1, no batches seen."""
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def reset_parameters(self) -> None:
        """Scale 1 and shift 0 (the identity after normalising), and fresh running statistics."""
        self.reset_running_stats()
        _reset_affine(self)

    def summary_line(self) -> str:
        return f"{type(self).__name__} {self.num_features}"

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


def _register_affine(module: Module, affine: bool, bias: bool, channels: int, dtype) -> None:
    """A learned scale `weight` (ones) and, unless bias=False, shift `bias` (zeros) per channel."""
    weight = Parameter(np.ones(channels, dtype=dtype)) if affine else None
    shift = Parameter(np.zeros(channels, dtype=dtype)) if affine and bias else None
    module.register_parameter("weight", weight)
    module.register_parameter("bias", shift)


def _reset_affine(module: Module) -> None:
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class _BatchNorm(_NormBase):
    """What BatchNorm1d, 2d and 3d share: PyTorch's arguments and update rule."""

    layouts: tuple[str, ...]

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(
            num_features, eps, momentum, affine, track_running_stats, device, dtype, bias
        )

    def forward(self, input: Tensor) -> Tensor:
        F._check_image(self.describe(), input, self.layouts, self.num_features)
        updating = self.training and self.track_running_stats
        momentum = self.momentum
        if updating and momentum is None:
            # A cumulative moving average: every batch so far weighs the same.
            momentum = 1.0 / (float(self.num_batches_tracked.array) + 1.0)
        out = F._batch_norm(
            self.describe(),
            input,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training,
            momentum or 0.0,
            self.eps,
        )
        if updating:
            self.num_batches_tracked.add_(1)
        return out


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) features or (N, C, L) signals, per channel C.

    In training, each channel is normalised with the batch's mean and (biased) variance, then
    scaled by `weight` and shifted by `bias`; the running mean and (unbiased) variance move
    `momentum` of the way towards the batch's (momentum=None: a cumulative average). In `eval()`
    the running statistics are used instead.

    Args:
        num_features: C, the number of channels.
        eps: added to the variance before the square root.
        momentum: weight of each new batch in the running statistics, or None for an average
            in which every batch weighs the same.
        affine: learn weight (scale) and bias (shift).
        track_running_stats: keep running statistics; without them evaluation uses the batch's too.
        device, dtype: where and in which float type to create the parameters and buffers.
        bias: with affine, also learn the shift (keyword only).

    Raises:
        FloatingPointError: in training, when a batch's statistics are NaN or infinite (the input
            holds NaN or inf); the running statistics are then left unchanged, not poisoned.

    Shape:
        input (N, C) or (N, C, L) -> output, the same shape.
    """

    layouts = ("(N, C)", "(N, C, L)")


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) images, per channel, over the batch and all pixels.

    The same rule and arguments as BatchNorm1d (see there), with statistics over N, H and W.

    Raises:
        FloatingPointError: in training, when a batch's statistics are NaN or infinite; the running
            statistics are then left unchanged.

    Shape:
        input (N, C, H, W) -> output, the same shape.

    Example:
        >>> norm = nn.BatchNorm2d(20)
        >>> norm(wright.randn(8, 20, 12, 12)).shape
        wright.Size([8, 20, 12, 12])
    """

    layouts = ("(N, C, H, W)",)


class BatchNorm3d(_BatchNorm):
    """Batch normalization of (N, C, D, H, W) volumes, per channel, over the batch and all
    positions. The same rule and arguments as BatchNorm1d (see there).

    Shape:
        input (N, C, D, H, W) -> output, the same shape.
    """

    layouts = ("(N, C, D, H, W)",)


class _InstanceNorm(_NormBase):
    """What InstanceNorm1d, 2d and 3d share: PyTorch's arguments and defaults (no affine, no
    running statistics)."""

    spatial_dims: int

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(
            num_features, eps, momentum, affine, track_running_stats, device, dtype, bias
        )

    def forward(self, input: Tensor) -> Tensor:
        x, single = F._add_batch(self.describe(), input, self.spatial_dims)
        if x.shape[1] != self.num_features:
            message = (
                f"{self.describe()}: expected {self.num_features} channels at dim "
                f"{1 - single}, got input of shape {tuple(input.shape)}"
            )
            if self.affine:
                raise ValueError(message)
            # Without a per-channel scale the channel count is not used; PyTorch only warns.
            warnings.warn(message, stacklevel=2)
        out = F._instance_norm(
            self.describe(),
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or not self.track_running_stats,
            0.0 if self.momentum is None else self.momentum,
            self.eps,
        )
        return F._drop_batch(out, single)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization of signals: each channel of each sample is normalised over its own
    positions (to mean 0 and variance 1), then optionally scaled and shifted per channel.

    With `track_running_stats`, training also keeps running averages of the per-sample means and
    (unbiased) variances, which `eval()` then uses instead (momentum=None: they stay as they are).

    Args:
        num_features: C, the number of channels.
        eps: added to the variance before the square root.
        momentum: weight of each new batch in the running statistics.
        affine: learn a per-channel weight (scale) and bias (shift).
        track_running_stats: keep running statistics for evaluation.
        device, dtype: where and in which float type to create the parameters and buffers.
        bias: with affine, also learn the shift (keyword only).

    Shape:
        input (N, C, L) or (C, L) -> output, the same shape.
    """

    spatial_dims = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization of images: each channel of each image is normalised over its own
    pixels (the normalization of style-transfer networks). Arguments as in InstanceNorm1d.

    Shape:
        input (N, C, H, W) or (C, H, W) -> output, the same shape.

    Example:
        >>> nn.InstanceNorm2d(3, affine=True)(wright.randn(2, 3, 8, 8)).shape
        wright.Size([2, 3, 8, 8])
    """

    spatial_dims = 2


class InstanceNorm3d(_InstanceNorm):
    """Instance normalization of volumes. Arguments as in InstanceNorm1d.

    Shape:
        input (N, C, D, H, W) or (C, D, H, W) -> output, the same shape.
    """

    spatial_dims = 3


class GroupNorm(Module):
    """Group normalization: the channels of each sample are split into `num_groups` groups, and
    each group is normalised over its channels and positions together, then every channel is
    scaled and shifted. It does not depend on the batch (one group: layer norm over (C, *); C
    groups: instance norm).

    Args:
        num_groups: how many groups to split the channels into (must divide num_channels).
        num_channels: C.
        eps: added to the variance before the square root.
        affine: learn a per-channel weight (scale, ones) and bias (shift, zeros).
        device, dtype: where and in which float type to create the parameters.
        bias: with affine, also learn the shift (keyword only).

    Shape:
        input (N, C, *) -> output, the same shape.

    Example:
        >>> nn.GroupNorm(4, 16)(wright.randn(2, 16, 5, 5)).shape
        wright.Size([2, 16, 5, 5])
    """

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        backend.resolve_device(device)
        if num_groups < 1 or num_channels % num_groups:
            raise ValueError(
                f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups "
                f"({num_groups})"
            )
        self.num_groups, self.num_channels, self.eps, self.affine = (
            num_groups,
            num_channels,
            eps,
            affine,
        )
        _register_affine(self, affine, bias, num_channels, dtype or dtypes.default_float_numpy())

    def reset_parameters(self) -> None:
        """Scale 1 and shift 0."""
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        return F._group_norm(
            self.describe(), input, self.num_groups, self.weight, self.bias, self.eps
        )

    def summary_line(self) -> str:
        return f"GroupNorm {self.num_groups} groups of {self.num_channels}"

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )


class LocalResponseNorm(Module):
    """Local response normalization (AlexNet's): each value is divided by (k + alpha * mean of the
    squares of `size` neighbouring channels)^beta, so that strongly active channels damp their
    neighbours.

    Args:
        size: how many channels each mean spans (centred, zero-padded at the ends).
        alpha, beta, k: the multiplier, exponent and additive constant.

    Shape:
        input (N, C, *) with at least 3 dimensions -> output, the same shape.
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input: Tensor) -> Tensor:
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
