"""Loss modules: a single number saying how wrong the network is, the thing training minimises."""

from __future__ import annotations

import numpy as np

from wright.creation import as_tensor
from wright.nn import functional as F
from wright.nn.module import Module
from wright.ops import loss as losses
from wright.tensor import Tensor


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        F._check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Quadratic cost: mean squared difference between output and target (the lectures' cost).

    Shape: input (*), target (same shape) -> scalar (or input's shape with reduction='none').
    """

    def forward(self, pred: Tensor, target) -> Tensor:
        return F.mse_loss(pred, target, self.reduction)


class CrossEntropyLoss(_Loss):
    """Softmax plus negative log-likelihood, from raw scores (logits) and integer labels.

    Shape: input (N, C) or (N, C, *), target (N,) or (N, *) integers in [0, C).
    """

    def __init__(
        self, reduction: str = "mean", label_smoothing: float = 0.0, ignore_index: int = -100
    ) -> None:
        super().__init__(reduction)
        self.label_smoothing, self.ignore_index = label_smoothing, ignore_index

    def forward(self, logits: Tensor, target) -> Tensor:
        return F.cross_entropy(
            logits, target, self.reduction, self.label_smoothing, self.ignore_index
        )


class NLLLoss(_Loss):
    """Negative log-likelihood of integer labels given log-probabilities (after LogSoftmax)."""

    def forward(self, log_probs: Tensor, target) -> Tensor:
        return F.nll_loss(log_probs, target, self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy for probabilities in [0, 1] (after Sigmoid)."""

    def forward(self, prob: Tensor, target) -> Tensor:
        return F.binary_cross_entropy(prob, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy from raw scores, with the sigmoid fused in for stability."""

    def forward(self, logits: Tensor, target) -> Tensor:
        return F.binary_cross_entropy_with_logits(logits, target, self.reduction)


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
        if outputs.ndim != 2 or outputs.shape[1] != self.num_classes:
            self.check_input(outputs, 1, self.num_classes, "(N, num_classes)")
        target = target if isinstance(target, Tensor) else as_tensor(np.asarray(target))
        F._check_labels("QuadraticCost", outputs, target, ignore_index=None)
        return losses.QuadraticCost.apply(outputs, target)

    def extra_repr(self) -> str:
        return f"num_classes={self.num_classes}"
