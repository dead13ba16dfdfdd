"""Fused loss ops: each computes its cost and its gradient in one step (fewer, larger array
calls)."""

import numpy as np

from wright.autograd import Function
from wright.backend import array_module
from wright.ops.elementwise import sigmoid_array
from wright.ops.reduce import log_softmax_array


def _reduce(values, reduction):
    xp = array_module(values)
    if reduction == "mean":
        return xp.mean(values)
    if reduction == "sum":
        return xp.sum(values)
    return values


def _scale(grad, count, reduction):
    """The gradient arriving at a reduced loss, spread over the elements it averaged or summed."""
    if reduction == "mean":
        return grad / count
    return grad


def _nan_like(values):
    xp = array_module(values)
    return xp.array(np.nan, dtype=values.dtype)


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
    """Softmax followed by the negative log-likelihood of integer labels, over axis 1 (N, C, *).

    The mean is over the labels not equal to `ignore_index`; with none left it is nan (and the
    gradient zero), as in PyTorch.
    """

    def forward(self, logits, target, reduction, label_smoothing, ignore_index):
        xp = array_module(logits)
        log_probs = log_softmax_array(logits, axis=1)
        keep = target != ignore_index
        safe_target = xp.where(keep, target, 0)
        picked = xp.take_along_axis(log_probs, xp.expand_dims(safe_target, 1), axis=1).squeeze(1)
        losses = -picked * (1 - label_smoothing)
        if label_smoothing:
            losses -= log_probs.mean(axis=1) * label_smoothing
        losses = xp.where(keep, losses, 0)
        self.log_probs, self.target, self.keep = log_probs, safe_target, keep
        self.reduction, self.smoothing = reduction, label_smoothing
        self.count = int(keep.sum())
        if reduction == "mean":
            return xp.sum(losses) / self.count if self.count else _nan_like(losses)
        return _reduce(losses, reduction)

    def backward(self, grad):
        xp = array_module(grad)
        if self.reduction == "mean" and not self.count:
            return xp.zeros_like(self.log_probs), None
        # d loss / d logits = softmax - smoothed one-hot target
        classes = self.log_probs.shape[1]
        grad_logits = xp.exp(self.log_probs)
        one_hot = xp.zeros_like(grad_logits)
        xp.put_along_axis(one_hot, xp.expand_dims(self.target, 1), 1 - self.smoothing, axis=1)
        grad_logits -= one_hot + self.smoothing / classes
        keep = xp.expand_dims(self.keep, 1)
        if self.reduction == "none":
            grad = xp.expand_dims(grad, 1)
        elif self.reduction == "mean":
            grad = grad / self.count
        return grad_logits * keep * grad, None


class NLL(Function):
    """Negative log-likelihood of integer labels picked along axis 1 of log-probabilities
    (N, C, *), optionally weighted per class.

    The mean divides by the summed weights of the kept labels: nan when that is 0, as in PyTorch
    (whose gradient is then zero where every label was ignored, nan where weights were 0).
    """

    def forward(self, log_probs, weight, target, ignore_index, reduction):
        xp = array_module(log_probs)
        keep = target != ignore_index
        safe_target = xp.expand_dims(xp.where(keep, target, 0), 1)
        if weight is None:
            weights = keep.astype(log_probs.dtype)
        else:
            weights = xp.where(keep, weight[safe_target.squeeze(1)], 0).astype(log_probs.dtype)
        picked = xp.take_along_axis(log_probs, safe_target, axis=1).squeeze(1)
        losses = xp.where(keep, -picked * weights, 0)
        self.shape, self.keep, self.target, self.weights = (
            log_probs.shape,
            keep,
            safe_target,
            weights,
        )
        self.reduction = reduction
        if reduction != "mean":
            return _reduce(losses, reduction)
        self.total = weights.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp.asarray(losses.sum() / self.total, dtype=log_probs.dtype)

    def backward(self, grad):
        xp = array_module(grad)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.reduction == "mean":
                grad = grad / self.total
            picked = xp.where(self.keep, -self.weights * grad, 0).astype(grad.dtype, copy=False)
        full = xp.zeros(self.shape, dtype=picked.dtype)
        xp.put_along_axis(full, self.target, xp.expand_dims(picked, 1), axis=1)
        return full


