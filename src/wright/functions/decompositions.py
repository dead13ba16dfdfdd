"""Matrix decompositions and solvers as tensor functions, differentiable: solve, Cholesky, QR,
SVD, the symmetric eigenproblem, (log-)determinants, the pseudo-inverse, least squares and rank.
`wright.linalg` spells them as `torch.linalg` does; here are also torch's older top-level forms
(`wright.svd` returns V, `wright.qr(some=)`, `wright.cholesky(upper=)`, `wright.pinverse`)."""

from __future__ import annotations

import numpy as np

from wright import return_types
from wright.functions.linalg import _floating, _linked, _square
from wright.ops import decompositions as D
from wright.tensor import Tensor, _from_array, tensor_method, where


class LinAlgError(RuntimeError):
    """A matrix has no answer for the operation asked (singular, not positive-definite, ...)."""


def _matrices(op: str, A: Tensor) -> None:
    if A.ndim < 2:
        raise RuntimeError(
            f"{op}: The input tensor A must have at least 2 dimensions, but got {A.ndim}"
        )
    _floating(op, A)


def _parts(A: Tensor, decomposition) -> tuple[Tensor, ...]:
    count = len(decomposition.outputs)
    return tuple(D.Part.apply(A, decomposition=decomposition, index=i) for i in range(count))


# ----- solving -----


def _vector_right_side(A: Tensor, B: Tensor) -> bool:
    # torch.linalg.solve reads B as a (batch of) vector(s) when it has one dim fewer than A and
    # matches A's shape without its last dim (or is 1-D).
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B (X A = B when left=False) for square invertible A; B may be a vector."""
    _square("linalg.solve", A)
    _floating("linalg.solve", A)
    if A.dtype != B.dtype:
        raise RuntimeError(
            f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{A.dtype} and B of type {B.dtype} instead"
        )
    if not left:
        return solve(A.mT, B.mT).mT
    vector = _vector_right_side(A, B)
    right = B.unsqueeze(-1) if vector else B
    if right.shape[-2] != A.shape[-1]:
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
            f"({A.shape[-2]}x{A.shape[-1]} and {right.shape[-2]}x{right.shape[-1]})"
        )
    batch = np.broadcast_shapes(tuple(A.shape[:-2]), tuple(right.shape[:-2]))
    A = A.expand(*batch, *A.shape[-2:])
    right = right.expand(*batch, *right.shape[-2:])
    try:
        found = D.Solve.apply(A, right)
    except np.linalg.LinAlgError:
        raise LinAlgError(
            "linalg.solve: The solver failed because the input matrix is singular."
        ) from None
    return found.squeeze(-1) if vector else found


@tensor_method
def cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """The lower-triangular L with input = L L^T (its transpose, L^T, when upper)."""
    _square("linalg.cholesky", input)
    _floating("linalg.cholesky", input)
    try:
        low = D.Cholesky.apply(input)
    except np.linalg.LinAlgError:
        raise LinAlgError(
            "linalg.cholesky: The factorization could not be completed because the input is not "
            "positive-definite."
        ) from None
    return low.mT if upper else low


@tensor_method
def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False) -> Tensor:
    """X with A X = B, given A's Cholesky factor L (A = L L^T; A = U^T U when upper)."""
    low = L.mT if upper else L
    return solve(low.mT, solve(low, B))


@tensor_method
def cholesky_inverse(L: Tensor, upper: bool = False) -> Tensor:
    """The inverse of A = L L^T (A = U^T U when upper) from its Cholesky factor."""
    low = L.mT if upper else L
    identity = _from_array(np.broadcast_to(np.eye(low.shape[-1], dtype=low.array.dtype), low.shape))
    return cholesky_solve(identity, low)


# ----- QR, SVD, eigh -----


def qr_linalg(A: Tensor, mode: str = "reduced") -> tuple[Tensor, Tensor]:
    """A = Q R: 'reduced' (Q m x k, R k x n, k = min(m, n)), 'complete' (Q m x m) or 'r' (R only,
    Q empty)."""
    _matrices("linalg.qr", A)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            "'r', or 'complete'"
        )
    q, r = _parts(A, D.QR(A.array, "complete" if mode == "complete" else "reduced"))
    if mode == "r":
        q = _from_array(np.zeros(0, A.array.dtype))
    return return_types.linalg_qr(q, r)


