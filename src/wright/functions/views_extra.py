"""More of PyTorch's view surface: in-place shape changes (`x.squeeze_()`, `x.t_()`), the
`*_copy` forms of the view functions (a view's values in new memory), the `*_scatter` functions
(the inverse of a view: a copy of the input with src written into that view), index_reduce, and
the legacy constructors `x.new(...)` and `x.new_empty_strided(...)`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wright import autograd, backend, dtypes
from wright.functions.indexing import _as_1d, _check_bounds, _index, _source_checks, _vector
from wright.functions.pointwise import inplace
from wright.functions.shaping import (
    _diagonal_dims,
    _diagonal_positions,
    diagonal,
    movedim,
    narrow,
    select,
    unbind,
    unfold,
    wrap_dim,
)
from wright.ops import shape as S
from wright.ops import strided as Strided
from wright.tensor import Size, Tensor, _from_array, _shape_args, split, tensor_method

# ----- in-place shape changes -----


def _reshaped_in_place(self: Tensor, op: str, view: Tensor) -> Tensor:
    # The tensor takes the view's shape and strides over the same memory, and its place in the
    # graph (the view's node); PyTorch counts this as an in-place change.
    if self._requires_grad and self._ctx is None and autograd.is_grad_enabled():
        raise RuntimeError(
            f"{op}: a leaf tensor that requires grad is being used in an in-place operation; "
            "do it inside `with wright.no_grad():` or on a clone()"
        )
    self.array = view.array
    if view._ctx is not None:
        self._ctx = view._ctx
    # An index into the base no longer describes the new shape: in-place value changes of this
    # tensor inside a graph then raise instead of writing through a stale index.
    self._view_index = None
    self._version_counter[0] += 1
    return self


def squeeze_(self: Tensor, dim=None) -> Tensor:
    """In-place form of `squeeze`: remove dimensions of size 1 (only `dim` when given)."""
    return _reshaped_in_place(self, "squeeze_", self.squeeze(dim))


def unsqueeze_(self: Tensor, dim: int) -> Tensor:
    """In-place form of `unsqueeze`: insert a dimension of size 1 at `dim`."""
    return _reshaped_in_place(self, "unsqueeze_", self.unsqueeze(dim))


def t_(self: Tensor) -> Tensor:
    """In-place form of `t`: transpose a matrix."""
    return _reshaped_in_place(self, "t_", self.t())


def transpose_(self: Tensor, dim0: int, dim1: int) -> Tensor:
    """In-place form of `transpose`: swap two dimensions."""
    return _reshaped_in_place(self, "transpose_", self.transpose(dim0, dim1))


for _method in (squeeze_, unsqueeze_, t_, transpose_):
    setattr(Tensor, _method.__name__, _method)
Tensor.swapaxes_ = Tensor.swapdims_ = transpose_


# ----- splitting and summing to a shape -----


@tensor_method
def split_with_sizes(input: Tensor, split_sizes: Sequence[int], dim: int = 0) -> tuple:
    """Split along `dim` into pieces of the listed sizes (they must add up to the dim's size)."""
    if isinstance(split_sizes, int):
        raise TypeError("split_with_sizes(): argument 'split_sizes' must be a sequence of ints")
    return split(input, list(split_sizes), wrap_dim(input, dim))


def sum_to_size(self: Tensor, *size) -> Tensor:
    """Sum over the dimensions that broadcasting `size` to this shape would stretch, giving a
    tensor of `size` (this tensor itself when it already has that shape)."""
    size = _shape_args(size)
    shape = tuple(self.shape)
    lead = len(shape) - len(size)
    if lead < 0 or any(n not in (1, shape[lead + i]) for i, n in enumerate(size)):
        raise RuntimeError(f"size {list(size)} is not expandable to size {list(shape)}.")
    if size == shape:
        return self
    stretched = tuple(lead + i for i, n in enumerate(size) if n == 1 and shape[lead + i] != 1)
    summed = self.sum(tuple(range(lead)) + stretched, keepdim=True) if lead or stretched else self
    return summed.reshape(size)


Tensor.sum_to_size = sum_to_size


# ----- new memory for a view's values -----


def _copied(found):
    if isinstance(found, tuple | list):
        return tuple(piece.clone() for piece in found)
    return found.clone()


def view_copy(input: Tensor, size) -> Tensor:
    """`input.view(size)` (or a dtype's reinterpretation) in new memory."""
    return _copied(input.view(size))


def permute_copy(input: Tensor, dims: Sequence[int]) -> Tensor:
    """`input.permute(dims)` in new memory."""
    return _copied(input.permute(dims))


def t_copy(input: Tensor) -> Tensor:
    """`input.t()` in new memory."""
    return _copied(input.t())


def transpose_copy(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """`input.transpose(dim0, dim1)` in new memory."""
    return _copied(input.transpose(dim0, dim1))


def unsqueeze_copy(input: Tensor, dim: int) -> Tensor:
    """`input.unsqueeze(dim)` in new memory."""
    return _copied(input.unsqueeze(dim))


def squeeze_copy(input: Tensor, dim=None) -> Tensor:
    """`input.squeeze(dim)` in new memory."""
    return _copied(input.squeeze(dim))


def expand_copy(input: Tensor, size: Sequence[int], *, implicit: bool = False) -> Tensor:
    """`input.expand(size)` in new memory (every element its own)."""
    return _copied(input.expand(size))


def diagonal_copy(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """`input.diagonal(offset, dim1, dim2)` in new memory."""
    return _copied(diagonal(input, offset, dim1, dim2))


def unbind_copy(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """`input.unbind(dim)`, each slice in new memory."""
    return _copied(unbind(input, dim))


def split_copy(input: Tensor, split_size: int | Sequence[int], dim: int = 0) -> tuple:
    """`input.split(split_size, dim)`, each piece in new memory."""
    return _copied(split(input, split_size, dim))


def split_with_sizes_copy(input: Tensor, split_sizes: Sequence[int], dim: int = 0) -> tuple:
    """`input.split_with_sizes(split_sizes, dim)`, each piece in new memory."""
    return _copied(split_with_sizes(input, split_sizes, dim))


@tensor_method
def narrow_copy(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """`input.narrow(dim, start, length)` in new memory."""
    return _copied(narrow(input, dim, start, length))


def select_copy(input: Tensor, dim: int, index: int) -> Tensor:
    """`input.select(dim, index)` in new memory."""
    return _copied(select(input, dim, index))


def _slice_index(input: Tensor, dim: int, start, end, step: int) -> tuple:
    if input.ndim == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    return (slice(None),) * wrap_dim(input, dim) + (slice(start, end, step),)


def slice_copy(input: Tensor, dim: int = 0, start=None, end=None, step: int = 1) -> Tensor:
    """`input[..., start:end:step, ...]` (along `dim`) in new memory."""
    return _copied(input[_slice_index(input, dim, start, end, step)])


def unfold_copy(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """`input.unfold(dimension, size, step)` in new memory."""
    return _copied(unfold(input, dimension, size, step))


def alias_copy(input: Tensor) -> Tensor:
    """A copy of input (the graph kept)."""
    return input.clone()


def detach_copy(input: Tensor) -> Tensor:
    """A copy of input, cut off from the graph."""
    return input.detach().clone()


# ----- writing into a view of a copy -----


def _scatter_into(op: str, input: Tensor, src: Tensor, index) -> Tensor:
    expected = S.items_shape(input.array.shape, index)
    if tuple(src.shape) != expected:
        raise RuntimeError(
            f"{op}: expected src to have a size equal to the slice of self. src size = "
            f"{list(src.shape)}, slice size = {list(expected)}"
        )
    return S.SetItem.apply(input, src._cast(input.array.dtype), index=index)


@tensor_method
def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """A copy of input with src written into `input.select(dim, index)`."""
    select(input, dim, index)  # PyTorch's checks of dim and index
    dim = wrap_dim(input, dim)
    return _scatter_into("select_scatter", input, src, (slice(None),) * dim + (int(index),))


@tensor_method
def slice_scatter(
    input: Tensor, src: Tensor, dim: int = 0, start=None, end=None, step: int = 1
) -> Tensor:
    """A copy of input with src written into the slice start:end:step along `dim`."""
    index = _slice_index(input, dim, start, end, step)
    return _scatter_into("slice_scatter", input, src, index)


@tensor_method
def diagonal_scatter(
    input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1
) -> Tensor:
    """A copy of input with src written into `input.diagonal(offset, dim1, dim2)`."""
    first, second = _diagonal_dims(input, dim1, dim2, input.ndim)
    # With the two dims last, the diagonal is one advanced index at the end, shaped as
    # diagonal() gives it.
    planes = movedim(input, (first, second), (-2, -1))
    rows, columns = planes.shape[-2:]
    length = max(min(rows + min(offset, 0), columns - max(offset, 0)), 0)
    index = (Ellipsis, *_diagonal_positions(length, offset))
    written = _scatter_into("diagonal_scatter", planes, src, index)
    return movedim(written, (-2, -1), (first, second))


_INDEX_REDUCTIONS = ("prod", "mean", "amax", "amin")


@tensor_method
def index_reduce(
    input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *, include_self=True
) -> Tensor:
    """A copy of input with slice i of source combined into slice index[i] along `dim` by
    'prod', 'mean', 'amax' or 'amin'; include_self=False leaves input's own values out of the
    slices that receive some."""
    if reduce not in _INDEX_REDUCTIONS:
        raise RuntimeError(
            "index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
            f"{reduce}."
        )
    array = _vector("index_reduce", _index("index_reduce", index))
    dim = wrap_dim(input, dim)
    _source_checks("index_reduce", input, dim, array, source)
    _check_bounds("index_reduce", array, (tuple(input.shape) or (1,))[dim], dim, error=IndexError)
    flat, source = _as_1d(input, source)
    # Slice index[i] of the output receives slice i of source: scatter_reduce with the index
    # repeated across the other dims.
    along = [1] * flat.ndim
    along[dim] = -1
    spread = np.broadcast_to(array.reshape(along), source.shape)
    found = S.ScatterReduce.apply(
        flat, source, axis=dim, index=spread, reduce=reduce, include_self=include_self
    )
    return found.reshape(input.shape)


inplace(index_reduce)


# ----- views with any strides -----


@tensor_method
def as_strided(input: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:
    """A view of input's memory with the given sizes, strides and offset (in elements; the
    input's own offset by default). Elements may overlap; nothing checks the bounds beyond the
    memory's size."""
    size, stride = _shape_args((size,)), _shape_args((stride,))
    if len(size) != len(stride):
        raise RuntimeError(
            f"mismatch in length of strides and shape: {len(stride)} strides for {len(size)} dims"
        )
    if any(s < 0 for s in stride):
        raise RuntimeError(
            f"as_strided: Negative strides are not supported at the moment, got strides: "
            f"{list(stride)}"
        )
    memory = Strided.memory_of(input.array)
    offset = (
        Strided.element_offset(input.array, memory) if storage_offset is None else storage_offset
    )
    extent = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if offset + extent > memory.size:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset} "
            f"need {offset + extent} elements, but the memory holds {memory.size}"
        )
    return Strided.AsStrided.apply(input, size=size, stride=stride, offset=offset)


def as_strided_copy(input: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:
    """`as_strided` in new memory."""
    return _copied(as_strided(input, size, stride, storage_offset))


def _as_strided_(self: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:
    """In-place `as_strided`: this tensor becomes the view."""
    return _reshaped_in_place(self, "as_strided_", as_strided(self, size, stride, storage_offset))


Tensor.as_strided_ = _as_strided_


# ----- legacy and strided constructors -----


def strided_empty(size, stride, numpy_dtype: np.dtype) -> np.ndarray:
    """An uninitialised (zero-filled) array of `size` laid out with `stride` (in elements) over
    memory of its own, as torch.empty_strided makes one."""
    size, stride = _shape_args((size,)), _shape_args((stride,))
    if len(size) != len(stride):
        raise RuntimeError(
            f"mismatch in length of strides and shape: {len(stride)} strides for {len(size)} dims"
        )
    if any(s < 0 for s in stride):
        raise RuntimeError(
            f"as_strided: Negative strides are not supported at the moment, got "
            f"strides: {list(stride)}"
        )
    extent = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    memory = np.zeros(extent, numpy_dtype)
    step = memory.itemsize
    return np.lib.stride_tricks.as_strided(
        memory, size, tuple(s * step for s in stride), writeable=True
    )


def new_empty_strided(
    self: Tensor,
    size,
    stride,
    *,
    dtype=None,
    device=None,
    requires_grad: bool = False,
    layout=None,
    pin_memory: bool = False,
) -> Tensor:
    """A new tensor of `size` with the given strides, of this tensor's dtype unless told
    (wright fills it with zeros)."""
    backend.resolve_device(device)
    numpy_dtype = self.array.dtype if dtype is None else dtypes.to_numpy_dtype(dtype)
    made = _from_array(strided_empty(size, stride, numpy_dtype))
    made.requires_grad_(requires_grad)
    return made


def new(self: Tensor, *args, device=None) -> Tensor:
    """PyTorch's legacy constructor with this tensor's dtype: `x.new(2, 3)` (sizes, zeros in
    wright), `x.new([1, 2])` (data), `x.new(other)` (the same memory as a tensor of this dtype),
    `x.new()` (empty)."""
    backend.resolve_device(device)
    numpy_dtype = self.array.dtype
    if len(args) == 1 and isinstance(args[0], Tensor):
        if args[0].array.dtype != numpy_dtype:
            raise TypeError(f"new(): expected a tensor of dtype {self.dtype}, got {args[0].dtype}")
        return _from_array(args[0].array)
    if not args or all(isinstance(a, int | np.integer) and not isinstance(a, bool) for a in args):
        return _from_array(np.zeros(tuple(int(a) for a in args) or (0,), numpy_dtype))
    if len(args) == 1 and isinstance(args[0], Size):
        return _from_array(np.zeros(args[0], numpy_dtype))
    if len(args) == 1:
        return _from_array(np.array(getattr(args[0], "array", args[0]), dtype=numpy_dtype))
    raise TypeError(f"new(): expected sizes or data, got {len(args)} arguments")


Tensor.new_empty_strided = new_empty_strided
Tensor.new = new

__all__ = [
    "alias_copy",
    "as_strided",
    "as_strided_copy",
    "detach_copy",
    "diagonal_copy",
    "diagonal_scatter",
    "expand_copy",
    "index_reduce",
    "narrow_copy",
    "permute_copy",
    "select_copy",
    "select_scatter",
    "slice_copy",
    "slice_scatter",
    "split_copy",
    "split_with_sizes",
    "split_with_sizes_copy",
    "squeeze_copy",
    "t_copy",
    "transpose_copy",
    "unbind_copy",
    "unfold_copy",
    "unsqueeze_copy",
    "view_copy",
]
