"""Shape manipulation in PyTorch's spelling: picking, splitting, flipping, repeating, diagonals,
moving dimensions, broadcasting and stacking (`wright.flip(x, (0,))`, `x.unfold(0, 2, 1)`)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from wright import backend, dtypes
from wright.backend import array_module
from wright.functions.pointwise import inplace
from wright.functions.reduction import dims
from wright.ops import elementwise as E
from wright.ops import shape as S
from wright.tensor import (
    Size,
    Tensor,
    _from_array,
    _shape_args,
    _wrapped_dim,
    cat,
    pad,
    stack,
    tensor_method,
)


def wrap_dim(input: Tensor, dim: int, ndim: int | None = None) -> int:
    """`dim` checked against the rank (`ndim`, else the tensor's) and made non-negative (0 for a
    0-d tensor); IndexError when out of range, as PyTorch."""
    if ndim is None:
        found = dims(input, dim)
        return 0 if found is None else found
    return _wrapped_dim(dim, ndim)


def _dim_list(input: Tensor, given, op: str) -> list[int]:
    found = [wrap_dim(input, int(d)) for d in (given if isinstance(given, Sequence) else (given,))]
    if len(set(found)) != len(found):
        repeated = next(d for d in found if found.count(d) > 1)
        raise RuntimeError(f"{op}: dim {repeated} appears multiple times in the list of dims")
    return found


def _as_int(value) -> int:
    return int(value.item()) if isinstance(value, Tensor) else int(value)


def tensor_list(tensors: tuple) -> list:
    """The tensors of a call spelled f(a, b, c) or f([a, b, c])."""
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        return list(tensors[0])
    return list(tensors)


# ----- picking and splitting (views, as in PyTorch) -----


@tensor_method
def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The slice at `index` along `dim`, that dimension removed (a view)."""
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim, index = wrap_dim(input, dim), _as_int(index)
    size = input.shape[dim]
    if not -size <= index < size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
            f"dimension {dim}"
        )
    return input[(slice(None),) * dim + (index,)]


@tensor_method
def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """All slices along `dim`, that dimension removed."""
    if input.ndim == 0:
        raise IndexError("unbind: dimension specified as 0 but tensor has no dimensions")
    dim = wrap_dim(input, dim)
    return tuple(select(input, dim, i) for i in range(input.shape[dim]))


@tensor_method
def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """`length` elements from `start` along `dim` (a view); a negative start counts from the
    end."""
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    dim, start, length = wrap_dim(input, dim), _as_int(start), int(length)
    size = input.shape[dim]
    if not -size <= start <= size:
        raise IndexError(
            f"narrow(): start out of range (expected to be in range of [{-size}, {size}], but "
            f"got {start})"
        )
    start %= max(size, 1)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(
            f"narrow(): start ({start}) + length ({length}) exceeds dimension size ({size})."
        )
    return input[(slice(None),) * dim + (slice(start, start + length),)]


def _pieces(input: Tensor, dim: int, bounds: Sequence[int | None]) -> tuple[Tensor, ...]:
    # Consecutive slices [bounds[i], bounds[i + 1]) along dim, with Python's slice rules.
    lead = (slice(None),) * dim
    return tuple(input[lead + (slice(a, b),)] for a, b in itertools.pairwise(bounds))


@tensor_method
def tensor_split(input: Tensor, indices_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    """Split along `dim` into `n` nearly equal parts (an int: the first parts one longer), or at
    the given indices (a list)."""
    if input.ndim == 0:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    dim = wrap_dim(input, dim)
    if isinstance(indices_or_sections, Tensor):
        if indices_or_sections.array.dtype != np.int64 or indices_or_sections.ndim > 1:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to be a 0-d or 1-d int64 "
                f"tensor, got {indices_or_sections.ndim}-d {indices_or_sections.dtype}"
            )
        indices_or_sections = indices_or_sections.tolist()
    size = input.shape[dim]
    if isinstance(indices_or_sections, int):
        sections = indices_or_sections
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        small, extra = divmod(size, sections)
        ends = np.cumsum([small + 1] * extra + [small] * (sections - extra)).tolist()
        return _pieces(input, dim, [0, *ends])
    return _pieces(input, dim, [None, *(int(i) for i in indices_or_sections), None])


