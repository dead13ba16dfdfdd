"""Linear algebra in PyTorch's `torch.linalg` spelling: norms (`vector_norm`, `matrix_norm`,
`norm`), solvers and decompositions (`solve`, `cholesky`, `qr`, `svd`, `eigh`, `lstsq`, ...),
inverses and determinants."""

from __future__ import annotations

import math

import numpy as np

from wright import return_types
from wright.functions.decompositions import (
    LinAlgError,
    cholesky,
    eigh,
    eigvalsh,
    lstsq,
    lu_factor,
    lu_factor_ex,
    matrix_rank,
    pinv,
    solve,
    svdvals,
)
from wright.functions.decompositions import lu_linalg as lu
from wright.functions.decompositions import lu_solve_linalg as lu_solve
from wright.functions.decompositions import qr_linalg as qr
from wright.functions.decompositions import slogdet as _slogdet
from wright.functions.decompositions import svd_linalg as svd
from wright.functions.linalg import cross as _cross
from wright.functions.linalg import det, matrix_power
from wright.functions.linalg import inverse as inv
from wright.functions.pointwise import matmul
from wright.functions.reduction import amax, amin, dims, vector_norm
from wright.functions.shaping import diagonal as _diagonal
from wright.tensor import Tensor, _from_array

_MATRIX_ORDERS = ("fro", "nuc", math.inf, -math.inf, 1, -1, 2, -2)


def matrix_norm(
    A: Tensor, ord="fro", dim: tuple[int, int] = (-2, -1), keepdim: bool = False, *, dtype=None
) -> Tensor:
    """A matrix norm over the two dims `dim` (the last two unless told): 'fro' (the square root
    of the sum of squares), inf / -inf (the largest / smallest sum of |x| along a row) or 1 / -1
    (the same along a column), 'nuc' (the sum of the singular values), 2 / -2 (the largest /
    smallest singular value)."""
    if A.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    if not isinstance(dim, tuple | list) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}")
    if isinstance(ord, bool) or ord not in _MATRIX_ORDERS:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    rows, columns = dims(A, tuple(dim))
    if rows == columns:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({rows}, {columns})")
    if ord == "fro":
        return vector_norm(A, 2, (rows, columns), keepdim, dtype=dtype)
    if dtype is not None:
        A = A.to(dtype)
    if not A.is_floating_point():
        raise RuntimeError(
            f"linalg.matrix_norm: Expected a floating point tensor as input. Got {A.dtype}"
        )
    if ord in ("nuc", 2, -2):
        values = svdvals(A.movedim((rows, columns), (-2, -1)))
        found = values.sum(-1) if ord == "nuc" else (amax if ord == 2 else amin)(values, -1)
        return (
            found.unsqueeze(min(rows, columns)).unsqueeze(max(rows, columns)) if keepdim else found
        )
    # inf: sum |x| along each row (over the columns), then the largest row; 1: the reverse.
    summed, extreme = (columns, rows) if ord in (math.inf, -math.inf) else (rows, columns)
    totals = A.abs().sum(summed, keepdim=True)
    found = (amax if ord > 0 else amin)(totals, extreme, keepdim=True)
    return found if keepdim else found.squeeze((rows, columns))


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """A vector or matrix norm: with one dim (an int), `vector_norm`; with two, `matrix_norm`;
    without `dim`, the 2-norm of all elements when `ord` is None, else the vector norm of a 1-D
    tensor or the matrix norm of a 2-D one."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is None:
        if ord is None:
            return vector_norm(A, 2, None, keepdim, dtype=dtype)
        if A.ndim not in (1, 2):
            raise RuntimeError(
                "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                f"Got {A.ndim}D."
            )
        dim = tuple(range(A.ndim))
    if len(dim) == 1:
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    if len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, tuple(dim), keepdim, dtype=dtype)
    raise RuntimeError(
        f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}"
    )


def matrix_exp(A: Tensor) -> Tensor:
    """The matrix exponential e^A."""
    from wright.functions.numeric import matrix_exp as exponential

    return exponential(A)


def slogdet(A: Tensor):
    """(sign, log |det A|) of a square matrix."""
    return return_types.linalg_slogdet(*_slogdet(A))


def _with_info(result: Tensor, batch: tuple) -> tuple:
    return result, _from_array(np.zeros(batch, np.int32))


def inv_ex(A: Tensor, *, check_errors: bool = False):
    """(inverse, info): info is 0 for each invertible matrix (wright raises otherwise)."""
    return _with_info(inv(A), tuple(A.shape[:-2]))


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False):
    """(L, info): info is 0 for each positive-definite matrix (wright raises otherwise)."""
    return _with_info(cholesky(A, upper), tuple(A.shape[:-2]))


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False):
    """(X, info): info is 0 for each invertible matrix (wright raises otherwise)."""
    return _with_info(solve(A, B, left=left), tuple(A.shape[:-2]))


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along `dim` (the last by default)."""
    return _cross(input, other, dim)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """The diagonal of each matrix over the last two dims (a view)."""
    return _diagonal(A, offset, dim1, dim2)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """The dot product of vectors along `dim`, broadcasting the rest."""
    return (x * y).sum(dim)


def multi_dot(tensors) -> Tensor:
    """The product of a chain of matrices (the first may be a vector, as may the last)."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    result = tensors[0]
    for tensor in tensors[1:]:
        result = matmul(result, tensor)
    return result


def cond(A: Tensor, p=None) -> Tensor:
    """The condition number: ||A|| ||A^-1|| in the p norm (the ratio of the extreme singular
    values for p None, 2 and -2)."""
    if p in (None, 2, -2):
        values = svdvals(A)
        ratio = values[..., 0] / values[..., -1]
        return ratio if p != -2 else 1 / ratio
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


def solve_triangular(
    A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False
) -> Tensor:
    """X with A X = B (X A = B when left=False) for triangular A, reading only A's upper or
    lower triangle (and a unit diagonal when unitriangular)."""
    part = A.triu() if upper else A.tril()
    if unitriangular:
        part = part.tril(-1) + _eye_like(A) if not upper else part.triu(1) + _eye_like(A)
    return solve(part, B, left=left)


def _eye_like(A: Tensor) -> Tensor:
    return _from_array(np.eye(A.shape[-1], dtype=A.array.dtype))


__all__ = [
    "LinAlgError",
    "cholesky",
    "cholesky_ex",
    "cond",
    "cross",
    "det",
    "diagonal",
    "eigh",
    "eigvalsh",
    "inv",
    "inv_ex",
    "lstsq",
    "lu",
    "lu_factor",
    "lu_factor_ex",
    "lu_solve",
    "matmul",
    "matrix_exp",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "multi_dot",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_ex",
    "solve_triangular",
    "svd",
    "svdvals",
    "vecdot",
    "vector_norm",
]
