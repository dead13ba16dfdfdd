"""Standardization as one fused primitive: (x - mean) / sqrt(var + eps) over some axes, the core of
batch, instance and group normalization."""

from __future__ import annotations

import numpy as np

from wright.autograd import Function


class Standardize(Function):
    """(x - mean) / sqrt(var + eps) with the (biased) mean and variance over `axes`.

    Given a list as `stats`, forward appends the mean and variance (with the reduced axes kept)
    to it, for running statistics.
    """

    def forward(self, x, axes, eps, stats=None):
        mean = x.mean(axis=axes, keepdims=True)
        centred = x - mean
        var = np.mean(np.square(centred), axis=axes, keepdims=True)
        inv_std = 1.0 / np.sqrt(var + np.asarray(eps, var.dtype))
        # Keep the input, not the output, as PyTorch does: an in-place op on the output (ReLU)
        # stays legal.
        self.x, self.mean, self.inv_std, self.axes = x, mean, inv_std, axes
        if stats is not None:
            stats += [mean, var]
        return np.multiply(centred, inv_std, out=centred)

    def backward(self, grad):
        # d/dx of x_hat = (x - mean) * inv_std: inv_std * (g - mean(g) - x_hat * mean(g * x_hat))
        standardized = self.x - self.mean
        standardized *= self.inv_std
        mean_grad = grad.mean(axis=self.axes, keepdims=True)
        standardized *= np.mean(grad * standardized, axis=self.axes, keepdims=True)
        out = grad - mean_grad
        out -= standardized
        out *= self.inv_std
        return out
