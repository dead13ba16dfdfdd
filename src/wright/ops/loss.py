"""Fused loss ops: each computes its scalar cost and its gradient in one step (fewer, larger array
calls)."""

import numpy as np

from wright.autograd import Function
from wright.ops.elementwise import sigmoid_array
from wright.ops.reduce import log_softmax_array


def _reduce(values, reduction):
    if reduction == "mean":
        return np.mean(values)
    if reduction == "sum":
        return np.sum(values)
    return values


def _scale(grad, count, reduction):
    """The gradient arriving at a reduced loss, spread over the elements it averaged or summed."""
    if reduction == "mean":
        return grad / count
    return grad


class MSE(Function):
    """Quadratic cost: mean (or sum) of squared differences between prediction and target."""

    def forward(self, pred, target, reduction):
        self.diff = pred - target
        self.reduction = reduction
        return _reduce(self.diff * self.diff, reduction)

    def backward(self, grad):
        # d/dp (p - t)^2 = 2 (p - t)
        grad_pred = _scale(grad, self.diff.size, self.reduction) * 2 * self.diff
        return grad_pred, (-grad_pred if self.needs_input_grad[1] else None)


class CrossEntropy(Function):
    """Softmax followed by the negative log-likelihood of integer labels, over axis 1 (N, C, *)."""

    def forward(self, logits, target, reduction, label_smoothing, ignore_index):
        log_probs = log_softmax_array(logits, axis=1)
        keep = target != ignore_index
        safe_target = np.where(keep, target, 0)
        picked = np.take_along_axis(log_probs, np.expand_dims(safe_target, 1), axis=1).squeeze(1)
        losses = -picked * (1 - label_smoothing)
        if label_smoothing:
            losses -= log_probs.mean(axis=1) * label_smoothing
        losses = losses * keep
        self.log_probs, self.target, self.keep = log_probs, safe_target, keep
        self.reduction, self.smoothing, self.count = (
            reduction,
            label_smoothing,
            max(int(keep.sum()), 1),
        )
        if reduction == "mean":
            return np.sum(losses) / self.count
        return _reduce(losses, reduction)

    def backward(self, grad):
        # d loss / d logits = softmax - smoothed one-hot target
        classes = self.log_probs.shape[1]
        grad_logits = np.exp(self.log_probs)
        one_hot = np.zeros_like(grad_logits)
        np.put_along_axis(one_hot, np.expand_dims(self.target, 1), 1 - self.smoothing, axis=1)
        grad_logits -= one_hot + self.smoothing / classes
        keep = np.expand_dims(self.keep, 1)
        if self.reduction == "none":
            grad = np.expand_dims(grad, 1)
        elif self.reduction == "mean":
            grad = grad / self.count
        return grad_logits * keep * grad, None


class BinaryCrossEntropy(Function):
    """-[t log p + (1 - t) log(1 - p)] for probabilities p; logs are floored at -100 as in
    PyTorch."""

    def forward(self, prob, target, reduction):
        self.prob, self.target, self.reduction = prob, target, reduction
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(prob), -100)
            log_not_p = np.maximum(np.log1p(-prob), -100)
        return _reduce(-(target * log_p + (1 - target) * log_not_p), reduction)

    def backward(self, grad):
        p, t = self.prob, self.target
        # d/dp = (p - t) / (p (1 - p)), kept finite where p touches 0 or 1
        grad_prob = _scale(grad, p.size, self.reduction) * (p - t) / np.maximum(p * (1 - p), 1e-12)
        return grad_prob, None


class BinaryCrossEntropyWithLogits(Function):
    """Sigmoid and binary cross-entropy in one op: max(x, 0) - x t + log(1 + e^-|x|), stable for any
    x."""

    def forward(self, logits, target, reduction):
        self.logits, self.target, self.reduction = logits, target, reduction
        losses = np.maximum(logits, 0) - logits * target + np.log1p(np.exp(-np.abs(logits)))
        return _reduce(losses, reduction)

    def backward(self, grad):
        # d/dx = sigmoid(x) - t
        return _scale(grad, self.logits.size, self.reduction) * (
            sigmoid_array(self.logits) - self.target
        ), None


class QuadraticCost(Function):
    """1/2 sum_j (a_j - y_j)^2 averaged over the batch, y the one-hot vector of each integer
    label."""

    def forward(self, outputs, labels):
        self.diff = outputs.copy()
        self.diff[np.arange(len(labels)), labels] -= 1
        return np.sum(self.diff * self.diff) * (0.5 / len(labels))

    def backward(self, grad):
        # d/da 1/2 (a - y)^2 = a - y
        return grad * self.diff / len(self.diff), None
