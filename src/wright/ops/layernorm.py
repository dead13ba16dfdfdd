"""Normalising each sample over its trailing dimensions (layer norm, RMS norm) with an optional
elementwise scale and shift, as one op with a fused backward pass."""

import numpy as np

from wright.autograd import Function


class Normalize(Function):
    """y = x_hat * weight + bias with x_hat = (x - mean) / sqrt(var + eps) over `axes` (layer norm),
    or, without `centre`, x_hat = x / sqrt(mean(x^2) + eps) (RMS norm); weight and bias optional."""

    def forward(self, x, *affine, axes, eps, centre, has_weight):
        self.axes, self.centre = axes, centre
        self.count = int(np.prod([x.shape[a] for a in axes]))
        centred = x - x.mean(axis=axes, keepdims=True) if centre else x
        spread = np.mean(centred * centred, axis=axes, keepdims=True)
        self.inv_std = 1 / np.sqrt(spread + np.asarray(eps, dtype=x.dtype))
        self.x_hat = centred * self.inv_std
        weight = affine[0] if has_weight else None
        bias = affine[-1] if len(affine) > has_weight else None
        self.weight = weight
        out = self.x_hat if weight is None else self.x_hat * weight
        return out if bias is None else out + bias

    def backward(self, grad):
        axes, x_hat = self.axes, self.x_hat
        need_x, *need_affine = self.needs_input_grad
        grads = []
        if need_x:
            g = grad if self.weight is None else grad * self.weight
            # d x_hat / dx projects out the directions the normalisation removed: the mean (layer
            # norm only) and x_hat itself.
            inner = g - x_hat * np.mean(g * x_hat, axis=axes, keepdims=True)
            if self.centre:
                inner -= np.mean(g, axis=axes, keepdims=True)
            grads.append(self.inv_std * inner)
        else:
            grads.append(None)
        leading = tuple(range(grad.ndim - len(axes)))
        if self.weight is not None:
            grads.append((grad * x_hat).sum(axis=leading) if need_affine[0] else None)
        if len(need_affine) > (self.weight is not None):
            grads.append(grad.sum(axis=leading) if need_affine[-1] else None)
        return tuple(grads)
