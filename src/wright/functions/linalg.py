"""Matrix and tensor products in PyTorch's spelling: mm, bmm, mv, dot, outer, the add-products
(addmm, baddbmm, ...), einsum, tensordot, kron, cross, matrix powers, det and inverse."""

from __future__ import annotations

import string
from collections import Counter

import numpy as np

from wright.backend import array_module
from wright.functions.pointwise import inplace
from wright.functions.shaping import broadcast_shapes, tensor_list, unbind, wrap_dim
from wright.ops import elementwise as E
from wright.ops import linalg as L
from wright.tensor import Tensor, _from_array, stack, tensor_method

# Subscript letters in PyTorch's order: the sublist form's 0..51 map to A..Z, a..z, and an
# implicit einsum output lists its letters in this order.
_LETTERS = string.ascii_uppercase + string.ascii_lowercase


def _same_dtype(op: str, a: Tensor, b: Tensor) -> None:
    if a.array.dtype != b.array.dtype:
        raise RuntimeError(
            f"{op}: expected both arguments to have the same dtype, but got {a.dtype} and {b.dtype}"
        )
    if a.array.dtype == np.bool_:
        raise RuntimeError(f"{op}: not implemented for bool tensors")


def _need_rank(op: str, tensor: Tensor, rank: int, what: str) -> None:
    if tensor.ndim != rank:
        raise RuntimeError(f"{op}: expected {what} to be {rank}-D, but got {tensor.ndim}-D")


def _linked(value: Tensor, ignored: Tensor) -> Tensor:
    # value, keeping `ignored` in the graph with a zero gradient (as PyTorch does for an operand
    # scaled by 0), without letting its NaNs through.
    condition = array_module(value.array).ones(value.shape, bool)
    return E.Where.apply(value, ignored, condition=condition)


@tensor_method
def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """The product of two matrices (no broadcasting)."""
    _need_rank("mm", input, 2, "self")
    _need_rank("mm", mat2, 2, "mat2")
    _same_dtype("mm", input, mat2)
    if input.shape[1] != mat2.shape[0]:
        raise RuntimeError(
            f"mm: mat1 and mat2 shapes cannot be multiplied ({input.shape[0]}x{input.shape[1]} "
            f"and {mat2.shape[0]}x{mat2.shape[1]})"
        )
    return L.MatMul.apply(input, mat2)


@tensor_method
def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Matrix products of two equally long batches of matrices, shaped (b, n, m) and (b, m, p)."""
    _need_rank("bmm", input, 3, "batch1")
    _need_rank("bmm", mat2, 3, "batch2")
    _same_dtype("bmm", input, mat2)
    wanted = [input.shape[0], input.shape[2]]
    if list(mat2.shape[:2]) != wanted:
        raise RuntimeError(
            f"bmm: expected size for first two dimensions of batch2 tensor to be: {wanted} but "
            f"got: {list(mat2.shape[:2])}."
        )
    return L.MatMul.apply(input, mat2)


@tensor_method
def mv(input: Tensor, vec: Tensor) -> Tensor:
    """The product of a matrix and a vector."""
    _need_rank("mv", input, 2, "mat")
    _need_rank("mv", vec, 1, "vec")
    _same_dtype("mv", input, vec)
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(
            f"mv: size mismatch, got mat ({input.shape[0]}x{input.shape[1]}), vec ({vec.shape[0]})"
        )
    return L.MatMul.apply(input, vec)


@tensor_method
def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """The inner product of two vectors of the same length and dtype."""
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(
            f"dot: 1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors"
        )
    _same_dtype("dot", input, tensor)
    if input.shape[0] != tensor.shape[0]:
        raise RuntimeError(
            f"dot: inconsistent tensor size, expected tensors of the same length, got "
            f"{input.shape[0]} and {tensor.shape[0]}"
        )
    return L.MatMul.apply(input, tensor)


vdot = dot
Tensor.vdot = dot


@tensor_method
def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """The outer product of two vectors: out[i, j] = input[i] * vec2[j]."""
    for name, vector in (("self", input), ("vec2", vec2)):
        if vector.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {vector.ndim}-D")
    return input.reshape(-1, 1) * vec2


ger = outer
Tensor.ger = outer


@tensor_method
def inner(input: Tensor, other: Tensor) -> Tensor:
    """Sums of products over the last dimension of both (the dot product for vectors; a plain
    product when either is a scalar)."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.array.dtype != other.array.dtype:
        raise RuntimeError(
            f"inner: both inputs should have same dtype, got {input.dtype} and {other.dtype}"
        )
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(
            "inner() the last dimension must match on both input tensors but got shapes "
            f"{list(input.shape)} and {list(other.shape)}"
        )
    return tensordot(input, other, ([-1], [-1]))


