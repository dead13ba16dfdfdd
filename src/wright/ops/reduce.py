"""Reductions (sum, mean, max, min) and the numerically stable softmax family."""

import numpy as np

from wright.autograd import Function


def _expand_back(grad, shape, axis, keepdims):
    """Reinsert reduced axes into a reduction's gradient so it broadcasts against the input."""
    if axis is not None and not keepdims:
        grad = np.expand_dims(grad, axis)
    elif axis is None and not keepdims:
        grad = np.reshape(grad, (1,) * len(shape))
    return grad


def _count(shape, axis):
    if axis is None:
        return int(np.prod(shape))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return int(np.prod([shape[i] for i in axes]))


class Sum(Function):
    def forward(self, a, axis, keepdims, dtype=None):
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        return np.sum(a, axis=axis, keepdims=keepdims, dtype=dtype)

    def backward(self, grad):
        grad = _expand_back(grad, self.shape, self.axis, self.keepdims)
        return np.broadcast_to(grad, self.shape)


class Mean(Function):
    def forward(self, a, axis, keepdims):
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        return np.mean(a, axis=axis, keepdims=keepdims)

    def backward(self, grad):
        grad = _expand_back(grad, self.shape, self.axis, self.keepdims) / _count(
            self.shape, self.axis
        )
        return np.broadcast_to(grad, self.shape)


class Max(Function):
    """Max (or, with `smallest=True`, min) over axes; tied elements share the gradient equally."""

    def forward(self, a, axis, keepdims, smallest=False):
        reduce = np.min if smallest else np.max
        out = reduce(a, axis=axis, keepdims=True)
        self.winners = a == out
        self.axis, self.keepdims = axis, keepdims
        return (
            out
            if keepdims
            else (np.squeeze(out, axis=axis) if axis is not None else out.reshape(()))
        )

    def backward(self, grad):
        grad = _expand_back(grad, self.winners.shape, self.axis, self.keepdims)
        share = self.winners / np.sum(self.winners, axis=self.axis, keepdims=True)
        return grad * share


class LogSumExp(Function):
    def forward(self, a, axis, keepdims):
        peak = np.max(a, axis=axis, keepdims=True)
        # A row of -inf has no finite peak to shift by; shifting by 0 keeps its result -inf rather
        # than nan.
        peak = np.where(np.isfinite(peak), peak, 0)
        shifted = np.exp(a - peak)
        total = np.sum(shifted, axis=axis, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.softmax = shifted / total
            out = np.log(total) + peak
        self.axis, self.keepdims = axis, keepdims
        return out if keepdims else np.squeeze(out, axis=axis)

    def backward(self, grad):
        # d/dx_i log sum_j e^x_j = softmax_i
        return _expand_back(grad, self.softmax.shape, self.axis, self.keepdims) * self.softmax


def softmax_array(a, axis):
    """Softmax along `axis`, shifted by the maximum so that exp never overflows."""
    shifted = np.exp(a - np.max(a, axis=axis, keepdims=True))
    shifted /= np.sum(shifted, axis=axis, keepdims=True)
    return shifted


def log_softmax_array(a, axis):
    """log(softmax(a)) computed as a - logsumexp(a), stable for large logits."""
    shifted = a - np.max(a, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


class Softmax(Function):
    def forward(self, a, axis):
        self.axis = axis
        self.out = softmax_array(a, axis)
        return self.out

    def backward(self, grad):
        # Jacobian-vector product of softmax: s * (g - sum(g * s))
        out = self.out
        return out * (grad - np.sum(grad * out, axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    def forward(self, a, axis):
        self.axis = axis
        self.out = log_softmax_array(a, axis)
        return self.out

    def backward(self, grad):
        return grad - np.exp(self.out) * np.sum(grad, axis=self.axis, keepdims=True)