class KLDivergence(Function):
    """Pointwise KL divergence t (log t - x) of targets t from log-probabilities x (or e^t (t - x)
    with `log_target`); 0 where t = 0."""

    def forward(self, input, target, log_target):
        xp = array_module(input)
        self.input, self.target, self.log_target = input, target, log_target
        if log_target:
            return xp.exp(target) * (target - input)
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp.where(target == 0, 0, target * xp.log(target)) - target * input

    def backward(self, grad):
        xp = array_module(grad)
        need_input, need_target = self.needs_input_grad
        x, t = self.input, self.target
        grad_input = grad_target = None
        if self.log_target:
            weight = xp.exp(t)
            grad_input = -weight * grad if need_input else None
            # d/dt e^t (t - x) = e^t (t - x + 1)
            grad_target = weight * (t - x + 1) * grad if need_target else None
            return grad_input, grad_target
        if need_input:
            grad_input = -t * grad
        if need_target:
            # d/dt [t log t - t x] = log t + 1 - x; at t = 0 PyTorch's formula gives nan (0 / 0).
            with np.errstate(divide="ignore", invalid="ignore"):
                grad_target = (xp.where(t != 0, xp.log(t), 0) + t / t - x) * grad
        return grad_input, grad_target


class BinaryCrossEntropy(Function):
    """-w [t log p + (1 - t) log(1 - p)] for probabilities p; logs are floored at -100 as in
    PyTorch."""

    def forward(self, prob, target, reduction, weight=None):
        xp = array_module(prob)
        self.prob, self.target, self.reduction, self.weight = prob, target, reduction, weight
        with np.errstate(divide="ignore"):
            log_p = xp.maximum(xp.log(prob), -100)
            log_not_p = xp.maximum(xp.log1p(-prob), -100)
        losses = -(target * log_p + (1 - target) * log_not_p)
        return _reduce(losses if weight is None else losses * weight, reduction)

    def backward(self, grad):
        xp = array_module(grad)
        p, t = self.prob, self.target
        need_prob, need_target = self.needs_input_grad
        grad = _scale(grad, p.size, self.reduction)
        if self.weight is not None:
            grad = grad * self.weight
        grad_prob = grad_target = None
        if need_prob:
            # d/dp = (p - t) / (p (1 - p)), kept finite where p touches 0 or 1
            grad_prob = grad * (p - t) / xp.maximum(p * (1 - p), 1e-12)
        if need_target:
            # d/dt = log(1 - p) - log p, unfloored (infinite at p = 0 or 1, as in PyTorch)
            with np.errstate(divide="ignore"):
                grad_target = grad * (xp.log1p(-p) - xp.log(p))
        return grad_prob, grad_target


class BinaryCrossEntropyWithLogits(Function):
    """Sigmoid and binary cross-entropy in one op, stable for any x: (1 - t) x + c log(1 + e^-x)
    with c = 1 + (pos_weight - 1) t (c = 1 without pos_weight), times the weight."""

    def forward(self, logits, target, reduction, weight=None, pos_weight=None):
        xp = array_module(logits)
        self.logits, self.target, self.reduction = logits, target, reduction
        self.weight, self.pos_weight = weight, pos_weight
        x = logits
        if pos_weight is None:
            losses = xp.maximum(x, 0) - x * target + xp.log1p(xp.exp(-xp.abs(x)))
        else:
            self.softplus_neg = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))  # log(1 + e^-x)
            losses = (1 - target) * x + (1 + (pos_weight - 1) * target) * self.softplus_neg
        return _reduce(losses if weight is None else losses * weight, reduction)

    def backward(self, grad):
        x, t, pos_weight = self.logits, self.target, self.pos_weight
        need_logits, need_target = self.needs_input_grad
        grad = _scale(grad, x.size, self.reduction)
        if self.weight is not None:
            grad = grad * self.weight
        grad_logits = grad_target = None
        if pos_weight is None:
            # d/dx = sigmoid(x) - t, d/dt = -x
            grad_logits = grad * (sigmoid_array(x) - t) if need_logits else None
            grad_target = -grad * x if need_target else None
            return grad_logits, grad_target
        weighted_t = pos_weight * t
        if need_logits:
            # d/dx = (pos_weight t + 1 - t) sigmoid(x) - pos_weight t
            grad_logits = grad * ((weighted_t + 1 - t) * sigmoid_array(x) - weighted_t)
        if need_target:
            # d/dt = -x + (pos_weight - 1) log(1 + e^-x)
            grad_target = grad * ((pos_weight - 1) * self.softplus_neg - x)
        return grad_logits, grad_target


class QuadraticCost(Function):
    """1/2 sum_j (a_j - y_j)^2 averaged over the batch, y the one-hot vector of each integer
    label."""

    def forward(self, outputs, labels):
        xp = array_module(outputs)
        self.diff = outputs.copy()
        flat = self.diff.reshape(-1)
        # Each row's labelled element, by its position in the flat copy (one index array, not two).
        flat[xp.arange(0, flat.size, outputs.shape[1]) + labels] -= 1
        # An empty batch has no mean: NaN, as MSELoss gives.
        count = len(labels) or np.nan
        return xp.asarray(xp.dot(flat, flat) * (0.5 / count), dtype=outputs.dtype)

    def backward(self, grad):
        # d/da 1/2 (a - y)^2 = a - y
        return grad * self.diff / max(len(self.diff), 1), None
