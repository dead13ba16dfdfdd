"""Matrix decompositions and solvers on NumPy's LAPACK, batched over leading dims, with their
gradients: solve, Cholesky, QR, the singular value decomposition, the symmetric eigenproblem and
the log-determinant.

A decomposition with several outputs (Q and R, U S and Vh, ...) is computed once by a plain
class; each output is then a `Part` node, and the input's gradient is the sum of the parts'
(the backward formulas are linear in the output gradients)."""

from __future__ import annotations

import numpy as np

from wright.autograd import Function


def _t(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # a^-1 b for batches of matrices b (NumPy treats a 1-D b as a vector only without batches).
    return np.linalg.solve(a, b)


def _off_diagonal_inverse(values: np.ndarray) -> np.ndarray:
    """F[..., i, j] = 1 / (values_j - values_i) off the diagonal, 0 on it (and where two values
    coincide, whose gradient is undefined)."""
    gaps = values[..., None, :] - values[..., :, None]
    with np.errstate(divide="ignore"):
        inverse = np.where(gaps == 0, 0.0, 1.0 / np.where(gaps == 0, 1.0, gaps))
    return inverse.astype(values.dtype, copy=False)


class Solve(Function):
    """X = A^-1 B for square A and a matrix (batch) B."""

    def forward(self, a, b):
        self.a = a
        self.out = _solve(a, b)
        return self.out

    def backward(self, grad):
        # dX = A^-1 (dB - dA X): gB = A^-T grad, gA = -gB X^T.
        grad_b = _solve(_t(self.a), grad)
        grad_a = -(grad_b @ _t(self.out)) if self.needs_input_grad[0] else None
        return grad_a, grad_b if self.needs_input_grad[1] else None


class Cholesky(Function):
    """The lower-triangular L with A = L L^T (from A's lower triangle)."""

    def forward(self, a):
        self.out = np.linalg.cholesky(a)
        return self.out

    def backward(self, grad):
        low = self.out
        # P = tril(L^T grad); the symmetric matrix with P's strict lower part mirrored and its
        # diagonal halved, taken back through L: gA = L^-T sym(P) L^-1.
        p = np.tril(_t(low) @ grad)
        middle = 0.5 * (p + _t(np.tril(p, -1)))
        left = _solve(_t(low), middle)
        return _t(_solve(_t(low), _t(left)))


def _copy_lower_to_upper(m: np.ndarray) -> np.ndarray:
    return np.tril(m) + _t(np.tril(m, -1))


class Part(Function):
    """Output `index` of a computed decomposition, as a node of the graph."""

    def forward(self, a, decomposition, index):
        self.decomposition, self.index = decomposition, index
        # Kept so that in-place changes of the input or of this output are caught at backward.
        self.a, self.output = a, decomposition.outputs[index]
        return self.output

    def name(self) -> str:
        return f"{self.decomposition.node_name}Backward0"

    def backward(self, grad):
        grads = [None] * len(self.decomposition.outputs)
        grads[self.index] = grad
        return self.decomposition.backward(*grads)


class QR:
    """The QR decomposition A = Q R (Q with orthonormal columns, R upper triangular)."""

    node_name = "LinalgQr"

    def __init__(self, a, mode="reduced"):
        q, r = np.linalg.qr(a, mode=mode)
        self.q, self.r = q, r
        self.outputs = (q, r)

    def backward(self, grad_q, grad_r):
        q, r = self.q, self.r
        m, n = q.shape[-2], r.shape[-1]
        if q.shape[-1] != n or m < n:
            raise NotImplementedError(
                "linalg.qr: the gradient is computed for the reduced decomposition of tall or "
                "square matrices (m >= n) only"
            )
        grad_q = np.zeros_like(q) if grad_q is None else grad_q
        grad_r = np.zeros_like(r) if grad_r is None else grad_r
        # M = R gR^T - gQ^T Q; gA = (gQ + Q copyltu(M)) R^-T.
        middle = r @ _t(grad_r) - _t(grad_q) @ q
        total = grad_q + q @ _copy_lower_to_upper(middle)
        return _t(_solve(r, _t(total)))


class SVD:
    """A = U diag(S) Vh with the singular values S in descending order."""

    node_name = "LinalgSvd"

    def __init__(self, a, full_matrices=False):
        u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        self.u, self.s, self.vh = u, s, vh
        self.outputs = (u, s, vh)

    def backward(self, grad_u, grad_s, grad_vh):
        k = self.s.shape[-1]
        # Gradients reach only the first k columns of U and rows of Vh (the rest of a full
        # decomposition is arbitrary).
        u, s, vh = self.u[..., :k], self.s, self.vh[..., :k, :]
        core = np.zeros(s.shape + (k,), s.dtype)
        if grad_s is not None:
            core = core + grad_s[..., None] * np.eye(k, dtype=s.dtype)
        if grad_u is None and grad_vh is None:
            return u @ core @ vh
        f = _off_diagonal_inverse(s * s)
        result = 0
        if grad_u is not None:
            grad_u = grad_u[..., :k]
            j = _t(u) @ grad_u
            core = core + (f * (j - _t(j))) * s[..., None, :]
            if u.shape[-2] > k:
                result = (grad_u - u @ j) / s[..., None, :] @ vh
        if grad_vh is not None:
            grad_v = _t(grad_vh[..., :k, :])
            v = _t(vh)
            kk = vh @ grad_v
            core = core + s[..., :, None] * (f * (kk - _t(kk)))
            if v.shape[-2] > k:
                result = result + u @ (_t(grad_v - v @ kk) / s[..., :, None])
        return u @ core @ vh + result


class Eigh:
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix (its lower
    triangle, or upper with UPLO='U')."""

    node_name = "LinalgEigh"

    def __init__(self, a, uplo="L"):
        w, v = np.linalg.eigh(a, UPLO=uplo)
        self.w, self.v = w, v
        self.outputs = (w, v)

    def backward(self, grad_w, grad_v):
        w, v = self.w, self.v
        core = np.zeros(w.shape + (w.shape[-1],), w.dtype)
        if grad_w is not None:
            core = core + grad_w[..., None] * np.eye(w.shape[-1], dtype=w.dtype)
        if grad_v is not None:
            core = core + _off_diagonal_inverse(w) * (_t(v) @ grad_v)
        return v @ core @ _t(v)


class LogAbsDet(Function):
    """log |det A|, with its sign kept for the caller."""

    def forward(self, a):
        self.a = a
        sign, value = np.linalg.slogdet(a)
        self.sign = sign
        return np.asarray(value)

    def backward(self, grad):
        # d log|det A| = tr(A^-1 dA): the gradient is grad A^-T.
        return grad[..., None, None] * _t(np.linalg.inv(self.a))


def lu_factor_array(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LU with partial pivoting, LAPACK's way: (L - I + U packed in one matrix, pivots), the
    pivots 1-based row swaps (row j swapped with row pivots[j] - 1, in order)."""
    work = np.array(a, copy=True)
    m, n = work.shape[-2:]
    k = min(m, n)
    batch = work.shape[:-2]
    pivots = np.empty(batch + (k,), np.int32)
    for j in range(k):
        best = np.argmax(np.abs(work[..., j:, j]), axis=-1) + j
        pivots[..., j] = best + 1
        chosen = np.take_along_axis(work, best[..., None, None], axis=-2)
        current = work[..., j : j + 1, :].copy()
        np.put_along_axis(work, best[..., None, None], current, axis=-2)
        work[..., j : j + 1, :] = chosen
        pivot = work[..., j, j]
        # A zero pivot means a zero column below it (the matrix is singular): nothing to
        # eliminate, as in LAPACK.
        multipliers = work[..., j + 1 :, j] / np.where(pivot == 0, 1, pivot)[..., None]
        work[..., j + 1 :, j] = multipliers
        work[..., j + 1 :, j + 1 :] -= multipliers[..., :, None] * work[..., j : j + 1, j + 1 :]
    return work, pivots


def permutation_of(pivots: np.ndarray, m: int) -> np.ndarray:
    """perm with (P^T A)[i] = A[perm[i]], from LAPACK's sequential 1-based row swaps."""
    perm = np.broadcast_to(np.arange(m), pivots.shape[:-1] + (m,)).copy()
    for j in range(pivots.shape[-1]):
        other = (pivots[..., j] - 1)[..., None]
        current = perm[..., j : j + 1].copy()
        perm[..., j : j + 1] = np.take_along_axis(perm, other, axis=-1)
        np.put_along_axis(perm, other, current, axis=-1)
    return perm


def _unit_lower(packed: np.ndarray, k: int) -> np.ndarray:
    m = packed.shape[-2]
    return np.tril(packed[..., :, :k], -1) + np.eye(m, k, dtype=packed.dtype)


def _lu_gradient(low, up, perm, grad_l, grad_u):
    # Square A = P L U: gA = P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T.
    if low.shape[-1] != up.shape[-2] or low.shape[-2] != up.shape[-1]:
        raise NotImplementedError("linalg.lu: the gradient is computed for square matrices only")
    middle = np.zeros(low.shape[:-2] + (low.shape[-1],) * 2, low.dtype)
    if grad_l is not None:
        middle = middle + np.tril(_t(low) @ grad_l, -1)
    if grad_u is not None:
        middle = middle + np.triu(grad_u @ _t(up))
    inner = _t(_solve(up, _t(_solve(_t(low), middle))))
    # Rows of P L^-T ... : row perm[i] of the result is row i of `inner`.
    result = np.empty_like(inner)
    np.put_along_axis(result, perm[..., :, None], inner, axis=-2)
    return result


class LU:
    """A = P L U (P a permutation, L unit lower triangular, U upper triangular)."""

    node_name = "LinalgLu"

    def __init__(self, a):
        packed, pivots = lu_factor_array(a)
        m, n = a.shape[-2:]
        k = min(m, n)
        self.perm = permutation_of(pivots, m)
        p = np.zeros(a.shape[:-2] + (m, m), a.dtype)
        np.put_along_axis(p, self.perm[..., None, :], 1, axis=-2)
        self.low, self.up = _unit_lower(packed, k), np.triu(packed[..., :k, :])
        self.outputs = (p, self.low, self.up)

    def backward(self, grad_p, grad_l, grad_u):
        return _lu_gradient(self.low, self.up, self.perm, grad_l, grad_u)


class LUFactor:
    """LU with L and U packed in one matrix, and LAPACK's pivots."""

    node_name = "LinalgLuFactorEx"

    def __init__(self, a):
        packed, pivots = lu_factor_array(a)
        k = min(a.shape[-2:])
        self.perm = permutation_of(pivots, a.shape[-2])
        self.low, self.up = _unit_lower(packed, k), np.triu(packed[..., :k, :])
        self.outputs = (packed, pivots)

    def backward(self, grad_packed, grad_pivots):
        k = self.low.shape[-1]
        grad_l, grad_u = np.tril(grad_packed[..., :, :k], -1), np.triu(grad_packed[..., :k, :])
        return _lu_gradient(self.low, self.up, self.perm, grad_l, grad_u)
