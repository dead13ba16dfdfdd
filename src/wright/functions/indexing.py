"""Indexing with index tensors: gather and scatter, index_select/add/copy/fill/put, masked ops,
take, nonzero, and their in-place forms (`x.scatter_(...)`, `x.masked_fill_(...)`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wright import backend, dtypes
from wright.backend import array_module
from wright.functions.pointwise import inplace
from wright.functions.shaping import broadcast_shapes, wrap_dim
from wright.ops import elementwise as E
from wright.ops import shape as S
from wright.tensor import Tensor, _from_array, tensor_method

_LONG = (np.dtype(np.int64),)
_INT_OR_LONG = (np.dtype(np.int64), np.dtype(np.int32))


def _index(op: str, index, allowed=_INT_OR_LONG, error: type = RuntimeError) -> np.ndarray:
    # The raw index array, with PyTorch's dtype rule for this op.
    array = index.array if isinstance(index, Tensor) else np.asarray(index)
    if array.dtype not in allowed:
        wanted = " or ".join(str(dtypes.from_numpy_dtype(d)) for d in allowed)
        raise error(f"{op}(): expected an index of dtype {wanted}, got {array.dtype}")
    return array


def _check_bounds(
    op: str,
    index: np.ndarray,
    size: int,
    dim: int,
    *,
    negative: bool = False,
    error: type = RuntimeError,
) -> None:
    if index.size == 0:
        return
    low, high = index.min(), index.max()
    if high >= size or low < (-size if negative else 0):
        bad = high if high >= size else low
        raise error(
            f"{op}(): index {int(bad)} is out of bounds for dimension {dim} with size {size}"
        )


def _same_dtype(op: str, input: Tensor, other: Tensor, what: str = "src") -> None:
    if input.array.dtype != other.array.dtype:
        raise RuntimeError(
            f"{op}(): expected self and {what} to have the same dtype, but got {input.dtype} and "
            f"{other.dtype}"
        )


def _as_1d(*tensors: Tensor) -> list[Tensor]:
    # 0-d operands of the scatter/gather family act as 1-element vectors.
    return [t.reshape(1) if t.ndim == 0 else t for t in tensors]


# ----- gather and scatter -----


def _along_dim_checks(op: str, input: Tensor, dim: int, index: np.ndarray, src=None) -> int:
    """torch's checks for gather/scatter: the dim, index rank and sizes, and index bounds."""
    dim = wrap_dim(input, dim)
    rank = max(input.ndim, 1)
    if max(index.ndim, 1) != rank:
        raise RuntimeError(
            f"{op}(): index tensor must have the same number of dimensions as input tensor "
            f"({index.ndim} vs {input.ndim})"
        )
    index_shape = index.shape or (1,)
    input_shape = tuple(input.shape) or (1,)
    for d, n in enumerate(index_shape):
        if (d != dim and n > input_shape[d]) or (src is not None and n > src[d]):
            raise RuntimeError(
                f"{op}(): size does not match at dimension {d}: expected index {list(index.shape)}"
                f" to be no larger than self {list(input.shape)} apart from dimension {dim}"
                + ("" if src is None else f" and to be no larger than src {list(src)}")
            )
    _check_bounds(op, index, input_shape[dim], dim)
    return dim


@tensor_method
def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """out[i][j] = input[index[i][j]][j] for dim 0 (and alike for other dims): values picked
    along `dim` at the given positions; repeated picks add up in the gradient."""
    array = _index("gather", index)
    dim = _along_dim_checks("gather", input, dim, array)
    (flat,) = _as_1d(input)
    picked = S.Gather.apply(flat, axis=dim, index=array.reshape(array.shape or (1,)))
    return picked.reshape(array.shape)


def _scatter_source(op: str, input: Tensor, index: np.ndarray, src, value) -> Tensor:
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src
    if src is None:
        if value is None:
            raise TypeError(f"{op}(): expected a src tensor or a value")
        xp = array_module(input.array)
        return _from_array(xp.full(index.shape or (1,), value, dtype=input.array.dtype))
    _same_dtype(op, input, src)
    if max(src.ndim, 1) != max(index.ndim, 1):
        raise RuntimeError(
            f"{op}(): index tensor must have the same number of dimensions as src tensor "
            f"({index.ndim} vs {src.ndim})"
        )
    return src


