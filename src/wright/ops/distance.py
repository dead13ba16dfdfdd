"""Vector norms for distances and normalisation, with PyTorch's gradients at zero vectors and at
ties of the max-norm."""

import numpy as np

from wright.autograd import Function


class VectorNorm(Function):
    """The p-norm over `axis` (p may be 0, inf or -inf); a zero vector gets a zero gradient and
    tied largest (smallest) magnitudes share the inf (-inf) norm's gradient equally."""

    def forward(self, a, p, axis, keepdims):
        magnitude = np.abs(a)
        if p == np.inf:
            out = magnitude.max(axis=axis, keepdims=True)
        elif p == -np.inf:
            out = magnitude.min(axis=axis, keepdims=True)
        elif p == 0:
            out = (a != 0).sum(axis=axis, keepdims=True).astype(a.dtype)
        elif p == 1:
            out = magnitude.sum(axis=axis, keepdims=True)
        elif p == 2:
            out = np.sqrt((a * a).sum(axis=axis, keepdims=True))
        else:
            out = (magnitude**p).sum(axis=axis, keepdims=True) ** (1 / p)
        self.a, self.out, self.p, self.axis, self.keepdims = a, out, p, axis, keepdims
        return out if keepdims else np.squeeze(out, axis=axis)

    def backward(self, grad):
        a, out, p = self.a, self.out, self.p
        if not self.keepdims:
            grad = np.expand_dims(grad, self.axis)
        if p == 0:
            return np.zeros_like(a)
        if p == 1:
            return grad * np.sign(a)
        if p in (np.inf, -np.inf):
            ties = np.abs(a) == out
            return grad * np.sign(a) * ties / ties.sum(axis=self.axis, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 2:
                # d/da ||a|| = a / ||a||
                slope = a / out
            else:
                # d/da ||a||_p = sign(a) |a|^(p-1) / ||a||_p^(p-1)
                slope = np.sign(a) * np.abs(a) ** (p - 1) / out ** (p - 1)
        return grad * np.where((out == 0) | (a == 0), 0, slope)