def _split_at(input: Tensor, indices_or_sections, dim: int, op: str) -> tuple[Tensor, ...]:
    if isinstance(indices_or_sections, int):
        size = input.shape[dim]
        if indices_or_sections == 0 or size % indices_or_sections:
            raise RuntimeError(
                f"torch.{op} attempted to split along dimension {dim}, but the size of the "
                f"dimension {size} is not divisible by the split_size {indices_or_sections}!"
            )
    return tensor_split(input, indices_or_sections, dim)


def _need_dims(input: Tensor, least: int, op: str) -> None:
    if input.ndim < least:
        raise RuntimeError(
            f"torch.{op} requires a tensor with at least {least} dimension, but got a tensor with "
            f"{input.ndim} dimensions!"
        )


@tensor_method
def hsplit(input: Tensor, indices_or_sections) -> tuple[Tensor, ...]:
    """Split columns (dimension 1; dimension 0 of a vector) into equal parts or at indices."""
    _need_dims(input, 1, "hsplit")
    return _split_at(input, indices_or_sections, 1 if input.ndim > 1 else 0, "hsplit")


@tensor_method
def vsplit(input: Tensor, indices_or_sections) -> tuple[Tensor, ...]:
    """Split rows (dimension 0) into equal parts or at indices."""
    _need_dims(input, 2, "vsplit")
    return _split_at(input, indices_or_sections, 0, "vsplit")


@tensor_method
def dsplit(input: Tensor, indices_or_sections) -> tuple[Tensor, ...]:
    """Split depth (dimension 2) into equal parts or at indices."""
    _need_dims(input, 3, "dsplit")
    return _split_at(input, indices_or_sections, 2, "dsplit")


@tensor_method
def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Windows of `size` elements taken every `step` along `dimension`, as a new last dimension
    (a read-only view; a Tensor method only, as in PyTorch)."""
    if step <= 0:
        raise RuntimeError(f"unfold: step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"unfold: size is {size} but must be >= 0")
    if input.ndim == 0:
        wrap_dim(input, dimension)
        if size > 1:
            raise RuntimeError(f"unfold: maximum size for a 0-dim tensor is 1 but size is {size}")
        return input.reshape(1)[:size]
    dimension = wrap_dim(input, dimension)
    if size > input.shape[dimension]:
        raise RuntimeError(
            f"unfold: maximum size for tensor at dimension {dimension} is "
            f"{input.shape[dimension]} but size is {size}"
        )
    result = S.Unfold.apply(input, axis=dimension, size=size, step=step)
    # The windows share the input's memory (PyTorch's unfold is a view), but NumPy's strided view
    # does not name the input as its base, so link the version counters here.
    result._version_counter, result._base = input._version_counter, input
    return result


# ----- reversing and rotating (new memory, as in PyTorch) -----


@tensor_method
def flip(input: Tensor, dims, *more: int) -> Tensor:
    """Reverse the order of elements along the given dims."""
    dims = (dims, *more) if more else dims
    found = _dim_list(input, dims, "flip")
    if input.ndim == 0 or not found:
        return input.clone()
    return S.Flip.apply(input, axes=tuple(found))


@tensor_method
def fliplr(input: Tensor) -> Tensor:
    """Reverse the columns (dimension 1)."""
    if input.ndim < 2:
        raise RuntimeError("fliplr: input must be >= 2-d.")
    return flip(input, (1,))


@tensor_method
def flipud(input: Tensor) -> Tensor:
    """Reverse the rows (dimension 0)."""
    if input.ndim < 1:
        raise RuntimeError("flipud: input must be >= 1-d.")
    return flip(input, (0,))


@tensor_method
def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Shift elements circularly along dims (over the flattened tensor when dims is None)."""
    shifts = tuple(int(s) for s in shifts) if isinstance(shifts, Sequence) else (int(shifts),)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(
                f"roll: shifts and dimensions must align. shifts: {len(shifts)}, dims: 0"
            )
        flat = input.reshape(-1)
        return S.Roll.apply(flat, shifts=shifts, axes=(0,)).reshape(input.shape)
    dims = tuple(dims) if isinstance(dims, Sequence) else (dims,)
    if len(shifts) != len(dims):
        raise RuntimeError(
            f"roll: shifts and dimensions must align. shifts: {len(shifts)}, dims: {len(dims)}"
        )
    if input.ndim == 0:
        raise IndexError(f"roll: dimension specified as {dims[0]} but tensor has no dimensions")
    axes = tuple(wrap_dim(input, d) for d in dims)
    return S.Roll.apply(input, shifts=shifts, axes=axes)