def _scattered(op: str, input: Tensor, dim: int, index, src: Tensor, function, **attrs):
    # The shared path of scatter, scatter_add and scatter_reduce: checks, 0-d operands, the op.
    array = _index(op, index)
    src = _scatter_source(op, input, array, src, attrs.pop("value", None))
    dim = _along_dim_checks(op, input, dim, array, tuple(src.shape) or (1,))
    flat, src = _as_1d(input, src)
    found = function.apply(flat, src, axis=dim, index=array.reshape(array.shape or (1,)), **attrs)
    return found.reshape(input.shape)


@tensor_method
def scatter(
    input: Tensor, dim: int, index: Tensor, src=None, *, value=None, reduce: str | None = None
) -> Tensor:
    """A copy of input with out[index[i][j]][j] = src[i][j] for dim 0 (and alike for other
    dims); src may be a number (`value`). The legacy `reduce` ('add' or 'multiply') combines
    instead of overwriting."""
    if reduce is None:
        return _scattered("scatter", input, dim, index, src, S.Scatter, value=value)
    if reduce not in ("add", "multiply"):
        raise RuntimeError(
            f"scatter(): reduce argument must be either add or multiply, got {reduce!r}"
        )
    combine = "sum" if reduce == "add" else "prod"
    return _scattered(
        "scatter",
        input,
        dim,
        index,
        src,
        S.ScatterReduce,
        value=value,
        reduce=combine,
        include_self=True,
    )


@tensor_method
def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of input with src added at the positions `index` gives along `dim` (repeated
    positions add up)."""
    return scatter_reduce(input, dim, index, src, "sum")


_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


@tensor_method
def scatter_reduce(
    input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *, include_self: bool = True
) -> Tensor:
    """src combined into a copy of input at the positions `index` gives along `dim`, with
    'sum', 'prod', 'mean', 'amax' or 'amin'; include_self=False leaves input's own values out
    where src lands."""
    if reduce not in _REDUCTIONS:
        raise RuntimeError(
            f"scatter_reduce(): reduce argument must be one of {', '.join(_REDUCTIONS)}, got "
            f"{reduce!r}"
        )
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_reduce(): expected src to be a Tensor, got {type(src).__name__}")
    return _scattered(
        "scatter_reduce",
        input,
        dim,
        index,
        src,
        S.ScatterReduce,
        reduce=reduce,
        include_self=include_self,
    )


inplace(scatter)
inplace(scatter_add)
inplace(scatter_reduce)


# ----- index_* along one dimension -----


def _vector(op: str, index: np.ndarray, error: type = IndexError) -> np.ndarray:
    if index.ndim > 1:
        raise error(f"{op}(): index is supposed to be a vector, got {index.ndim} dimensions")
    return index.reshape(-1)


def _along(dim: int, index: np.ndarray):
    # The item index (PyTorch's meaning) for positions `index` along `dim`.
    return index if dim == 0 else (slice(None),) * dim + (index,)


@tensor_method
def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The slices at the given positions along `dim`, in that order (repeats allowed)."""
    array = _vector("index_select", _index("index_select", index))
    dim = wrap_dim(input, dim)
    size = input.shape[dim] if input.ndim else 1
    if array.size and (array.min() < 0 or array.max() >= size):
        # PyTorch's error type differs between the first dimension and the others.
        error = IndexError if dim == 0 else RuntimeError
        raise error(f"index_select(): index out of range in self (size {size} along dim {dim})")
    if input.ndim == 0:
        if array.size != 1:
            raise RuntimeError(
                f"index_select(): index to scalar can have only 1 value, got {array.size} value(s)"
            )
        return input.clone()
    return input[_along(dim, array)]


def _source_checks(op: str, input: Tensor, dim: int, index: np.ndarray, source: Tensor) -> None:
    _same_dtype(op, input, source, "source")
    in_shape, src_shape = tuple(input.shape) or (1,), tuple(source.shape) or (1,)
    if len(in_shape) != len(src_shape) or any(
        a != b for d, (a, b) in enumerate(zip(in_shape, src_shape)) if d != dim
    ):
        raise RuntimeError(
            f"{op}(): source tensor shape must match self tensor shape, excluding the specified "
            f"dimension. Got self.shape = {list(input.shape)} source.shape = {list(source.shape)}"
        )
    if src_shape[dim] != index.size:
        raise RuntimeError(
            f"{op}(): number of indices ({index.size}) should be equal to source.size(dim): "
            f"({src_shape[dim]}), for dim: {dim}"
        )


