"""Normalization as one fused primitive: x_hat = (x - mean) / sqrt(var + eps) over some axes (or,
without centring, x / sqrt(mean(x^2) + eps)), optionally scaled and shifted elementwise. It is the
core of batch, instance, group, layer and RMS normalization."""

from __future__ import annotations

import numpy as np

from wright.autograd import Function


class Normalize(Function):
    """y = x_hat * weight + bias over `axes`; weight and bias are optional, and have the shape of
    the normalized (trailing) dimensions.

    Given a list as `stats`, forward appends the mean and variance (with the reduced axes kept) to
    it, for running statistics.
    """

    def forward(self, x, *affine, axes, eps, centre=True, has_weight=False, stats=None):
        mean = x.mean(axis=axes, keepdims=True) if centre else None
        centred = x - mean if centre else x
        var = np.mean(np.square(centred), axis=axes, keepdims=True)
        inv_std = 1.0 / np.sqrt(var + np.asarray(eps, var.dtype))
        weight = affine[0] if has_weight else None
        bias = affine[-1] if len(affine) > has_weight else None
        # Keep the input, not x_hat, as PyTorch does: without an affine part x_hat is the output,
        # and an in-place op on the output (ReLU) must stay legal.
        self.x, self.mean, self.inv_std, self.axes, self.weight = x, mean, inv_std, axes, weight
        if stats is not None:
            stats += [mean, var]
        out = np.multiply(centred, inv_std, out=centred if centre else None)
        if weight is not None:
            out *= weight
        if bias is not None:
            out += bias
        return out

    def backward(self, grad):
        axes = self.axes
        need_x, *need_affine = self.needs_input_grad
        x_hat = self.x - self.mean if self.mean is not None else self.x.copy()
        x_hat *= self.inv_std
        grads = []
        if need_x:
            g = grad if self.weight is None else grad * self.weight
            # d x_hat / dx projects out the directions the normalisation removed: the mean (when
            # centring) and x_hat itself.
            inner = g - x_hat * np.mean(g * x_hat, axis=axes, keepdims=True)
            if self.mean is not None:
                inner -= np.mean(g, axis=axes, keepdims=True)
            inner *= self.inv_std
            grads.append(inner)
        else:
            grads.append(None)
        leading = tuple(range(grad.ndim - len(axes)))  # weight and bias span the trailing axes
        if self.weight is not None:
            grads.append((grad * x_hat).sum(axis=leading) if need_affine[0] else None)
        if len(need_affine) > (self.weight is not None):
            grads.append(grad.sum(axis=leading) if need_affine[-1] else None)
        return tuple(grads)
