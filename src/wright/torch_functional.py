"""The layer functions PyTorch also exposes at the top level (`torch.conv2d`, `torch.dropout`,
`torch.layer_norm`, ...), with the signatures they have there, which are not always those of
`torch.nn.functional`: positional flags (`torch.dropout(x, p, train)`), the batch-norm argument
order (weight and bias first), losses' reduction as an integer (0 none, 1 mean, 2 sum), pooling
strides that default to `()`, and `torch.embedding(weight, indices)`."""

from __future__ import annotations

import warnings

from wright.nn import functional as F
from wright.nn.functional import (
    adaptive_avg_pool1d,
    bilinear,
    channel_shuffle,
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    cosine_similarity,
    hardshrink,
    pairwise_distance,
    pdist,
    pixel_shuffle,
    pixel_unshuffle,
    prelu,
    rms_norm,
    selu_,
)
from wright.tensor import Tensor

# ----- dropout: (input, p, train), all required -----


def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """`F.dropout(input, p, train)`."""
    return F.dropout(input, p, train)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In-place `dropout`."""
    return F.dropout(input, p, train, inplace=True)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """`F.alpha_dropout(input, p, train)`."""
    return F.alpha_dropout(input, p, train)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In-place `alpha_dropout`."""
    return F.alpha_dropout(input, p, train, inplace=True)


def _feature_shape(owner: str, input: Tensor) -> tuple[int, ...]:
    # One draw per (sample, channel): dims 0 and 1 whatever the rank, unlike dropout2d/3d.
    return F._feature_dropout_shape(owner, input)


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """Dropout of whole channels (dim 1) of (N, C, ...) inputs, one draw per sample and channel."""
    shape = _feature_shape("feature_dropout", input)
    return F._dropout("feature_dropout", input, p, train, False, shape)


def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In-place `feature_dropout`."""
    shape = _feature_shape("feature_dropout_", input)
    return F._dropout("feature_dropout_", input, p, train, True, shape)


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """`F.feature_alpha_dropout(input, p, train)`."""
    return F.feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In-place `feature_alpha_dropout`."""
    return F.feature_alpha_dropout(input, p, train, inplace=True)


# ----- normalisation -----


def batch_norm(
    input: Tensor,
    weight: Tensor | None,
    bias: Tensor | None,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    training: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool,
) -> Tensor:
    """`F.batch_norm` with torch's top-level argument order (weight and bias first)."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(
    input: Tensor,
    weight: Tensor | None,
    bias: Tensor | None,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    use_input_stats: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool,
) -> Tensor:
    """`F.instance_norm` with torch's top-level argument order (weight and bias first)."""
    return F.instance_norm(
        input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps
    )


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
    cudnn_enabled: bool = True,
) -> Tensor:
    """`F.group_norm` (cudnn_enabled is accepted and ignored)."""
    return F.group_norm(input, num_groups, weight, bias, eps)


def layer_norm(
    input: Tensor,
    normalized_shape,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
    cudnn_enable: bool = True,
) -> Tensor:
    """`F.layer_norm` (cudnn_enable is accepted and ignored)."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


# ----- pooling: stride () means the kernel size -----


def max_pool1d(
    input: Tensor, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False
) -> Tensor:
    """`F.max_pool1d`; an empty stride means the kernel size."""
    return F.max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool1d_with_indices(
    input: Tensor, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False
) -> tuple[Tensor, Tensor]:
    """`F.max_pool1d` with the positions of the maxima: (values, indices)."""
    return F.max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode, True)


def max_pool2d(
    input: Tensor, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False
) -> Tensor:
    """`F.max_pool2d`; an empty stride means the kernel size."""
    return F.max_pool2d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def avg_pool1d(
    input: Tensor,
    kernel_size,
    stride=(),
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """`F.avg_pool1d`; an empty stride means the kernel size."""
    return F.avg_pool1d(input, kernel_size, stride or None, padding, ceil_mode, count_include_pad)


def adaptive_max_pool1d(input: Tensor, output_size) -> tuple[Tensor, Tensor]:
    """`F.adaptive_max_pool1d` with the positions of the maxima: (values, indices)."""
    return F.adaptive_max_pool1d(input, output_size, return_indices=True)


# ----- activations -----


def celu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """`F.celu`."""
    return F.celu(input, alpha)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place `celu`."""
    return F.celu_(input, alpha)


def selu(input: Tensor) -> Tensor:
    """`F.selu`."""
    return F.selu(input)


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    generator=None,
) -> Tensor:
    """`F.rrelu`, with the random slopes drawn from `generator` when given."""
    return F._rrelu(input, lower, upper, training, False, generator)