def _index_update(op: str, input: Tensor, dim: int, index, source, allowed, function, error):
    # The shared path of index_add and index_copy: checks, 0-d operands, the op.
    array = _vector(op, _index(op, index, allowed))
    dim = wrap_dim(input, dim)
    _source_checks(op, input, dim, array, source)
    _check_bounds(op, array, (tuple(input.shape) or (1,))[dim], dim, error=error)
    flat, source = _as_1d(input, source)
    return function.apply(flat, source, index=_along(dim, array)).reshape(input.shape)


@tensor_method
def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:
    """A copy of input with alpha * source[i] added to the slice index[i] along `dim` (repeated
    positions add up)."""
    if alpha != 1:
        source = source * alpha
    return _index_update(
        "index_add", input, dim, index, source, _INT_OR_LONG, S.AddItems, RuntimeError
    )


@tensor_method
def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """A copy of input with the slice index[i] along `dim` replaced by source[i]."""
    return _index_update("index_copy", input, dim, index, source, _LONG, S.SetItem, IndexError)


def _fill_value(op: str, input: Tensor, value) -> Tensor:
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(
                f"{op} only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)."
            )
        return value._cast(input.array.dtype)
    return _from_array(np.asarray(value, dtype=input.array.dtype))


@tensor_method
def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """A copy of input with the slices at the given positions along `dim` set to `value` (a
    number or a 0-d tensor, which then gets the gradient of every filled element once)."""
    array = _vector("index_fill", _index("index_fill", index, _LONG, IndexError), RuntimeError)
    dim = wrap_dim(input, dim)
    size = (tuple(input.shape) or (1,))[dim]
    _check_bounds("index_fill", array, size, dim, negative=True, error=IndexError)
    value = _fill_value("index_fill", input, value)
    (flat,) = _as_1d(input)
    # Each position once: a repeated one would count the value's gradient twice.
    positions = array_module(array).unique(array % max(size, 1))
    return S.SetItem.apply(flat, value, index=_along(dim, positions)).reshape(input.shape)


inplace(index_add)
inplace(index_copy)
inplace(index_fill)


@tensor_method
def index_put(
    input: Tensor, indices: Sequence[Tensor], values: Tensor, accumulate: bool = False
) -> Tensor:
    """A copy of input with input[indices] = values (or += with accumulate, where repeated
    positions add up); `indices` is a tuple of index tensors, as in item indexing."""
    for position, part in enumerate(indices):
        if not isinstance(part, Tensor):
            raise TypeError(
                f"index_put(): expected Tensor as element {position} of indices, but got "
                f"{type(part).__name__}"
            )
    if len(indices) > input.ndim:
        raise IndexError(
            f"too many indices for tensor of dimension {input.ndim} (got {len(indices)})"
        )
    if input.array.dtype != values.array.dtype:
        raise RuntimeError(
            "index_put(): requires the source and destination dtypes match, got "
            f"{input.dtype} for the destination and {values.dtype} for the source."
        )
    item = S.as_index(tuple(indices))
    target = S.items_shape(input.shape, item)
    try:
        fits = np.broadcast_shapes(values.shape, target) == target
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(values.shape)} cannot be broadcast to "
            f"indexing result of shape {list(target)}"
        )
    op = S.AddItems if accumulate else S.SetItem
    return op.apply(input, values, index=item)


index_put_ = inplace(index_put)


@tensor_method
def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of input with the elements at `index` (positions in the flattened tensor) set to
    source's elements (added with accumulate)."""
    array = _index("put", index, _LONG)
    _same_dtype("put", input, source, "source")
    if array.size != source.numel():
        raise IndexError(
            "put(): expected source and index to have the same number of elements, but got "
            f"source.numel() = {source.numel()}, index.numel() = {array.size}"
        )
    _check_bounds("put", array, input.numel(), 0, negative=True, error=IndexError)
    flat = input.reshape(-1)
    positions = _from_array(array.reshape(-1))
    return index_put(flat, (positions,), source.reshape(-1), accumulate).reshape(input.shape)


inplace(put)


# ----- masks -----


def _mask(op: str, mask: Tensor, input: Tensor):
    # A mask on input's device (data that is not a tensor is copied there).
    if isinstance(mask, Tensor):
        array = backend.same_device((mask.array, input.array), op)[0]
    else:
        array = backend.array_like(np.asarray(mask), input.array)
    if array.dtype != np.bool_:
        raise RuntimeError(
            f"{op} only supports boolean masks, but got mask with dtype {array.dtype}"
        )
    return array


