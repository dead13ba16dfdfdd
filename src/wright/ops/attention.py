"""Softmax for attention: rows whose scores are all -inf (every key masked out) give zeros rather
than NaN, as PyTorch's scaled_dot_product_attention does."""

import numpy as np

from wright.ops.reduce import Softmax


class SafeSoftmax(Softmax):
    # The backward pass is Softmax's: s * (g - sum(g * s)), which is 0 on the rows of zeros.
    def forward(self, a, axis):
        self.axis = axis
        top = np.max(a, axis=axis, keepdims=True)
        empty = top == -np.inf
        # Shifting masked-out rows by 0 instead of -inf makes their exponentials exactly 0.
        out = np.exp(a - np.where(empty, 0, top))
        total = np.sum(out, axis=axis, keepdims=True)
        out /= np.where(empty, 1, total)
        self.out = out
        return out
