"""Attention's primitives: a softmax whose rows of all -inf scores (every key masked out) give
zeros rather than NaN, as PyTorch's scaled_dot_product_attention does, and causal attention fused."""

import numpy as np

from wright import parallel
from wright.autograd import Function
from wright.backend import array_module
from wright.ops.reduce import Softmax


class SafeSoftmax(Softmax):
    # The backward pass is Softmax's: s * (g - sum(g * s)), which is 0 on the rows of zeros.
    def forward(self, a, axis):
        xp = array_module(a)
        self.axis = axis
        top = xp.max(a, axis=axis, keepdims=True)
        empty = top == -np.inf
        # Shifting masked-out rows by 0 instead of -inf makes their exponentials exactly 0.
        out = xp.exp(a - xp.where(empty, 0, top))
        total = xp.sum(out, axis=axis, keepdims=True)
        out /= xp.where(empty, 1, total)
        self.out = out
        return out


def _chunk(count: int) -> int:
    # Two slices per thread, so a thread that starts late finds work left to share.
    return -(-count // (2 * parallel.usable_threads()))


class CausalAttention(Function):
    """softmax(q k^T * scale, each query masked from the keys after it) v in one op, over stacks of
    (L, E) queries, (S, E) keys and (S, Ev) values with the same leading dimensions.

    It turns each slice's scores into its weights in place and spreads slices of the stack over
    wright's threads; the composite form allocates every step anew and runs on one. (NumPy's
    stacked matmul with `out=` skips BLAS, hence the results copied into place instead.)
    """

    def forward(self, q, k, v, scale):
        xp = array_module(q)
        self.q, self.k, self.v, self.scale = q, k, v, scale
        length, source = q.shape[-2], k.shape[-2]
        q3, k3, v3 = (a.reshape(-1, *a.shape[-2:]) for a in (q, k, v))
        bias = xp.where(xp.tri(length, source, dtype=bool), 0.0, -np.inf).astype(q.dtype)
        out = xp.empty((q3.shape[0], length, v.shape[-1]), q.dtype)
        self.chunk, self.weights = _chunk(q3.shape[0]), {}

        def block(start, stop):
            scores = q3[start:stop] @ xp.swapaxes(k3[start:stop], 1, 2)
            scores *= scale
            scores += bias
            # Each row keeps at least its first key, so its largest score is finite.
            scores -= scores.max(axis=-1, keepdims=True)
            xp.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            self.weights[start] = scores
            out[start:stop] = scores @ v3[start:stop]

        parallel.run_chunks(block, q3.shape[0], self.chunk, like=q)
        return out.reshape(*q.shape[:-1], v.shape[-1])

    def backward(self, grad):
        xp = array_module(grad)
        q, k, v = self.q, self.k, self.v
        q3, k3, v3 = (a.reshape(-1, *a.shape[-2:]) for a in (q, k, v))
        grad3 = grad.reshape(q3.shape[0], -1, v.shape[-1])
        need_q, need_k, need_v = self.needs_input_grad
        grad_q, grad_k, grad_v = (
            xp.empty(a.shape, a.dtype) if need else None
            for a, need in ((q3, need_q), (k3, need_k), (v3, need_v))
        )

        def block(start, stop):
            w, g = self.weights[start], grad3[start:stop]
            if need_v:
                grad_v[start:stop] = xp.swapaxes(w, 1, 2) @ g
            if not (need_q or need_k):
                return
            # d scores = w * (dw - sum(dw * w)) (the softmax's backward), times the scale
            scores = g @ xp.swapaxes(v3[start:stop], 1, 2)
            scores -= (scores * w).sum(axis=-1, keepdims=True)
            scores *= w
            scores *= self.scale
            if need_q:
                grad_q[start:stop] = scores @ k3[start:stop]
            if need_k:
                grad_k[start:stop] = xp.swapaxes(scores, 1, 2) @ q3[start:stop]

        parallel.run_chunks(block, q3.shape[0], self.chunk, like=grad)
        return tuple(
            None if g is None else g.reshape(a.shape)
            for g, a in ((grad_q, q), (grad_k, k), (grad_v, v))
        )
