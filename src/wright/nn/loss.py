"""Loss modules: a single number saying how wrong the network is, the thing training minimises.

Each wraps its `wright.nn.functional` form with PyTorch's constructor arguments, in PyTorch's
positional order: the deprecated `size_average` and `reduce` flags come before `reduction`
(`nn.MSELoss(reduction="sum")`, never `nn.MSELoss("sum")`). Class weights are buffers, so they
follow the module into its state dict.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from wright.creation import as_tensor
from wright.nn import functional as F
from wright.nn.module import Module
from wright.ops import loss as losses
from wright.tensor import Tensor


class _Loss(Module):
    # Reductions beyond 'mean', 'sum' and 'none' that the loss accepts.
    _extra_reductions: tuple[str, ...] = ()

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = F.legacy_reduction(size_average, reduce)
        F._check_reduction(type(self).__name__, reduction, self._extra_reductions)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", None if weight is None else _as_tensor(weight))


def _as_tensor(value) -> Tensor:
    return value if isinstance(value, Tensor) else as_tensor(np.asarray(value))


class L1Loss(_Loss):
    """Mean absolute difference |input - target|.

    Shape: input (*), target (same shape) -> scalar (or input's shape with reduction='none').
    """

    def forward(self, input: Tensor, target) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """Quadratic cost: mean squared difference between output and target (the lectures' cost).

    Shape: input (*), target (same shape) -> scalar (or input's shape with reduction='none').
    """

    def forward(self, input: Tensor, target) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Quadratic for differences below beta, linear beyond: less swayed by outliers than MSE.

    Args:
        beta: where the quadratic part turns linear (0 gives L1Loss).
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta: float = 1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """0.5 d^2 for |d| < delta, delta (|d| - 0.5 delta) beyond (d = input - target).

    Args:
        delta: where the quadratic part turns linear.
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence of the target distribution from input log-probabilities.

    Args:
        reduction: 'batchmean' gives the KL divergence per example; 'mean' divides by every
            element (PyTorch's default, with a warning).
        log_target: the target is given as log-probabilities too.
    """

    _extra_reductions = ("batchmean",)

    def __init__(
        self, size_average=None, reduce=None, reduction="mean", log_target: bool = False
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of integer labels given log-probabilities (after LogSoftmax).

    Args:
        weight: one weight per class (the mean then divides by the weights of the labels).
        ignore_index: a label value that adds nothing and is left out of the mean.

    Shape: input (N, C), (N, C, *) or (C,); target (N,), (N, *) or () integers in [0, C).
    """

    def __init__(
        self,
        weight=None,
        size_average=None,
        ignore_index: int = -100,
        reduce=None,
        reduction="mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target) -> Tensor:
        return F.nll_loss(
            input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )


class CrossEntropyLoss(_WeightedLoss):
    """Softmax plus negative log-likelihood, from raw scores (logits).

    Args:
        weight: one weight per class (for integer labels the mean then divides by the weights
            of the labels).
        ignore_index: a label value that adds nothing and is left out of the mean.
        label_smoothing: mix the target with the uniform distribution, this much of it uniform.

    Shape: input (N, C), (N, C, *) or (C,); target integer labels (N,), (N, *) or () in [0, C),
    or class probabilities of input's shape.
    """

    def __init__(
        self,
        weight=None,
        size_average=None,
        ignore_index: int = -100,
        reduce=None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input: Tensor, target) -> Tensor:
        return F.cross_entropy(
            input,
            target,
            self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class BCELoss(_WeightedLoss):
    """Binary cross-entropy for probabilities in [0, 1] (after Sigmoid).

    Args:
        weight: weights broadcast against the input, one per element.
    """

    def forward(self, input: Tensor, target) -> Tensor:
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Binary cross-entropy from raw scores, with the sigmoid fused in for stability.

    Args:
        weight: weights broadcast against the input, one per element.
        pos_weight: weight of the positive term per class (last dimension): above 1 favours
            recall, below 1 precision.
    """

    def __init__(
        self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.register_buffer("pos_weight", None if pos_weight is None else _as_tensor(pos_weight))

    def forward(self, input: Tensor, target) -> Tensor:
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


class PoissonNLLLoss(_Loss):
    """Negative log-likelihood of counts under Poisson rates.

    Args:
        log_input: the input is the log of the rate (e^input - target input); otherwise the rate
            (input - target log(input + eps)).
        full: add Stirling's approximation of log(target!).
        eps: keeps log(input) finite when log_input is False.
    """

    def __init__(
        self,
        log_input: bool = True,
        full: bool = False,
        size_average=None,
        eps: float = 1e-8,
        reduce=None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input: Tensor, target) -> Tensor:
        return F.poisson_nll_loss(
            log_input, target, self.log_input, self.full, eps=self.eps, reduction=self.reduction
        )


class GaussianNLLLoss(_Loss):
    """Negative log-likelihood of targets under normal distributions with predicted means and
    variances: 0.5 (log var + (input - target)^2 / var).

    Args:
        full: add the constant 0.5 log(2 pi).
        eps: variances below it are raised to it.

    Shape: input (N, *), target like input, var like input or with one dimension of size 1 or
    the last one dropped.
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean"):
        super().__init__(reduction=reduction)
        self.full, self.eps = full, eps

    def forward(self, input: Tensor, target, var) -> Tensor:
        return F.gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)


class _MarginLoss(_Loss):
    def __init__(self, margin: float, size_average=None, reduce=None, reduction="mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin


class CosineEmbeddingLoss(_MarginLoss):
    """1 - cos(x1, x2) for pairs labelled 1, max(0, cos(x1, x2) - margin) for pairs labelled -1.

    Shape: input1, input2 (N, D) or (D,); target (N,) or () of 1s and -1s.
    """

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(margin, size_average, reduce, reduction)

    def forward(self, input1: Tensor, input2: Tensor, target) -> Tensor:
        return F.cosine_embedding_loss(
            input1, input2, target, self.margin, reduction=self.reduction
        )


class MarginRankingLoss(_MarginLoss):
    """max(0, -target (x1 - x2) + margin): target 1 wants x1 ranked above x2, -1 below."""

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(margin, size_average, reduce, reduction)

    def forward(self, input1: Tensor, input2: Tensor, target) -> Tensor:
        return F.margin_ranking_loss(input1, input2, target, self.margin, reduction=self.reduction)


class HingeEmbeddingLoss(_MarginLoss):
    """x for targets 1, max(0, margin - x) for targets -1 (x usually a distance)."""

    def __init__(self, margin: float = 1.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(margin, size_average, reduce, reduction)

    def forward(self, input: Tensor, target) -> Tensor:
        return F.hinge_embedding_loss(input, target, self.margin, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """log(1 + e^(-target input)) for targets 1 and -1."""

    def forward(self, input: Tensor, target) -> Tensor:
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """Binary cross-entropy from raw scores per class, averaged over classes (multi-label).

    Args:
        weight: one weight per class.

    Shape: input (N, C), target (N, C) of 0s and 1s.
    """

    def forward(self, input: Tensor, target) -> Tensor:
        return F.multilabel_soft_margin_loss(input, target, self.weight, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge: sum over wrong classes of max(0, margin - x[y] + x[i])^p, divided by C.

    Args:
        p: 1 or 2.
        margin: how far the right class must lead.
        weight: one weight per class (of the target).
    """

    def __init__(
        self,
        p: int = 1,
        margin: float = 1.0,
        weight=None,
        size_average=None,
        reduce=None,
        reduction: str = "mean",
    ) -> None:
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: only p == 1 and p == 2 are supported, got {p}")
        super().__init__(weight, size_average, reduce, reduction)
        self.p, self.margin = p, margin

    def forward(self, input: Tensor, target) -> Tensor:
        return F.multi_margin_loss(
            input, target, self.p, self.margin, self.weight, reduction=self.reduction
        )


class MultiLabelMarginLoss(_Loss):
    """Multi-label hinge: each target class should beat each other class by 1.

    Shape: input (N, C) or (C,); target of the same shape holding class indices, ended by -1.
    """

    def forward(self, input: Tensor, target) -> Tensor:
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """max(0, margin + d(anchor, positive) - d(anchor, negative)) with the p-norm distance.

    Args:
        margin: how much closer the positive must be than the negative.
        p: the norm's degree.
        eps: added to differences so the distance stays differentiable.
        swap: use d(positive, negative) when it is smaller than d(anchor, negative).
    """

    def __init__(
        self,
        margin: float = 1.0,
        p: float = 2.0,
        eps: float = 1e-6,
        swap: bool = False,
        size_average=None,
        reduce=None,
        reduction: str = "mean",
    ) -> None:
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: margin must be greater than 0, got {margin}")
        super().__init__(size_average, reduce, reduction)
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_loss(
            anchor,
            positive,
            negative,
            self.margin,
            self.p,
            self.eps,
            self.swap,
            reduction=self.reduction,
        )


class TripletMarginWithDistanceLoss(_Loss):
    """TripletMarginLoss with any distance function (pairwise_distance by default)."""

    def __init__(
        self,
        *,
        distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
        margin: float = 1.0,
        swap: bool = False,
        reduction: str = "mean",
    ) -> None:
        if margin <= 0:
            raise ValueError(
                f"TripletMarginWithDistanceLoss: margin must be greater than 0, got {margin}"
            )
        super().__init__(reduction=reduction)
        self.distance_function, self.margin, self.swap = distance_function, margin, swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_with_distance_loss(
            anchor,
            positive,
            negative,
            distance_function=self.distance_function,
            margin=self.margin,
            swap=self.swap,
            reduction=self.reduction,
        )


class QuadraticCost(Module):
    """The lectures' cost for classifying with sigmoid outputs: 1/2 sum_j (a_j - y_j)^2 per example,
    where y is the one-hot vector of the integer label, averaged over the batch. The 1/2 cancels the
    2 that the derivative brings down, so the gradient at each output is simply a - y (divided by
    the batch size).

    Shape: input (N, num_classes) in (0, 1), target (N,) integer labels -> scalar.
    """

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.num_classes = num_classes

    def forward(self, outputs: Tensor, target) -> Tensor:
        shape = outputs.array.shape
        if len(shape) != 2 or shape[1] != self.num_classes:
            self.check_input(outputs, 1, self.num_classes, "(N, num_classes)")
        target = target if isinstance(target, Tensor) else as_tensor(np.asarray(target))
        F._check_labels("QuadraticCost", outputs, target, ignore_index=None)
        return losses.QuadraticCost.apply(outputs, target)

    def extra_repr(self) -> str:
        return f"num_classes={self.num_classes}"