def rrelu_(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    generator=None,
) -> Tensor:
    """In-place `rrelu`."""
    return F._rrelu(input, lower, upper, training, True, generator)


def threshold(input: Tensor, threshold: float, value: float) -> Tensor:
    """`F.threshold`: x where x > threshold, `value` elsewhere."""
    return F.threshold(input, threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place `threshold`."""
    return F.threshold_(input, threshold, value)


# ----- embeddings and padding -----


def embedding(
    weight: Tensor,
    indices: Tensor,
    padding_idx: int = -1,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """`F.embedding` with the weight first; a negative padding_idx means no padding row."""
    padding = None if padding_idx < 0 else padding_idx
    return F.embedding(
        indices, weight, padding, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse
    )


def embedding_renorm_(weight: Tensor, input: Tensor, max_norm: float, norm_type: float) -> Tensor:
    """Scale the rows of `weight` that `input` picks and whose norm exceeds max_norm down to it,
    in place (what embedding's max_norm does before a lookup)."""
    rows = weight.shape[0]
    F._renormalise_rows(
        weight, F._checked_indices("embedding_renorm_", input, rows), max_norm, norm_type
    )
    return weight


def constant_pad_nd(input: Tensor, pad, value=0) -> Tensor:
    """`F.pad(input, pad, 'constant', value)`: pad the last dims by (before, after) pairs, the
    last dim first."""
    return F.pad(input, pad, "constant", value)


# ----- losses: reduction 0 (none), 1 (mean) or 2 (sum) -----

_REDUCTIONS = ("none", "mean", "sum")


def _reduction(reduction: int) -> str:
    if isinstance(reduction, str):
        return reduction
    if reduction not in (0, 1, 2):
        raise RuntimeError(f"reduction: expected 0 (none), 1 (mean) or 2 (sum), got {reduction}")
    return _REDUCTIONS[reduction]


def kl_div(input: Tensor, target: Tensor, reduction: int = 1, *, log_target: bool = False):
    """`F.kl_div`; reduction 1 is the mean over all elements (without F's warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return F.kl_div(input, target, reduction=_reduction(reduction), log_target=log_target)


def cosine_embedding_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: int = 1
) -> Tensor:
    """`F.cosine_embedding_loss` with an integer reduction."""
    return F.cosine_embedding_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def hinge_embedding_loss(
    input: Tensor, target: Tensor, margin: float = 1.0, reduction: int = 1
) -> Tensor:
    """`F.hinge_embedding_loss` with an integer reduction."""
    return F.hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def margin_ranking_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: int = 1
) -> Tensor:
    """`F.margin_ranking_loss` with an integer reduction."""
    return F.margin_ranking_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def poisson_nll_loss(
    input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float, reduction: int
) -> Tensor:
    """`F.poisson_nll_loss` with every argument given and an integer reduction."""
    return F.poisson_nll_loss(
        input, target, log_input, full, eps=eps, reduction=_reduction(reduction)
    )


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: int = 1,
) -> Tensor:
    """`F.triplet_margin_loss` with an integer reduction."""
    return F.triplet_margin_loss(
        anchor, positive, negative, margin, p, eps, swap, reduction=_reduction(reduction)
    )


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    pos_weight: Tensor | None = None,
    reduction: int = 1,
) -> Tensor:
    """`F.binary_cross_entropy_with_logits` with pos_weight before the (integer) reduction."""
    return F.binary_cross_entropy_with_logits(
        input, target, weight, reduction=_reduction(reduction), pos_weight=pos_weight
    )


Tensor.hardshrink = hardshrink
Tensor.prelu = prelu

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_max_pool1d",
    "alpha_dropout",
    "alpha_dropout_",
    "avg_pool1d",
    "batch_norm",
    "bilinear",
    "binary_cross_entropy_with_logits",
    "celu",
    "celu_",
    "channel_shuffle",
    "constant_pad_nd",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "cosine_embedding_loss",
    "cosine_similarity",
    "dropout",
    "dropout_",
    "embedding",
    "embedding_renorm_",
    "feature_alpha_dropout",
    "feature_alpha_dropout_",
    "feature_dropout",
    "feature_dropout_",
    "group_norm",
    "hardshrink",
    "hinge_embedding_loss",
    "instance_norm",
    "kl_div",
    "layer_norm",
    "margin_ranking_loss",
    "max_pool1d",
    "max_pool1d_with_indices",
    "max_pool2d",
    "pairwise_distance",
    "pdist",
    "pixel_shuffle",
    "pixel_unshuffle",
    "poisson_nll_loss",
    "prelu",
    "rms_norm",
    "rrelu",
    "rrelu_",
    "selu",
    "selu_",
    "threshold",
    "threshold_",
    "triplet_margin_loss",
]