def _plus_scaled(op: str, input: Tensor, product: Tensor, beta, alpha) -> Tensor:
    # beta * input + alpha * product in the product's dtype and shape; beta = 0 ignores input.
    if input.array.dtype != product.array.dtype:
        raise RuntimeError(
            f"{op}: expected self and the product to have the same dtype, but got {input.dtype} "
            f"and {product.dtype}"
        )
    shape = product.shape
    if broadcast_shapes(input.shape, shape) != shape:
        raise RuntimeError(
            f"{op}: the expanded size of self {list(input.shape)} must match the size of the "
            f"product {list(shape)}"
        )
    dtype = product.array.dtype
    scaled = product if alpha == 1 else product * alpha
    if beta == 0:
        return _linked(scaled, input)._cast(dtype)
    return (scaled + (input if beta == 1 else input * beta))._cast(dtype)


@tensor_method
def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2); input broadcasts to the product's shape."""
    return _plus_scaled("addmm", input, mm(mat1, mat2), beta, alpha)


@tensor_method
def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * (the sum over the batch of batch1[i] @ batch2[i])."""
    return _plus_scaled("addbmm", input, bmm(batch1, batch2).sum(0), beta, alpha)


@tensor_method
def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * (batch1 @ batch2), batch by batch."""
    return _plus_scaled("baddbmm", input, bmm(batch1, batch2), beta, alpha)


@tensor_method
def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * (mat @ vec)."""
    return _plus_scaled("addmv", input, mv(mat, vec), beta, alpha)


@tensor_method
def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * outer(vec1, vec2)."""
    return _plus_scaled("addr", input, outer(vec1, vec2), beta, alpha)


inplace(addmm)
inplace(addbmm)
inplace(baddbmm)
inplace(addmv)
inplace(addr)


# ----- einsum and tensordot -----


def _sublist(subscripts) -> str:
    letters = []
    for s in subscripts:
        if s is Ellipsis:
            letters.append("...")
        elif 0 <= int(s) < len(_LETTERS):
            letters.append(_LETTERS[int(s)])
        else:
            raise RuntimeError(
                f"einsum(): subscript in subscript list is not within the valid range [0, 52), "
                f"got {s}"
            )
    return "".join(letters)


def _from_sublists(args: tuple) -> tuple[str, list]:
    # einsum(op0, sub0, op1, sub1, ..., [out]) spelled as an equation.
    operands, terms = list(args[0::2]), [_sublist(s) for s in args[1::2]]
    if len(args) % 2:
        output = _sublist(operands.pop())
        return ",".join(terms) + "->" + output, operands
    return ",".join(terms), operands


def _check_subscripts(text: str, offset: int) -> None:
    for position, c in enumerate(text):
        if c not in _LETTERS and c not in ".,->":
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {offset + position} in the equation "
                "string, subscripts must be in [a-zA-Z]"
            )


def _expanded_terms(terms: list[str], operands: list[Tensor], spare: str) -> tuple[list, str]:
    # Each operand's subscripts with '...' replaced by explicit letters, and the letters of the
    # broadcast '...' dims (right-aligned over the operands, as broadcasting is).
    ranks = []
    for number, (term, operand) in enumerate(zip(terms, operands)):
        named = term.replace("...", "")
        if "." in named or term.count("...") > 1:
            raise RuntimeError(
                f"einsum(): found '.' for operand {number} that is not part of one ellipsis"
            )
        extra = operand.ndim - len(named)
        if ("..." in term and extra < 0) or ("..." not in term and extra != 0):
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(named)}) does not "
                f"match the number of dimensions ({operand.ndim}) for operand {number}"
                + ("" if "..." in term else " and no ellipsis was given")
            )
        ranks.append(extra)
    broadcast = spare[: max(ranks, default=0)]
    expanded = [
        term.replace("...", broadcast[len(broadcast) - rank :]) for term, rank in zip(terms, ranks)
    ]
    return expanded, broadcast


