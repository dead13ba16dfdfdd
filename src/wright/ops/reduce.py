"""Reductions (sum, mean, product, max, min, p-norms, a picked element) and the numerically
stable softmax family."""

import math

import numpy as np

from wright.autograd import Function
from wright.backend import array_module


def _expand_back(grad, shape, axis, keepdims):
    """Reinsert reduced axes into a reduction's gradient so it broadcasts against the input."""
    xp = array_module(grad)
    if axis is not None and not keepdims:
        grad = xp.expand_dims(grad, axis)
    elif axis is None and not keepdims:
        grad = xp.reshape(grad, (1,) * len(shape))
    return grad


def _squeeze(out, axis, keepdims):
    """A reduction computed with keepdims=True, given the shape the caller asked for."""
    xp = array_module(out)
    if keepdims:
        return out
    return out.reshape(()) if axis is None else xp.squeeze(out, axis=axis)


def _count(shape, axis):
    if axis is None:
        return int(np.prod(shape))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return int(np.prod([shape[i] for i in axes]))


class Sum(Function):
    def forward(self, a, axis, keepdims, dtype=None):
        xp = array_module(a)
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        return xp.sum(a, axis=axis, keepdims=keepdims, dtype=dtype)

    def backward(self, grad):
        xp = array_module(grad)
        grad = _expand_back(grad, self.shape, self.axis, self.keepdims)
        return xp.broadcast_to(grad, self.shape)


class Mean(Function):
    def forward(self, a, axis, keepdims):
        xp = array_module(a)
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        return xp.mean(a, axis=axis, keepdims=keepdims)

    def backward(self, grad):
        xp = array_module(grad)
        grad = _expand_back(grad, self.shape, self.axis, self.keepdims) / _count(
            self.shape, self.axis
        )
        return xp.broadcast_to(grad, self.shape)


class Max(Function):
    """Max (or, with `smallest=True`, min) over axes; tied elements share the gradient equally."""

    def forward(self, a, axis, keepdims, smallest=False):
        xp = array_module(a)
        reduce = xp.min if smallest else xp.max
        out = reduce(a, axis=axis, keepdims=True)
        self.winners = a == out
        self.axis, self.keepdims = axis, keepdims
        return _squeeze(out, axis, keepdims)

    def backward(self, grad):
        xp = array_module(grad)
        grad = _expand_back(grad, self.winners.shape, self.axis, self.keepdims)
        share = self.winners / xp.sum(self.winners, axis=self.axis, keepdims=True)
        return grad * share


class Prod(Function):
    def forward(self, a, axis, keepdims):
        self.a, self.axis, self.keepdims = a, axis, keepdims
        return array_module(a).prod(a, axis=axis, keepdims=keepdims)

    def backward(self, grad):
        # d/da_i prod(a) = the product of the others, taken directly rather than as prod / a_i so
        # that zeros in the input get their exact gradient.
        a = self.a.reshape(-1) if self.axis is None else self.a
        others = _product_of_others(a, 0 if self.axis is None else self.axis)
        return _expand_back(grad, self.a.shape, self.axis, self.keepdims) * others.reshape(
            self.a.shape
        )


def _product_of_others(a, axis):
    """For each element, the product of the other elements along `axis` (exclusive prefix product
    times exclusive suffix product)."""
    xp = array_module(a)
    line = xp.moveaxis(a, axis, -1)
    before = xp.ones_like(line)
    before[..., 1:] = xp.cumprod(line[..., :-1], axis=-1)
    after = xp.ones_like(line)
    after[..., :-1] = xp.cumprod(line[..., :0:-1], axis=-1)[..., ::-1]
    return xp.moveaxis(before * after, -1, axis)


