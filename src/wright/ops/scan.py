"""Cumulative ops along one axis: running sums, running products and running log-sum-exps.

Running values are accumulated in float64 and rounded to the input's dtype at the end, as
PyTorch does on the CPU: a float32 or float16 accumulator drifts over long axes.
"""

import numpy as np

from wright.autograd import Function
from wright.backend import array_module


def _accumulate(accumulate, a, axis):
    return accumulate(a, axis=axis, dtype=np.float64).astype(a.dtype, copy=False)


def _cumsum(a, axis):
    xp = array_module(a)
    return _accumulate(xp.cumsum, a, axis)


def _reverse_cumsum(a, axis):
    """Sums from each position to the end of the axis."""
    xp = array_module(a)
    return xp.flip(_cumsum(xp.flip(a, axis), axis), axis)


class CumSum(Function):
    def forward(self, a, axis):
        self.axis = axis
        return _cumsum(a, axis)

    def backward(self, grad):
        # Element i feeds every output j >= i.
        return _reverse_cumsum(grad, self.axis)


class CumProd(Function):
    def forward(self, a, axis):
        xp = array_module(a)
        self.a, self.axis = a, axis
        self.out = _accumulate(xp.cumprod, a, axis)
        return self.out

    def backward(self, grad):
        xp = array_module(grad)
        a, out, axis = self.a, self.out, self.axis
        zero = a == 0
        # d out_j / d a_i = out_j / a_i for i <= j, while no a_i is zero.
        if not zero.any():
            return _reverse_cumsum(grad * out, axis) / a
        # Along each line let z be the first zero. Before z the quotient above still holds (every
        # out_j from z on is 0); after z every term has the factor a_z = 0; at z the term is the
        # running product with a_z left out.
        shape = [1] * a.ndim
        shape[axis] = a.shape[axis]
        position = xp.arange(a.shape[axis]).reshape(shape)
        first = xp.where(
            zero.any(axis=axis, keepdims=True),
            xp.argmax(zero, axis=axis, keepdims=True),
            a.shape[axis],
        )
        before, at = position < first, position == first
        result = xp.where(before, _reverse_cumsum(grad * out, axis) / xp.where(before, a, 1), 0)
        without_zero = _accumulate(xp.cumprod, xp.where(at, 1, a), axis)
        at_zero = xp.sum(xp.where(position >= first, grad * without_zero, 0), axis, keepdims=True)
        return xp.where(at, at_zero, result)


def running(name: str, a, axis: int):
    """The running result of a binary ufunc (maximum, logaddexp, ...) along `axis`: NumPy's
    `ufunc.accumulate`.

    GPU array libraries accumulate only sums and products, so elsewhere this is a doubling scan:
    log2(n) rounds, each combining every partial result with the one `step` places before it.
    """
    xp = array_module(a)
    if xp is np:
        return getattr(np, name).accumulate(a, axis=axis)
    combine = getattr(xp, name)
    out = xp.moveaxis(a.copy(), axis, -1)
    step = 1
    while step < out.shape[-1]:
        out[..., step:] = combine(out[..., step:], out[..., :-step])
        step *= 2
    return xp.moveaxis(out, -1, axis)


def _logcumsumexp(a, axis):
    return running("logaddexp", a.astype(np.float64), axis).astype(a.dtype, copy=False)


def _reverse_logcumsumexp(a, axis):
    xp = array_module(a)
    return xp.flip(_logcumsumexp(xp.flip(a, axis), axis), axis)


class LogCumSumExp(Function):
    def forward(self, a, axis):
        self.a, self.axis = a, axis
        # Pairwise log(e^x + e^y) never overflows, and small terms are not lost to a common shift.
        self.out = _logcumsumexp(a, axis)
        return self.out

    def backward(self, grad):
        # d out_j / d a_i = exp(a_i - out_j) for i <= j. The sum over j >= i is done in log space,
        # separately for the positive and negative parts of grad, so that it cannot overflow.
        xp = array_module(grad)
        a, out = self.a.astype(np.float64), self.out.astype(np.float64)
        total = 0
        with np.errstate(divide="ignore", invalid="ignore"):
            for sign in (1, -1):
                part = xp.log(xp.maximum(sign * grad, 0)) - out
                total = total + sign * xp.exp(a + _reverse_logcumsumexp(part, self.axis))
        return total.astype(self.a.dtype)