@tensor_method
def qr(input: Tensor, some: bool = True) -> tuple[Tensor, Tensor]:
    """`linalg.qr` in torch's older spelling: the reduced decomposition unless some=False."""
    return return_types.qr(*qr_linalg(input, "reduced" if some else "complete"))


def svd_linalg(A: Tensor, full_matrices: bool = True) -> tuple[Tensor, Tensor, Tensor]:
    """A = U diag(S) Vh, S descending; full_matrices=False gives the reduced U and Vh."""
    _matrices("linalg.svd", A)
    try:
        u, s, vh = _parts(A, D.SVD(A.array, full_matrices))
    except np.linalg.LinAlgError:
        raise LinAlgError("linalg.svd: The algorithm failed to converge.") from None
    return return_types.linalg_svd(u, s, vh)


@tensor_method
def svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> tuple[Tensor, Tensor, Tensor]:
    """torch's older SVD: (U, S, V) with V not transposed; reduced unless some=False;
    compute_uv=False gives zero U and V."""
    u, s, vh = svd_linalg(input, full_matrices=not some)
    if not compute_uv:
        return return_types.svd(u.detach() * 0, s, vh.mT.detach() * 0)
    return return_types.svd(u, s, vh.mT)


def svdvals(A: Tensor) -> Tensor:
    """The singular values of A, descending."""
    _matrices("linalg.svdvals", A)
    return _parts(A, D.SVD(A.array, False))[1]


def _uplo(op: str, UPLO: str) -> str:
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"{op}: Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO


def eigh(A: Tensor, UPLO: str = "L") -> tuple[Tensor, Tensor]:
    """Eigenvalues (ascending) and orthonormal eigenvectors (columns) of a symmetric matrix,
    read from its lower triangle (upper with UPLO='U')."""
    _square("linalg.eigh", A)
    _floating("linalg.eigh", A)
    w, v = _parts(A, D.Eigh(A.array, _uplo("linalg.eigh", UPLO)))
    return return_types.linalg_eigh(w, v)


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues of a symmetric matrix, ascending."""
    _square("linalg.eigvalsh", A)
    _floating("linalg.eigvalsh", A)
    return _parts(A, D.Eigh(A.array, _uplo("linalg.eigvalsh", UPLO)))[0]


# ----- LU -----


def _lu_checks(op: str, A: Tensor, pivot: bool) -> None:
    _matrices(op, A)
    if not pivot:
        raise RuntimeError(f"{op}: LU without pivoting is not implemented on the CPU")


def lu_linalg(A: Tensor, *, pivot: bool = True) -> tuple[Tensor, Tensor, Tensor]:
    """A = P L U: P a permutation matrix, L unit lower triangular (m x k), U upper triangular
    (k x n), k = min(m, n); the gradient is for square A."""
    _lu_checks("linalg.lu", A, pivot)
    decomposition = D.LU(A.array)
    # P is a constant of the graph, as in PyTorch.
    low, up = (D.Part.apply(A, decomposition=decomposition, index=i) for i in (1, 2))
    return return_types.linalg_lu(_from_array(decomposition.outputs[0]), low, up)


def lu_factor(A: Tensor, *, pivot: bool = True) -> tuple[Tensor, Tensor]:
    """(LU, pivots): L - I and U packed in one matrix, and the 1-based row swaps (int32)."""
    _lu_checks("linalg.lu_factor", A, pivot)
    decomposition = D.LUFactor(A.array)
    packed = D.Part.apply(A, decomposition=decomposition, index=0)
    return return_types.linalg_lu_factor(packed, _from_array(decomposition.outputs[1]))


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False):
    """(LU, pivots, info): info counts, per matrix, the first zero pivot (1-based; 0 if none)."""
    packed, pivots = lu_factor(A, pivot=pivot)
    k = min(A.shape[-2:])
    diagonal = np.diagonal(packed.array[..., :k, :k], axis1=-2, axis2=-1)
    zero = diagonal == 0
    info = np.where(zero.any(-1), zero.argmax(-1) + 1, 0).astype(np.int32)
    return return_types.linalg_lu_factor_ex(packed, pivots, _from_array(info))


def _rows_permuted(B: Tensor, perm: np.ndarray, inverse: bool) -> Tensor:
    # B's rows in the order perm gives (P^T B), or moved back (P B) when inverse.
    order = np.argsort(perm, axis=-1) if inverse else perm
    batch = np.broadcast_shapes(order.shape[:-1], tuple(B.shape[:-2]))
    B = B.expand(*batch, *B.shape[-2:])
    index = np.broadcast_to(order[..., :, None], (*batch, B.shape[-2], B.shape[-1]))
    return B.gather(-2, _from_array(np.ascontiguousarray(index)))


def _unpacked(LU: Tensor, pivots: Tensor):
    m, n = LU.shape[-2:]
    k = min(m, n)
    eye = _from_array(np.eye(m, k, dtype=LU.array.dtype))
    low = LU[..., :, :k].tril(-1) + eye
    up = LU[..., :k, :].triu()
    return D.permutation_of(pivots.array, m), low, up


def lu_solve_linalg(
    LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True, adjoint: bool = False
) -> Tensor:
    """X with A X = B (X A = B when left=False; A^T in place of A when adjoint) from A's
    lu_factor."""
    from wright.linalg import solve_triangular

    if not left:
        return lu_solve_linalg(LU, pivots, B.mT, adjoint=not adjoint).mT
    perm, low, up = _unpacked(LU, pivots)
    if adjoint:
        # A^T = U^T L^T P^T: X = P L^-T U^-T B.
        y = solve_triangular(up.mT, B, upper=False)
        y = solve_triangular(low.mT, y, upper=True, unitriangular=True)
        return _rows_permuted(y, perm, inverse=True)
    y = solve_triangular(
        low, _rows_permuted(B, perm, inverse=False), upper=False, unitriangular=True
    )
    return solve_triangular(up, y, upper=True)


def lu_unpack(
    LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True, unpack_pivots: bool = True
):
    """(P, L, U) from lu_factor's packed result."""
    perm, low, up = _unpacked(LU_data, LU_pivots)
    m = LU_data.shape[-2]
    p = np.zeros(perm.shape[:-1] + (m, m), LU_data.array.dtype)
    np.put_along_axis(p, perm[..., None, :], 1, axis=-2)
    empty = _from_array(np.zeros(0, LU_data.array.dtype))
    return return_types.lu_unpack(
        _from_array(p) if unpack_pivots else empty,
        low if unpack_data else empty,
        up if unpack_data else empty,
    )


@tensor_method
def lu(A: Tensor, pivot: bool = True, get_infos: bool = False):
    """torch's older LU: (LU, pivots), with the infos third when get_infos."""
    packed, pivots, info = lu_factor_ex(A, pivot=pivot)
    return (packed, pivots, info) if get_infos else (packed, pivots)


