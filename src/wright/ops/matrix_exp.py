"""The matrix exponential by scaling and squaring with a Taylor series (in float64), and its
gradient from the exponential of a block matrix."""

from __future__ import annotations

import numpy as np

from wright.autograd import Function

# After scaling to norm <= 1/2, 18 Taylor terms leave a remainder below 1e-22 of the result.
_TERMS = 18


def expm(a: np.ndarray) -> np.ndarray:
    """e^A for a (batch of) square matrices, computed in float64."""
    work = np.asarray(a, np.float64)
    norms = np.abs(work).sum(-2).max(-1) if work.size else np.zeros(work.shape[:-2])
    # Halve A s times so that every matrix in the batch has norm <= 1/2.
    with np.errstate(divide="ignore"):
        squarings = int(max(0, np.ceil(np.log2(np.max(norms, initial=0) * 2 + 1e-300))))
    scaled = work / 2.0**squarings
    identity = np.broadcast_to(np.eye(work.shape[-1]), work.shape)
    total, term = identity.copy(), identity
    for k in range(1, _TERMS + 1):
        term = term @ scaled / k
        total = total + term
    for _ in range(squarings):
        total = total @ total
    return total.astype(a.dtype, copy=False)


class MatrixExp(Function):
    def forward(self, a):
        self.a = a
        return expm(a)

    def backward(self, grad):
        # The adjoint of dA -> d e^A at A is G -> the upper-right block of
        # exp([[A^T, G], [0, A^T]]).
        n = self.a.shape[-1]
        transposed = np.swapaxes(self.a, -1, -2)
        block = np.zeros(self.a.shape[:-2] + (2 * n, 2 * n), np.float64)
        block[..., :n, :n] = transposed
        block[..., n:, n:] = transposed
        block[..., :n, n:] = grad
        return expm(block)[..., :n, n:].astype(self.a.dtype, copy=False)
