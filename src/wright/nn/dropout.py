"""Dropout: switch random neurons off while training so that no neuron can rely on any other."""

from __future__ import annotations

from wright.nn import functional as F
from wright.nn.module import Module
from wright.tensor import Tensor


class _DropoutNd(Module):
    """What the dropout layers share: a probability and `inplace`, PyTorch's arguments."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        F._check_probability(type(self).__name__, p)
        self.p, self.inplace = p, inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Inverted dropout: in training, zero each element with probability p and scale the rest by
    1/(1-p); in `eval()` mode the input passes through unchanged (the scaling kept the expected
    sum).

    Args:
        p: probability of dropping each element.
        inplace: change the input's own memory instead of returning a new tensor.

    Shape:
        input (*) -> output (*), the same shape.

    Example:
        >>> drop = nn.Dropout(0.5)
        >>> drop.eval()(wright.ones(3)).tolist()
        [1.0, 1.0, 1.0]
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Channel dropout of signals: in training, zero whole channels (all of L) with probability
    p and scale the rest by 1/(1-p); neighbouring positions are correlated, so dropping single
    elements would regularise little.

    Args:
        p: probability of dropping each channel.
        inplace: change the input's own memory.

    Shape:
        input (N, C, L) or unbatched (C, L) -> output, the same shape.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Channel dropout of images: in training, zero whole feature maps with probability p and
    scale the rest by 1/(1-p).

    As in PyTorch, a 3-D input is taken as (N, C, L) with a warning (use Dropout1d for signals),
    not as an unbatched (C, H, W) image.

    Args:
        p: probability of dropping each channel.
        inplace: change the input's own memory.

    Shape:
        input (N, C, H, W) -> output, the same shape.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Channel dropout of volumes: in training, zero whole (D, H, W) channels with probability p
    and scale the rest by 1/(1-p).

    Args:
        p: probability of dropping each channel.
        inplace: change the input's own memory.

    Shape:
        input (N, C, D, H, W) or unbatched (C, D, H, W) -> output, the same shape.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Dropout for self-normalising (SELU) networks: in training, dropped elements take SELU's
    negative saturation value and the output is scaled and shifted so that inputs with zero mean
    and unit variance keep them.

    Args:
        p: probability of dropping each element.
        inplace: change the input's own memory.

    Shape:
        input (*) -> output (*), the same shape.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.alpha_dropout(input, self.p, self.training, self.inplace)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels (dim 1) of (N, C, ...) inputs.

    Args:
        p: probability of dropping each channel.
        inplace: change the input's own memory.

    Shape:
        input (N, C, *) -> output, the same shape.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.feature_alpha_dropout(input, self.p, self.training, self.inplace)