@tensor_method
def lu_solve(b: Tensor, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:
    """torch's older LU solver: X with A X = b from A's LU factorization."""
    return lu_solve_linalg(LU_data, LU_pivots, b)


# ----- determinants -----


@tensor_method
def slogdet(input: Tensor) -> tuple[Tensor, Tensor]:
    """(sign, log |det|) of a square matrix: the determinant without overflow."""
    _square("linalg.slogdet", input)
    _floating("linalg.slogdet", input)
    sign, _ = np.linalg.slogdet(input.array)
    value = D.LogAbsDet.apply(input)
    # The sign is part of the graph with a zero gradient, as in PyTorch.
    sign = _linked(_from_array(np.asarray(sign, input.array.dtype)), value)
    return return_types.slogdet(sign, value)


@tensor_method
def logdet(input: Tensor) -> Tensor:
    """log det of a square matrix: NaN for a negative determinant, -inf for zero."""
    sign, value = slogdet(input)
    # NaN, with no gradient, where the determinant is negative.
    nan = _from_array(np.full((), np.nan, input.array.dtype))
    return where(sign < 0, nan, value)


# ----- pseudo-inverse, least squares, rank -----


def _tolerance(S: Tensor, atol, rtol, hermitian_size: int) -> Tensor:
    # max(atol, rtol * largest singular value); rtol defaults to eps * max(m, n) when neither
    # is given, and to 0 when only atol is.
    atol = 0.0 if atol is None else atol
    if rtol is None:
        rtol = np.finfo(S.array.dtype).eps * hermitian_size if not atol else 0.0
    atol = atol if isinstance(atol, Tensor) else _from_array(np.asarray(atol, S.array.dtype))
    rtol = rtol if isinstance(rtol, Tensor) else _from_array(np.asarray(rtol, S.array.dtype))
    largest = S.detach().amax(-1) if S.shape[-1] else _from_array(np.zeros(S.shape[:-1]))
    return (rtol * largest).maximum(atol)


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """The Moore-Penrose pseudo-inverse, from the singular values above max(atol, rtol * the
    largest)."""
    _matrices("linalg.pinv", A)
    u, s, vh = svd_linalg(A, full_matrices=False)
    keep = s > _tolerance(s, atol, rtol, max(A.shape[-2:])).unsqueeze(-1)
    inverse = (1 / s.masked_fill(~keep, 1.0)).masked_fill(~keep, 0.0)
    return (vh.mT * inverse.unsqueeze(-2)) @ u.mT


@tensor_method
def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """The pseudo-inverse, dropping singular values below rcond times the largest."""
    return pinv(input, rtol=rcond)


def matrix_rank(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, tol=None) -> Tensor:
    """How many singular values exceed max(atol, rtol * the largest) (int64)."""
    _matrices("linalg.matrix_rank", A)
    if tol is not None:
        atol, rtol = tol, 0.0
    s = svdvals(A.detach())
    found = (s > _tolerance(s, atol, rtol, max(A.shape[-2:])).unsqueeze(-1)).sum(-1)
    return found


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver: str | None = None):
    """The least-squares solution X minimising ||A X - B|| (the minimum-norm one for
    rank-deficient A), with residuals (for tall full-rank A and drivers other than 'gelsy'),
    rank and singular values (for 'gelsd' and 'gelss'), as torch's CPU drivers give them."""
    _matrices("linalg.lstsq", A)
    driver = "gelsy" if driver is None else driver
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(
            f"torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, "
            f"gelss), but got {driver}"
        )
    if A.dtype != B.dtype:
        raise RuntimeError(
            f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
            f"input's dtype {A.dtype} and other's dtype {B.dtype}"
        )
    vector = B.ndim == A.ndim - 1
    right = B.unsqueeze(-1) if vector else B
    if right.shape[-2] != A.shape[-2]:
        raise RuntimeError(
            "torch.linalg.lstsq: input.size(-2) should match other.size(-2), got "
            f"{A.shape[-2]} and {right.shape[-2]}"
        )
    rtol = np.finfo(A.array.dtype).eps * max(A.shape[-2:]) if rcond is None else rcond
    solution = pinv(A, rtol=rtol) @ right
    m, n = A.shape[-2:]
    s = svdvals(A.detach())
    rank = (s > _tolerance(s, None, rtol, 1).unsqueeze(-1)).sum(-1)
    empty = _from_array(np.zeros(0, A.array.dtype))
    residuals = empty
    if driver != "gelsy" and m > n and bool((rank.array == n).all()):
        residuals = ((A @ solution - right) ** 2).sum(-2)
    values = s if driver in ("gelsd", "gelss") else empty
    if driver == "gels":
        rank = _from_array(np.zeros(0, np.int64))
    solution = solution.squeeze(-1) if vector else solution
    return return_types.linalg_lstsq(solution, residuals, rank, values)


__all__ = [
    "cholesky",
    "cholesky_inverse",
    "cholesky_solve",
    "logdet",
    "lu",
    "lu_solve",
    "lu_unpack",
    "pinverse",
    "qr",
    "slogdet",
    "svd",
]
