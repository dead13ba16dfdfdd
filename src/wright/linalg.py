"""Norms in PyTorch's `torch.linalg` spelling: `wright.linalg.vector_norm`, `matrix_norm` and
`norm`."""

from __future__ import annotations

import math

from wright.functions.reduction import amax, amin, dims, vector_norm
from wright.tensor import Tensor

_MATRIX_ORDERS = ("fro", "nuc", math.inf, -math.inf, 1, -1, 2, -2)


def matrix_norm(
    A: Tensor, ord="fro", dim: tuple[int, int] = (-2, -1), keepdim: bool = False, *, dtype=None
) -> Tensor:
    """A matrix norm over the two dims `dim` (the last two unless told): 'fro' (the square root
    of the sum of squares), inf / -inf (the largest / smallest sum of |x| along a row) or 1 / -1
    (the same along a column). 'nuc', 2 and -2 need singular values, which wright does not
    compute."""
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
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(
            f"linalg.matrix_norm: order {ord} needs singular values, which wright does not compute"
        )
    if dtype is not None:
        A = A.to(dtype)
    if not A.is_floating_point():
        raise RuntimeError(
            f"linalg.matrix_norm: Expected a floating point tensor as input. Got {A.dtype}"
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


__all__ = ["matrix_norm", "norm", "vector_norm"]