def _output_term(rhs: str | None, terms: list[str], broadcast: str) -> str:
    if rhs is None:
        # Implicit output: the broadcast dims, then the letters used once, in order.
        counts = Counter("".join(terms))
        once = sorted(
            (c for c, n in counts.items() if n == 1 and c not in broadcast), key=_LETTERS.index
        )
        return broadcast + "".join(once)
    output = rhs.replace("...", broadcast)
    used = set("".join(terms))
    for c in output:
        if c not in used:
            raise RuntimeError(
                f"einsum(): output subscript {c} does not appear in the equation for any input "
                "operand"
            )
        if output.count(c) > 1:
            raise RuntimeError(
                f"einsum(): output subscript {c} appears more than once in the output"
            )
    return output


def _squeezed(terms: list[str], operands: list[Tensor]) -> tuple[list[str], list[Tensor]]:
    # Sizes per letter must agree or be 1. A size-1 dim facing a longer one broadcasts: it is
    # dropped from its operand, so einsum sums its letter over the other operands only.
    sizes: dict[str, int] = {}
    for number, (term, operand) in enumerate(zip(terms, operands)):
        own: dict[str, int] = {}
        for c, n in zip(term, operand.shape):
            if c in own and own[c] != n:
                raise RuntimeError(
                    f"einsum(): subscript {c} is repeated for operand {number} but the sizes "
                    f"don't match, {own[c]} != {n}"
                )
            own[c] = n
            if c not in sizes or sizes[c] == 1:
                sizes[c] = n
            elif n not in (1, sizes[c]):
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {n} for operand {number} which does not "
                    f"broadcast with previously seen size {sizes[c]}"
                )
    kept_terms, kept_operands = [], []
    for term, operand in zip(terms, operands):
        keep = [n != 1 or sizes[c] == 1 for c, n in zip(term, operand.shape)]
        if not all(keep):
            term = "".join(c for c, k in zip(term, keep) if k)
            operand = operand.reshape([n for n, k in zip(operand.shape, keep) if k])
        kept_terms.append(term)
        kept_operands.append(operand)
    return kept_terms, kept_operands


def einsum(equation, *operands) -> Tensor:
    """Sums of products over the dimensions named by subscript letters: 'ij,jk->ik' is a matrix
    product, 'ii' a trace, 'bij,bjk->bik' a batched product. '...' stands for broadcast
    dimensions; without '->' the output holds the letters used once, in alphabetical order.
    The sublist form einsum(x, [0, 1], y, [1, 2], [0, 2]) also works."""
    if not isinstance(equation, str):
        equation, operands = _from_sublists((equation, *operands))
    operands = tensor_list(tuple(operands))
    equation = equation.replace(" ", "")
    _check_subscripts(equation, 0)
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        few = "fewer" if len(operands) < len(terms) else "more"
        raise RuntimeError(
            f"einsum(): {few} operands were provided than specified in the equation "
            f"({len(operands)} vs {len(terms)})"
        )
    if len({t.array.dtype for t in operands}) > 1:
        raise RuntimeError(
            "einsum(): expected all operands to have the same dtype, got "
            f"{[str(t.dtype) for t in operands]}"
        )
    spare = "".join(c for c in _LETTERS if c not in equation)
    terms, broadcast = _expanded_terms(terms, operands, spare)
    output = _output_term(rhs if arrow else None, terms, broadcast)
    terms, operands = _squeezed(terms, operands)
    return L.Einsum.apply(*operands, inputs=tuple(terms), output=output)


def _contracted_dims(a: Tensor, b: Tensor, dims) -> tuple[list[int], list[int]]:
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0 or dims > min(a.ndim, b.ndim):
            raise RuntimeError(
                f"tensordot: expects 0 <= dims <= {min(a.ndim, b.ndim)}, but got dims={dims}"
            )
        return list(range(a.ndim - dims, a.ndim)), list(range(dims))
    first, second = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(first) != len(second):
        raise RuntimeError(
            f"tensordot: both dimension lists should have same length, got {first} and {second}"
        )
    return [wrap_dim(a, d) for d in first], [wrap_dim(b, d) for d in second]


