"""Reductions (sum, mean, product, max, min, p-norms, a picked element) and the numerically
stable softmax family."""

import numpy as np

from wright.autograd import Function


def _expand_back(grad, shape, axis, keepdims):
    """Reinsert reduced axes into a reduction's gradient so it broadcasts against the input."""
    if axis is not None and not keepdims:
        grad = np.expand_dims(grad, axis)
    elif axis is None and not keepdims:
        grad = np.reshape(grad, (1,) * len(shape))
    return grad


def _squeeze(out, axis, keepdims):
    """A reduction computed with keepdims=True, given the shape the caller asked for."""
    if keepdims:
        return out
    return out.reshape(()) if axis is None else np.squeeze(out, axis=axis)


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
        return _squeeze(out, axis, keepdims)

    def backward(self, grad):
        grad = _expand_back(grad, self.winners.shape, self.axis, self.keepdims)
        share = self.winners / np.sum(self.winners, axis=self.axis, keepdims=True)
        return grad * share


class Prod(Function):
    def forward(self, a, axis, keepdims):
        self.a, self.axis, self.keepdims = a, axis, keepdims
        return np.prod(a, axis=axis, keepdims=keepdims)

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
    line = np.moveaxis(a, axis, -1)
    before = np.ones_like(line)
    before[..., 1:] = np.cumprod(line[..., :-1], axis=-1)
    after = np.ones_like(line)
    after[..., :-1] = np.cumprod(line[..., :0:-1], axis=-1)[..., ::-1]
    return np.moveaxis(before * after, -1, axis)


class VectorNorm(Function):
    """The p-norm over axes with PyTorch's subgradients: zero where the norm is zero (and, for
    p < 1, at zero elements); for p = +-inf, tied elements share the gradient equally."""

    def forward(self, a, ord, axis, keepdims):
        self.a, self.ord, self.axis, self.keepdims = a, ord, axis, keepdims
        size = np.abs(a)
        if ord == np.inf:
            out = np.max(size, axis=axis, keepdims=True)
        elif ord == -np.inf:
            out = np.min(size, axis=axis, keepdims=True)
        elif ord == 0:
            out = np.sum(size != 0, axis=axis, keepdims=True, dtype=a.dtype)
        elif ord == 1:
            out = np.sum(size, axis=axis, keepdims=True)
        elif ord == 2:
            out = np.sqrt(np.sum(a * a, axis=axis, keepdims=True))
        else:
            with np.errstate(divide="ignore"):  # zeros to a negative power: inf, as in PyTorch
                out = np.sum(size**ord, axis=axis, keepdims=True) ** (1 / ord)
        self.out = out
        return _squeeze(out, axis, keepdims)

    def backward(self, grad):
        a, out, ord = self.a, self.out, self.ord
        grad = _expand_back(grad, a.shape, self.axis, self.keepdims)
        if ord == 0:
            return np.zeros_like(a)
        if np.isinf(ord):
            winners = np.abs(a) == out
            return grad * np.sign(a) * winners / np.sum(winners, axis=self.axis, keepdims=True)
        if ord == 1:
            return grad * np.sign(a)
        # d/da_i ||a||_p = sign(a_i) |a_i|^(p-1) / ||a||^(p-1)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            scale = np.sign(a) * np.abs(a) ** (ord - 1) * out ** (1 - ord)
        return grad * np.where((a == 0) | (out == 0), 0, scale)


class PickValue(Function):
    """One value chosen from the whole of `a` (a median): the elements equal to it share the
    gradient equally (NaN counts as equal to NaN)."""

    def forward(self, a, value):
        value = np.asarray(value, dtype=a.dtype)
        chosen = a == value
        if a.dtype.kind == "f" and np.isnan(value):
            chosen = np.isnan(a)
        self.share = chosen / np.sum(chosen)
        return value

    def backward(self, grad):
        return grad * self.share


class LogSumExp(Function):
    def forward(self, a, axis, keepdims):
        # An empty row or a row of -inf has no finite peak to shift by; shifting by 0 keeps its
        # result -inf rather than nan.
        peak = np.max(a, axis=axis, keepdims=True, initial=-np.inf)
        peak = np.where(np.isfinite(peak), peak, 0)
        shifted = np.exp(a - peak)
        total = np.sum(shifted, axis=axis, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.softmax = shifted / total
            out = np.log(total) + peak
        self.axis, self.keepdims = axis, keepdims
        return _squeeze(out, axis, keepdims)

    def backward(self, grad):
        # d/dx_i log sum_j e^x_j = softmax_i
        return _expand_back(grad, self.softmax.shape, self.axis, self.keepdims) * self.softmax


def softmax_array(a, axis):
    """Softmax along `axis`, shifted by the maximum so that exp never overflows."""
    if a.size == 0:
        return np.exp(a)
    shifted = np.exp(a - np.max(a, axis=axis, keepdims=True))
    shifted /= np.sum(shifted, axis=axis, keepdims=True)
    return shifted


def log_softmax_array(a, axis):
    """log(softmax(a)) computed as a - logsumexp(a), stable for large logits."""
    if a.size == 0:
        return a.copy()
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