class VectorNorm(Function):
    """The p-norm over axes with PyTorch's subgradients: zero where the norm is zero (and, for
    p < 1, at zero elements); for p = +-inf, tied elements share the gradient equally."""

    def forward(self, a, ord, axis, keepdims):
        xp = array_module(a)
        self.a, self.ord, self.axis, self.keepdims = a, ord, axis, keepdims
        size = xp.abs(a)
        if ord == np.inf:
            out = xp.max(size, axis=axis, keepdims=True)
        elif ord == -np.inf:
            out = xp.min(size, axis=axis, keepdims=True)
        elif ord == 0:
            out = xp.sum(size != 0, axis=axis, keepdims=True, dtype=a.dtype)
        elif ord == 1:
            out = xp.sum(size, axis=axis, keepdims=True)
        elif ord == 2:
            out = xp.sqrt(xp.sum(a * a, axis=axis, keepdims=True))
        else:
            with np.errstate(divide="ignore"):  # zeros to a negative power: inf, as in PyTorch
                out = xp.sum(size**ord, axis=axis, keepdims=True) ** (1 / ord)
        self.out = out
        return _squeeze(out, axis, keepdims)

    def backward(self, grad):
        xp = array_module(grad)
        a, out, ord = self.a, self.out, self.ord
        grad = _expand_back(grad, a.shape, self.axis, self.keepdims)
        if ord == 0:
            return xp.zeros_like(a)
        if math.isinf(ord):
            winners = xp.abs(a) == out
            return grad * xp.sign(a) * winners / xp.sum(winners, axis=self.axis, keepdims=True)
        if ord == 1:
            return grad * xp.sign(a)
        # d/da_i ||a||_p = sign(a_i) |a_i|^(p-1) / ||a||^(p-1)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            scale = xp.sign(a) * xp.abs(a) ** (ord - 1) * out ** (1 - ord)
        return grad * xp.where((a == 0) | (out == 0), 0, scale)


class PickValue(Function):
    """One value chosen from the whole of `a` (a median): the elements equal to it share the
    gradient equally (NaN counts as equal to NaN)."""

    def forward(self, a, value):
        xp = array_module(a)
        value = xp.asarray(value, dtype=a.dtype)
        chosen = a == value
        if a.dtype.kind == "f" and xp.isnan(value):
            chosen = xp.isnan(a)
        self.share = chosen / xp.sum(chosen)
        return value

    def backward(self, grad):
        return grad * self.share


class LogSumExp(Function):
    def forward(self, a, axis, keepdims):
        # An empty row or a row of -inf has no finite peak to shift by; shifting by 0 keeps its
        # result -inf rather than nan.
        xp = array_module(a)
        if a.size:
            peak = xp.max(a, axis=axis, keepdims=True)
            peak = xp.where(xp.isfinite(peak), peak, 0)
        else:
            peak = xp.sum(a, axis=axis, keepdims=True)  # zeros of the reduced shape
        shifted = xp.exp(a - peak)
        total = xp.sum(shifted, axis=axis, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.softmax = shifted / total
            out = xp.log(total) + peak
        self.axis, self.keepdims = axis, keepdims
        return _squeeze(out, axis, keepdims)

    def backward(self, grad):
        # d/dx_i log sum_j e^x_j = softmax_i
        return _expand_back(grad, self.softmax.shape, self.axis, self.keepdims) * self.softmax


def softmax_array(a, axis):
    """Softmax along `axis`, shifted by the maximum so that exp never overflows."""
    xp = array_module(a)
    if a.size == 0:
        return xp.exp(a)
    shifted = xp.exp(a - xp.max(a, axis=axis, keepdims=True))
    shifted /= xp.sum(shifted, axis=axis, keepdims=True)
    return shifted


def log_softmax_array(a, axis):
    """log(softmax(a)) computed as a - logsumexp(a), stable for large logits."""
    xp = array_module(a)
    if a.size == 0:
        return a.copy()
    shifted = a - xp.max(a, axis=axis, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))


class Softmax(Function):
    def forward(self, a, axis):
        self.axis = axis
        self.out = softmax_array(a, axis)
        return self.out

    def backward(self, grad):
        # Jacobian-vector product of softmax: s * (g - sum(g * s))
        xp = array_module(grad)
        out = self.out
        return out * (grad - xp.sum(grad * out, axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    def forward(self, a, axis):
        self.axis = axis
        self.out = log_softmax_array(a, axis)
        return self.out

    def backward(self, grad):
        xp = array_module(grad)
        return grad - xp.exp(self.out) * xp.sum(grad, axis=self.axis, keepdims=True)