def tensordot(a: Tensor, b: Tensor, dims=2) -> Tensor:
    """Sums of products over the given dims of a and b (the last `dims` of a with the first of b
    for an int); the result has a's remaining dims, then b's."""
    if a.array.dtype != b.array.dtype:
        raise RuntimeError(
            f"tensordot: both inputs should have same dtype, got {a.dtype} and {b.dtype}"
        )
    first, second = _contracted_dims(a, b, dims)
    a_letters = _LETTERS[: a.ndim]
    b_letters = list(_LETTERS[a.ndim : a.ndim + b.ndim])
    for i, j in zip(first, second):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(
                f"tensordot: contracted dimensions need to match, but first has size "
                f"{a.shape[i]} in dim {i} and second has size {b.shape[j]} in dim {j}"
            )
        b_letters[j] = a_letters[i]
    output = "".join(a_letters[i] for i in range(a.ndim) if i not in first)
    output += "".join(b_letters[j] for j in range(b.ndim) if j not in second)
    return L.Einsum.apply(a, b, inputs=(a_letters, "".join(b_letters)), output=output)


# ----- other products -----


@tensor_method
def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product: every element of input times the whole of other, laid out in
    blocks."""
    rank = max(input.ndim, other.ndim)
    a_shape = (1,) * (rank - input.ndim) + tuple(input.shape)
    b_shape = (1,) * (rank - other.ndim) + tuple(other.shape)
    a = input.reshape([m for n in a_shape for m in (n, 1)])
    b = other.reshape([m for n in b_shape for m in (1, n)])
    return (a * b).reshape([m * n for m, n in zip(a_shape, b_shape)])


@tensor_method
def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along `dim` (the first dimension of size 3 when not
    given); input and other broadcast together."""
    if input.array.dtype != other.array.dtype:
        raise RuntimeError(
            f"cross: expected both inputs to have the same dtype, got {input.dtype} and "
            f"{other.dtype}"
        )
    shape = broadcast_shapes(input.shape, other.shape)
    a, b = input.expand(shape), other.expand(shape)
    if dim is None:
        dim = next((d for d, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise RuntimeError(f"cross: no dimension of size 3 in input of shape {list(shape)}")
    dim = wrap_dim(a, dim)
    if shape[dim] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got "
            f"{input.shape[dim] if input.ndim == len(shape) else shape[dim]} and "
            f"{other.shape[dim] if other.ndim == len(shape) else shape[dim]}"
        )
    a0, a1, a2 = unbind(a, dim)
    b0, b1, b2 = unbind(b, dim)
    return stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], dim)


def _square(op: str, input: Tensor) -> None:
    if input.ndim < 2 or input.shape[-1] != input.shape[-2]:
        shape = list(input.shape[-2:])
        raise RuntimeError(
            f"{op}: A must be batches of square matrices, but they are "
            f"{' by '.join(map(str, shape))} matrices"
        )


def _floating(op: str, input: Tensor) -> None:
    if input.array.dtype.kind != "f":
        raise RuntimeError(f"{op}: Expected a floating point tensor as input. Got {input.dtype}")


@tensor_method
def inverse(input: Tensor) -> Tensor:
    """The inverse of a square matrix (or of each in a batch)."""
    _square("linalg.inv", input)
    _floating("linalg.inv", input)
    try:
        return L.Inverse.apply(input)
    except np.linalg.LinAlgError:
        raise RuntimeError(
            "linalg.inv: the input matrix is singular, so it cannot be inverted"
        ) from None


@tensor_method
def det(input: Tensor) -> Tensor:
    """The determinant of a square matrix (or of each in a batch); its gradient needs an
    invertible matrix."""
    _square("linalg.det", input)
    _floating("linalg.det", input)
    return L.Det.apply(input)


@tensor_method
def matrix_power(input: Tensor, n: int) -> Tensor:
    """The matrix multiplied by itself n times (the identity for 0, powers of the inverse for
    negative n), by repeated squaring."""
    _square("linalg.matrix_power", input)
    if n == 0:
        xp = array_module(input.array)
        identity = xp.broadcast_to(xp.eye(input.shape[-1], dtype=input.array.dtype), input.shape)
        return _linked(_from_array(identity.copy()), input)
    if n < 0:
        input, n = inverse(input), -n
    result, power = None, input
    while n:
        if n & 1:
            result = power if result is None else result @ power
        n >>= 1
        if n:
            power = power @ power
    return result.clone() if result is input else result


__all__ = [
    "addbmm",
    "addmm",
    "addmv",
    "addr",
    "baddbmm",
    "bmm",
    "cross",
    "det",
    "dot",
    "einsum",
    "ger",
    "inner",
    "inverse",
    "kron",
    "matrix_power",
    "mm",
    "mv",
    "outer",
    "tensordot",
    "vdot",
]
