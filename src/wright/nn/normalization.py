"""Batch normalization: rescale each channel to mean 0 and variance 1 over the batch, then learn a
scale and shift; running averages of the statistics stand in for the batch at evaluation."""

from __future__ import annotations

import numpy as np

from wright import dtypes
from wright.creation import as_tensor
from wright.nn import functional as F
from wright.nn import init
from wright.nn.module import Module, Parameter
from wright.tensor import Tensor


class _BatchNorm(Module):
    """What BatchNorm1d and BatchNorm2d share: PyTorch's parameters, buffers and update rule."""

    layouts: tuple[str, ...]

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        dtype=None,
    ) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        dtype = dtype or dtypes.default_float_numpy()
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=dtype))
            self.bias = Parameter(np.zeros(num_features, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
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
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def forward(self, x: Tensor) -> Tensor:
        F._check_image(self.describe(), x, self.layouts, self.num_features)
        updating = self.training and self.track_running_stats
        momentum = self.momentum
        if updating and momentum is None:
            # A cumulative moving average: every batch so far weighs the same.
            momentum = 1.0 / (float(self.num_batches_tracked.array) + 1.0)
        out = F._batch_norm(
            self.describe(),
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training,
            momentum or 0.0,
            self.eps,
        )
        if updating:
            self.num_batches_tracked.array += 1
        return out

    def summary_line(self) -> str:
        return f"{type(self).__name__} {self.num_features}"

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
        )


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

    Raises:
        FloatingPointError: in training, when a batch's statistics are NaN or infinite (the input
            holds NaN or inf); the running statistics are then left unchanged, not poisoned.

    Shape:
        input (N, C) or (N, C, L) -> output, the same shape.
    """

    layouts = ("(N, C)", "(N, C, L)")


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) images, per channel, over the batch and all pixels.

    The same rule as BatchNorm1d (see there), with statistics over N, H and W.

    Raises:
        FloatingPointError: in training, when a batch's statistics are NaN or infinite; the running
            statistics are then left unchanged.

    Shape:
        input (N, C, H, W) -> output, the same shape.

    Example:
        >>> norm = nn.BatchNorm2d(20)
        >>> norm(wright.randn(8, 20, 12, 12)).shape
        (8, 20, 12, 12)
    """

    layouts = ("(N, C, H, W)",)