@tensor_method
def rot90(input: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    """Rotate by 90 degrees k times, from the first toward the second of `dims`."""
    if len(dims) != 2:
        raise RuntimeError(f"rot90: expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"rot90: expected total dims >= 2, but got total dims = {input.ndim}")
    first, second = wrap_dim(input, dims[0]), wrap_dim(input, dims[1])
    if first == second:
        raise RuntimeError(
            f"rot90: expected rotation dims to be different, but got dim0 = {first} and dim1 = "
            f"{second}"
        )
    k %= 4
    if k == 1:
        return flip(input, (second,)).transpose(first, second)
    if k == 2:
        return flip(input, (first, second))
    if k == 3:
        return flip(input, (first,)).transpose(first, second)
    return input.clone()


# ----- repeating -----


@tensor_method
def repeat(input: Tensor, *sizes) -> Tensor:
    """Tile the tensor `sizes[i]` times along each dimension (extra leading sizes add
    dimensions); a Tensor method only, as in PyTorch."""
    sizes = _shape_args(sizes)
    if len(sizes) < input.ndim:
        raise RuntimeError(
            "repeat: number of dimensions of repeat dims can not be smaller than number of "
            f"dimensions of tensor ({len(sizes)} < {input.ndim})"
        )
    if any(n < 0 for n in sizes):
        raise RuntimeError(f"repeat: repeats must be non-negative, got {list(sizes)}")
    shape = (1,) * (len(sizes) - input.ndim) + tuple(input.shape)
    if all(n == 1 for n in sizes):
        return input.reshape(shape).clone()
    # Each dimension n becomes (repeats, n): broadcast along the new axes, then merge the pairs.
    paired = input.reshape([m for n in shape for m in (1, n)])
    spread = paired.expand([m for pair in zip(sizes, shape) for m in pair])
    return spread.reshape([r * n for r, n in zip(sizes, shape)])


@tensor_method
def tile(input: Tensor, dims: Sequence[int]) -> Tensor:
    """Repeat the tensor along each dimension; fewer dims than the tensor has mean ones in
    front."""
    dims = _shape_args((dims,))
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


@tensor_method
def repeat_interleave(
    input: Tensor, repeats=None, dim: int | None = None, *, output_size: int | None = None
) -> Tensor:
    """Repeat each element (each slice along `dim`) `repeats` times in place, the copies next to
    each other; over the flattened tensor when dim is None.

    With only a tensor of counts, `repeat_interleave(counts)` gives each index repeated that
    many times.
    """
    if repeats is None:
        counts = _repeat_counts(input, input.numel())
        picks = np.repeat(np.arange(input.numel()), counts)
        return _from_array(backend.array_like(picks, input.array))
    if dim is None:
        input, dim = input.reshape(-1), 0
    dim = wrap_dim(input, dim)
    size = input.shape[dim] if input.ndim else 1
    if isinstance(repeats, Tensor):
        counts = _repeat_counts(repeats, size)
    else:
        if repeats < 0:
            raise RuntimeError(f"repeat_interleave: repeats must be non-negative, got {repeats}")
        counts = np.full(size, int(repeats))
    picks = np.repeat(np.arange(size), counts)
    if output_size is not None and output_size != len(picks):
        raise RuntimeError(
            f"repeat_interleave: output_size {output_size} does not match the required size "
            f"{len(picks)}"
        )
    return input.reshape(-1)[picks] if input.ndim == 0 else input[(slice(None),) * dim + (picks,)]


def _repeat_counts(repeats: Tensor, size: int) -> np.ndarray:
    # On the host: the result's size depends on the counts.
    counts = backend.to_numpy(repeats.array)
    if counts.dtype.kind not in "iu":
        raise RuntimeError(
            f"repeat_interleave: repeats must be an integer tensor, got {counts.dtype}"
        )
    if counts.ndim > 1:
        raise RuntimeError(f"repeat_interleave: repeats must be 0-d or 1-d, got {counts.ndim}-d")
    if counts.size == 1:
        counts = np.full(size, counts.reshape(-1)[0])
    elif counts.size != size:
        raise RuntimeError(
            "repeat_interleave: repeats must have the same size as input along dim, but got "
            f"repeats.size(0) = {counts.size} and input.size(0) = {size}"
        )
    if (counts < 0).any():
        raise RuntimeError("repeat_interleave: repeats can not be negative")
    return counts


# ----- triangles and diagonals -----


def _triangle(input: Tensor, diagonal: int, op: str, lower: bool) -> Tensor:
    if input.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions")
    rows, cols = input.shape[-2:]
    xp = array_module(input.array)
    keep = xp.tri(rows, cols, diagonal, dtype=bool)
    if not lower:
        keep = ~xp.tri(rows, cols, diagonal - 1, dtype=bool)
    zero = _from_array(xp.zeros((), input.array.dtype))
    return E.Where.apply(input, zero, condition=keep)


@tensor_method
def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dims: elements above the `diagonal`-th diagonal become
    zero."""
    return _triangle(input, diagonal, "tril", lower=True)


@tensor_method
def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dims: elements below the `diagonal`-th diagonal become
    zero."""
    return _triangle(input, diagonal, "triu", lower=False)


inplace(tril)
inplace(triu)


def _diagonal_dims(input: Tensor, dim1: int, dim2: int, ndim: int) -> tuple[int, int]:
    first, second = wrap_dim(input, dim1, ndim), wrap_dim(input, dim2, ndim)
    if first == second:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return first, second


def _diagonal_positions(length: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
    # (rows, cols) of the `offset`-th diagonal: above the main one for offset > 0.
    steps = np.arange(length)
    return steps + max(-offset, 0), steps + max(offset, 0)


@tensor_method
def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The `offset`-th diagonal of the (dim1, dim2) planes as the last dimension (a view)."""
    first, second = _diagonal_dims(input, dim1, dim2, input.ndim)
    result = S.Diagonal.apply(input, offset=offset, axis1=first, axis2=second)
    if result._base is input and {first, second} == {input.ndim - 2, input.ndim - 1}:
        # The same elements as an index, so an in-place change of the view inside a graph can
        # write through to the input (the tensor's view mechanism needs one).
        rows, cols = _diagonal_positions(result.shape[-1], offset)
        pair = (rows, cols) if first < second else (cols, rows)
        result._view_index = (Ellipsis, *pair)
    return result


@tensor_method
def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices with the last dimension of input on their `offset`-th diagonal, in the (dim1,
    dim2) planes of the result (zeros elsewhere)."""
    first, second = _diagonal_dims(input, dim1, dim2, input.ndim + 1)
    length = input.shape[-1]
    side = length + abs(offset)
    xp = array_module(input.array)
    zeros = _from_array(xp.zeros((*input.shape[:-1], side, side), input.array.dtype))
    rows, cols = _diagonal_positions(length, offset)
    planes = S.SetItem.apply(zeros, input, index=(Ellipsis, rows, cols))
    if (first, second) == (input.ndim - 1, input.ndim):
        return planes
    return movedim(planes, (-2, -1), (first, second))


@tensor_method
def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A vector to a square matrix with it on the `diagonal`-th diagonal, or a matrix to (a copy
    of) that diagonal."""
    if input.ndim == 1:
        return diag_embed(input, diagonal)
    if input.ndim == 2:
        return S.Diagonal.apply(input, offset=diagonal, axis1=0, axis2=1).clone()
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """A square matrix with the flattened input on its `offset`-th diagonal."""
    return diag_embed(input.reshape(-1), offset)


def _triangle_indices(row: int, col: int, offset: int, dtype, device, lower: bool) -> Tensor:
    found = np.tril_indices(row, offset, col) if lower else np.triu_indices(row, offset, col)
    found = np.stack(found).astype(dtypes.to_numpy_dtype(dtype or np.int64))
    return _from_array(backend.to_device(found, backend.resolve_device(device)))


def tril_indices(
    row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None
) -> Tensor:
    """The (row, column) positions of the lower triangle of a row x col matrix, as a (2, n)
    tensor, row by row."""
    return _triangle_indices(row, col, offset, dtype, device, lower=True)


def triu_indices(
    row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None
) -> Tensor:
    """The (row, column) positions of the upper triangle of a row x col matrix, as a (2, n)
    tensor, row by row."""
    return _triangle_indices(row, col, offset, dtype, device, lower=False)


def _diagonal_filled(input: Tensor, fill_value, wrap: bool) -> Tensor:
    shape = input.shape
    if input.ndim < 2:
        raise RuntimeError("fill_diagonal_: dimensions must larger than 1")
    if input.ndim > 2 and len(set(shape)) != 1:
        raise RuntimeError("fill_diagonal_: all dimensions of input must be of equal length")
    # Positions in the flattened tensor: consecutive diagonal elements are `step` apart, and a
    # tall matrix either stops after the square block or (wrap) starts over below it.
    step = 1 + sum(math.prod(shape[k + 1 :]) for k in range(input.ndim - 1))
    end = input.numel() if wrap and input.ndim == 2 else min(shape) * step - step + 1
    positions = np.arange(0, max(end, 0), step)
    value = _from_array(np.asarray(fill_value, dtype=input.array.dtype))
    return S.SetItem.apply(input.reshape(-1), value, index=positions).reshape(shape)


@tensor_method
def fill_diagonal_(input: Tensor, fill_value, wrap: bool = False) -> Tensor:
    """Fill the main diagonal (all indices equal) with a value, in place; `wrap` continues below
    the square part of a tall matrix."""
    return input._inplace("fill_diagonal_", _diagonal_filled, fill_value, wrap)


@tensor_method
def trace(input: Tensor) -> Tensor:
    """The sum of the main diagonal of a matrix (int64 for integer input)."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    if input.array.dtype == np.bool_:
        raise RuntimeError("trace: not implemented for bool tensors")
    return S.Diagonal.apply(input, offset=0, axis1=0, axis2=1).sum()


# ----- moving and splitting dimensions -----


@tensor_method
def movedim(input: Tensor, source, destination) -> Tensor:
    """Move the dims in `source` to the positions in `destination`; the others keep their
    order."""
    source = [source] if isinstance(source, int) else list(source)
    destination = [destination] if isinstance(destination, int) else list(destination)
    if len(source) != len(destination):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({source} dims) should contain "
            f"the same number of dims as destination ({destination} dims)"
        )
    moved = [wrap_dim(input, d) for d in source]
    places = [wrap_dim(input, d) for d in destination]
    for name, found in (("source", moved), ("destination", places)):
        if len(set(found)) != len(found):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({found})")
    order = [d for d in range(input.ndim) if d not in moved]
    for place, d in sorted(zip(places, moved)):
        order.insert(place, d)
    return input.permute(order) if input.ndim else input


moveaxis = movedim
Tensor.moveaxis = movedim


@tensor_method
def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Split dimension `dim` into several of the given sizes (one may be -1)."""
    if input.ndim == 0:
        raise RuntimeError("unflatten: dimension specified as 0 but tensor has no dimensions")
    dim = wrap_dim(input, dim)
    sizes = tuple(int(n) for n in sizes)
    known = math.prod(n for n in sizes if n != -1)
    length = input.shape[dim]
    if -1 in sizes:
        wrong = sizes.count(-1) > 1 or known == 0 or length % known
    else:
        wrong = known != length
    if wrong:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({length}) in the input tensor"
        )
    shape = tuple(input.shape)
    return input.reshape(shape[:dim] + sizes + shape[dim + 1 :])


# ----- broadcasting -----


def broadcast_shapes(*shapes) -> Size:
    """The shape that tensors of the given shapes broadcast to (an int means a 1-d shape)."""
    found = [(int(s),) if isinstance(s, int | np.integer) else tuple(s) for s in shapes]
    if any(n < 0 for shape in found for n in shape):
        raise ValueError(
            "broadcast_shapes: attempting to broadcast a dimension with negative length"
        )
    try:
        return Size(np.broadcast_shapes(*found))
    except ValueError:
        raise RuntimeError(
            f"broadcast_shapes: shapes {[list(s) for s in found]} cannot be broadcast together"
        ) from None


def broadcast_to(input: Tensor, size: Sequence[int]) -> Tensor:
    """Broadcast to a larger shape without copying (a view)."""
    return input.expand(size)


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """The tensors expanded to their common broadcast shape (views)."""
    tensors = tensor_list(tensors)
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.expand(shape) for t in tensors)


def meshgrid(*tensors: Tensor, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids from 1-d tensors: with indexing 'ij' (the default) the i-th output varies
    along dimension i; with 'xy' the first two dimensions are swapped (NumPy's default)."""
    tensors = tensor_list(tensors)
    indexing = indexing or "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f"meshgrid: indexing must be one of 'xy' or 'ij', but received: {indexing}"
        )
    if len({t.array.dtype for t in tensors}) > 1:
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(
                f"meshgrid: expected 0D or 1D tensors in the tensor list but got {t.ndim}D"
            )
    axes = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) > 1:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(tensors)
    for axis, t in zip(axes, tensors):
        shape[axis] = t.numel()
    grids = []
    for axis, t in zip(axes, tensors):
        line = [1] * len(tensors)
        line[axis] = -1
        grids.append(t.reshape(line).expand(shape))
    return tuple(grids)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """All combinations of one element from each 1-d tensor, one per row (a single tensor comes
    back as it is)."""
    tensors = tensor_list(tensors)
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"cartesian_prod: expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    return stack([g.reshape(-1) for g in meshgrid(*tensors, indexing="ij")], dim=1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """All length-r combinations of the elements of a 1-d tensor, one per row, in
    itertools.combinations' order."""
    if input.ndim != 1:
        raise RuntimeError(f"combinations: expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"combinations: expect a non-negative number, but got {r}")
    if r == 0:
        return input[:0].clone()
    choose = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    flat = np.fromiter(itertools.chain.from_iterable(choose(range(input.numel()), r)), np.int64)
    return input[flat.reshape(-1, r)]


# ----- making dimensions and stacking -----


def _raised(tensors, rank: int, shape_for) -> tuple[Tensor, ...]:
    # Each tensor with fewer than `rank` dims reshaped to shape_for(its shape).
    return tuple(t if t.ndim >= rank else t.reshape(shape_for(tuple(t.shape))) for t in tensors)


def _one_or_many(tensors: tuple, found: tuple[Tensor, ...]) -> Tensor | tuple[Tensor, ...]:
    return found[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else found


def _shape_1d(shape: tuple) -> tuple:
    return (1,)


def _shape_2d(shape: tuple) -> tuple:
    return (1,) * (2 - len(shape)) + shape


def _shape_3d(shape: tuple) -> tuple:
    return (1, 1, 1) if not shape else (1, *shape, 1) if len(shape) == 1 else (*shape, 1)


def atleast_1d(*tensors: Tensor) -> Tensor | tuple[Tensor, ...]:
    """Each tensor with at least one dimension (a 0-d tensor becomes shape (1,))."""
    return _one_or_many(tensors, _raised(tensor_list(tensors), 1, _shape_1d))


def atleast_2d(*tensors: Tensor) -> Tensor | tuple[Tensor, ...]:
    """Each tensor with at least two dimensions (ones added in front)."""
    return _one_or_many(tensors, _raised(tensor_list(tensors), 2, _shape_2d))


def atleast_3d(*tensors: Tensor) -> Tensor | tuple[Tensor, ...]:
    """Each tensor with at least three dimensions: (n,) becomes (1, n, 1), (m, n) becomes
    (m, n, 1)."""
    return _one_or_many(tensors, _raised(tensor_list(tensors), 3, _shape_3d))


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join horizontally: along dimension 1, or 0 when all are vectors."""
    found = _raised(tensors, 1, _shape_1d)
    return cat(found, 0 if all(t.ndim == 1 for t in found) else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join vertically: vectors become rows, then all are joined along dimension 0."""
    return cat(_raised(tensors, 2, _shape_2d), 0)


row_stack = vstack


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along the third dimension (depth), after making each at least 3-d."""
    return cat(_raised(tensors, 3, _shape_3d), 2)


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """Join as columns: scalars and vectors become columns, then all are joined along
    dimension 1."""
    return cat([t.reshape(t.numel(), 1) if t.ndim < 2 else t for t in tensors], 1)


def block_diag(*tensors: Tensor) -> Tensor:
    """A block-diagonal matrix with the given matrices (scalars and vectors as one row) on its
    diagonal, zeros elsewhere."""
    blocks = []
    for position, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(
                "block_diag: Input tensors must have 2 or fewer dimensions. Input "
                f"{position} has {t.ndim} dimensions"
            )
        blocks.append(t.reshape(1, -1) if t.ndim < 2 else t)
    if not blocks:
        return _from_array(np.zeros((1, 0), dtypes.default_float_numpy()))
    width = sum(b.shape[1] for b in blocks)
    rows, start = [], 0
    for b in blocks:
        rows.append(pad(b, ((0, 0), (start, width - start - b.shape[1]))))
        start += b.shape[1]
    return cat(rows, 0)


__all__ = [
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "block_diag",
    "broadcast_shapes",
    "broadcast_tensors",
    "broadcast_to",
    "cartesian_prod",
    "column_stack",
    "combinations",
    "diag",
    "diag_embed",
    "diagflat",
    "diagonal",
    "dsplit",
    "dstack",
    "flip",
    "fliplr",
    "flipud",
    "hsplit",
    "hstack",
    "meshgrid",
    "moveaxis",
    "movedim",
    "narrow",
    "repeat_interleave",
    "roll",
    "rot90",
    "row_stack",
    "select",
    "tensor_split",
    "tile",
    "trace",
    "tril",
    "tril_indices",
    "triu",
    "triu_indices",
    "unbind",
    "unflatten",
    "vsplit",
    "vstack",
]