@tensor_method
def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """A copy of input with `value` (a number or a 0-d tensor) where mask is True; mask and input
    broadcast together."""
    condition = _mask("masked_fill", mask, input)
    value = _fill_value("masked_fill", input, value)
    return E.Where.apply(value, input, condition=condition)


@tensor_method
def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements where mask is True, as a 1-d tensor (mask and input broadcast together)."""
    condition = _mask("masked_select", mask, input)
    shape = broadcast_shapes(input.shape, condition.shape)
    return input.expand(shape)[array_module(condition).broadcast_to(condition, shape)]


@tensor_method
def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """A copy of input with the positions where mask is True filled, in order, by source's
    leading elements."""
    condition = _mask("masked_scatter", mask, input)
    _same_dtype("masked_scatter", input, source, "source")
    shape = broadcast_shapes(input.shape, condition.shape)
    condition = array_module(condition).broadcast_to(condition, shape)
    count = int(condition.sum())
    if source.numel() < count:
        raise RuntimeError(
            f"masked_scatter(): number of elements of source ({source.numel()}) < number of ones "
            f"in mask ({count})"
        )
    return S.SetItem.apply(input.expand(shape), source.reshape(-1)[:count], index=condition)


inplace(masked_fill)
inplace(masked_scatter)


# ----- positions -----


@tensor_method
def nonzero(input: Tensor, *, as_tuple: bool = False) -> Tensor | tuple[Tensor, ...]:
    """The positions of the non-zero elements: an (n, ndim) int64 tensor, or with as_tuple one
    1-d tensor per dimension."""
    array = input.array
    xp = array_module(array)
    if as_tuple:
        return tuple(
            _from_array(p) for p in xp.nonzero(array.reshape(-1) if array.ndim == 0 else array)
        )
    if array.ndim == 0:
        return _from_array(xp.zeros((int(array != 0), 0), np.int64))
    return _from_array(xp.argwhere(array).astype(np.int64))


@tensor_method
def argwhere(input: Tensor) -> Tensor:
    """The positions of the non-zero elements as an (n, ndim) int64 tensor."""
    return nonzero(input)


@tensor_method
def take(input: Tensor, index: Tensor) -> Tensor:
    """Elements of the flattened input at the given positions, in index's shape (negative
    positions count from the end)."""
    array = _index("take", index, _LONG)
    size = input.numel()
    if array.size and size == 0:
        raise IndexError("take(): tried to take from an empty tensor")
    if array.size and (array.min() < -size or array.max() >= size):
        bad = array.max() if array.max() >= size else array.min()
        raise IndexError(
            f"take(): out of range: tried to access index {bad} on a tensor of {size} elements."
        )
    picked = S.GetItem.apply(input.reshape(-1), index=array.reshape(-1))
    return picked.reshape(array.shape)


@tensor_method
def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """Values at the given positions along `dim` (of the flattened input when dim is None);
    input and indices broadcast in the other dims."""
    array = _index("take_along_dim", indices, _LONG)
    if dim is None:
        input, array, dim = input.reshape(-1), array.reshape(-1), 0
    if input.ndim != array.ndim:
        raise RuntimeError(
            "take_along_dim(): input and indices should have the same number of dimensions, "
            f"but got {input.ndim} dimensions for input, and {array.ndim} dimensions for indices"
        )
    dim = wrap_dim(input, dim)
    size = (tuple(input.shape) or (1,))[dim]
    _check_bounds("take_along_dim", array, size, dim, negative=True, error=IndexError)
    shape = list(
        broadcast_shapes(
            *(s[:dim] + (1,) + s[dim + 1 :] for s in (tuple(input.shape), array.shape))
        )
    )
    if input.ndim:
        input = input.expand(shape[:dim] + [input.shape[dim]] + shape[dim + 1 :])
        array = array_module(array).broadcast_to(
            array, shape[:dim] + [array.shape[dim]] + shape[dim + 1 :]
        )
    return gather(input, dim, _from_array(array % max(size, 1)))


__all__ = [
    "argwhere",
    "gather",
    "index_add",
    "index_copy",
    "index_fill",
    "index_put",
    "index_put_",
    "index_select",
    "masked_fill",
    "masked_scatter",
    "masked_select",
    "nonzero",
    "put",
    "scatter",
    "scatter_add",
    "scatter_reduce",
    "take",
    "take_along_dim",
]
