"""Ops that move values without changing them: reshape, permute, expand, indexing, concatenation,
padding."""

from itertools import accumulate

import numpy as np

from wright import backend
from wright.autograd import Function
from wright.backend import array_module


class Reshape(Function):
    def forward(self, a, shape):
        self.shape = a.shape
        return a.reshape(shape)

    def backward(self, grad):
        return grad.reshape(self.shape)


class Permute(Function):
    def forward(self, a, axes):
        self.inverse = tuple(int(i) for i in np.argsort(axes))
        return array_module(a).transpose(a, axes)

    def backward(self, grad):
        xp = array_module(grad)
        return xp.transpose(grad, self.inverse)


class Expand(Function):
    def forward(self, a, shape):
        xp = array_module(a)
        return xp.broadcast_to(a, shape)

    def backward(self, grad):
        # The engine sums the gradient back over the broadcast axes.
        return grad


def _is_basic(part) -> bool:
    # A Python bool is an int to isinstance, but PyTorch indexes with it as with a 0-d mask.
    return (
        part is None
        or part is Ellipsis
        or (isinstance(part, int | slice | np.integer) and not isinstance(part, bool))
    )


def as_index(index):
    """An index with Tensors and lists turned into arrays, in PyTorch's meaning: a 0-d integer
    tensor counts as an integer, a uint8 tensor as a mask."""
    parts = index if isinstance(index, tuple) else (index,)
    converted = []
    for part in parts:
        if _is_basic(part):
            converted.append(part)
            continue
        array = getattr(part, "array", part)
        if not backend.is_array(array):
            array = np.asarray(array)
        if array.dtype == np.uint8:
            array = array.astype(bool)
        if array.dtype.kind not in "iub":
            if array.size == 0 and array.dtype.kind == "f":
                array = array.astype(np.int64)
            else:
                raise IndexError(
                    "tensors used as indices must be long, int, byte or bool tensors, got "
                    f"{array.dtype}"
                )
        converted.append(int(array) if array.ndim == 0 and array.dtype.kind in "iu" else array)
    if isinstance(index, tuple) or converted[0] is None:
        # A lone None stays in a tuple: a view's index of None would read as "no index".
        return tuple(converted)
    return converted[0]


def _numpy_index(index, ndim: int):
    """NumPy's index for PyTorch's meaning of `index`, or a pair (basic, advanced) to apply one
    after the other.

    The two differ only when integers and index arrays are mixed: PyTorch applies the integers
    first (removing their dimensions), then the arrays; NumPy treats integers as arrays too, which
    can move the result's dimensions (x[0, :, idx] has shape (4, 2) in PyTorch, (2, 4) in NumPy
    for x of shape (3, 4, 5) and two indices).
    """
    parts = index if isinstance(index, tuple) else (index,)
    if all(_is_basic(p) for p in parts):
        return index
    if any(p is Ellipsis for p in parts):
        # Spelled out, because NumPy counts an ellipsis between two index arrays as separating
        # them (which moves the result's dimensions) even when it stands for no dimension.
        consumed = sum(
            p.ndim if backend.is_array(p) and p.dtype == np.bool_ else int(p is not None)
            for p in parts
            if p is not Ellipsis
        )
        spelled: list = []
        for p in parts:
            spelled += [slice(None)] * (ndim - consumed) if p is Ellipsis else [p]
        parts = index = tuple(spelled)
    if not any(isinstance(p, int | np.integer) for p in parts):
        return index
    first: list = []
    second: list = []
    for part in parts:
        if isinstance(part, int | np.integer):
            first.append(part)
        elif isinstance(part, slice) or part is None:
            first.append(part)
            second.append(slice(None))
        elif part.dtype == np.bool_:
            first += [slice(None)] * part.ndim
            second.append(part)
        else:
            first.append(slice(None))
            second.append(part)
    return _Split((tuple(first), tuple(second)))


class _Split(tuple):
    """A (basic, advanced) pair of indices applied one after the other."""

    def basic(self, array):
        # The view the advanced part applies to (a 0-d view rather than NumPy's scalar copy
        # when the basic part picks one element).
        return array[(*self[0], Ellipsis)]


def get_items(array, index):
    """array[index] with PyTorch's indexing rules."""
    found = _numpy_index(index, array.ndim)
    if isinstance(found, _Split):
        return found.basic(array)[found[1]]
    picked = array[found]
    if not backend.is_array(picked):
        # NumPy gives one element as a scalar (a copy); PyTorch gives a 0-d view of it, which
        # in-place changes write through.
        picked = array[(*found, Ellipsis) if isinstance(found, tuple) else (found, Ellipsis)]
    return picked


def set_items(array, index, value) -> None:
    """array[index] = value, in place, with PyTorch's indexing rules."""
    found = _numpy_index(index, array.ndim)
    if isinstance(found, _Split):
        found.basic(array)[found[1]] = value
    else:
        array[found] = value


def _add_items(array, index, value) -> None:
    # array[index] += value with repeated picks summed (index is a NumPy index here).
    found = _numpy_index(index, array.ndim)
    if isinstance(found, _Split):
        backend.ufunc_at("add", found.basic(array), found[1], value)
    elif backend.is_array(found) and found.dtype.kind in "iu" and found.size:
        _sum_rows(array, found, value)
    else:
        backend.ufunc_at("add", array, found, value)


class GetItem(Function):
    def forward(self, a, index):
        self.shape, self.index = a.shape, index
        return get_items(a, index)

    def backward(self, grad):
        xp = array_module(grad)
        full = xp.zeros(self.shape, dtype=grad.dtype)
        parts = self.index if isinstance(self.index, tuple) else (self.index,)
        if all(_is_basic(p) for p in parts):
            full[self.index] = grad
        else:
            # Integer-array indexing may pick an element twice; the repeats are summed.
            _add_items(full, self.index, grad)
        return full


class SetItem(Function):
    """A copy of `a` with `a[index] = value`; gradients flow to both (none to overwritten parts)."""

    def forward(self, a, value, index):
        self.index = index
        out = a.copy()
        set_items(out, index, value)
        return out

    def backward(self, grad):
        need_a, need_value = self.needs_input_grad
        grad_a = None
        if need_a:
            grad_a = grad.copy()
            set_items(grad_a, self.index, 0)
        return grad_a, (get_items(grad, self.index) if need_value else None)


def _along(index, axis):
    # The full NumPy index that picks index[i, j, k] along `axis` and i, j, k elsewhere.
    xp, ndim = array_module(index), index.ndim
    positions = [
        xp.arange(n).reshape((1,) * i + (n,) + (1,) * (ndim - i - 1))
        for i, n in enumerate(index.shape)
    ]
    positions[axis] = index
    return tuple(positions)


class Gather(Function):
    """out[i][j] = a[index[i][j]][j] along `axis` (PyTorch's gather); index may be smaller than a
    in the other dimensions."""

    def forward(self, a, axis, index):
        self.shape, self.picks = a.shape, _along(index, axis)
        return a[self.picks]

    def backward(self, grad):
        full = array_module(grad).zeros(self.shape, dtype=grad.dtype)
        backend.ufunc_at("add", full, self.picks, grad)
        return full


def _sum_rows(full, rows, grad):
    """full[rows] += grad for rows picked by one integer array (an embedding lookup), repeats
    summed.

    On the CPU, sorting the picks and adding each run of equal rows with one reduceat is several
    times faster than add.at; a GPU adds atomically.
    """
    rows = rows.ravel() % full.shape[0]
    if type(full) is not np.ndarray:
        backend.ufunc_at("add", full, rows, grad.reshape(len(rows), *full.shape[1:]))
        return
    order = np.argsort(rows, kind="stable")
    picked = rows[order]
    starts = np.flatnonzero(np.r_[True, picked[1:] != picked[:-1]])
    grad_rows = grad.reshape(len(rows), *full.shape[1:])[order]
    full[picked[starts]] += np.add.reduceat(grad_rows, starts, axis=0)


class Concatenate(Function):
    def forward(self, *arrays, axis):
        self.axis = axis
        self.bounds = list(accumulate(a.shape[axis] for a in arrays))[:-1]
        return array_module(*arrays).concatenate(arrays, axis=axis)

    def backward(self, grad):
        xp = array_module(grad)
        return tuple(xp.split(grad, self.bounds, axis=self.axis))


class Stack(Function):
    def forward(self, *arrays, axis):
        xp = array_module(*arrays)
        self.axis = axis
        return xp.stack(arrays, axis=axis)

    def backward(self, grad):
        xp = array_module(grad)
        return tuple(xp.moveaxis(grad, self.axis, 0))


class Pad(Function):
    def forward(self, a, pad_width, value):
        xp = array_module(a)
        self.inner = tuple(slice(before, before + n) for (before, _), n in zip(pad_width, a.shape))
        return xp.pad(a, pad_width, constant_values=value)

    def backward(self, grad):
        return grad[self.inner]


def _leading(shape):
    # The block src[:n0, :n1, ...] that a scatter with an index of this shape reads.
    return tuple(slice(0, n) for n in shape)


def items_shape(shape, index):
    """The shape of a[index] (PyTorch's meaning) for an array of this shape, found by indexing a
    stand-in of one-byte elements rather than the data."""
    xp = array_module(*(index if isinstance(index, tuple) else (index,)))
    return get_items(xp.broadcast_to(xp.empty((), np.bool_), shape), index).shape


class Scatter(Function):
    """A copy of `a` with a[index[i][j]][j] = src[i][j] along `axis` (PyTorch's scatter); the
    overwritten elements of `a` get no gradient, src gets the output gradient gathered back."""

    def forward(self, a, src, axis, index):
        self.picks, self.region, self.src_shape = (
            _along(index, axis),
            _leading(index.shape),
            src.shape,
        )
        out = a.copy()
        out[self.picks] = src[self.region]
        return out

    def backward(self, grad):
        xp = array_module(grad)
        need_a, need_src = self.needs_input_grad
        grad_a = grad_src = None
        if need_a:
            grad_a = grad.copy()
            grad_a[self.picks] = 0
        if need_src:
            grad_src = xp.zeros(self.src_shape, grad.dtype)
            grad_src[self.region] = grad[self.picks]
        return grad_a, grad_src


_SCATTER_UFUNCS = {
    "sum": "add",
    "mean": "add",
    "prod": "multiply",
    "amax": "maximum",
    "amin": "minimum",
}


def _reduce_identity(reduce: str, dtype: np.dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    info = np.finfo(dtype) if dtype.kind == "f" else np.iinfo(dtype) if dtype.kind in "iu" else None
    if info is None:
        return reduce == "amin"
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    return info.min if reduce == "amax" else info.max


def scatter_reduced(a, src, picks, reduce: str, include_self: bool):
    """a with src combined into a[picks] by `reduce` (sum, prod, mean, amax, amin), and the count
    of values averaged at each position (for mean, else None)."""
    xp = array_module(a)
    out = a.copy()
    if not include_self:
        out[picks] = _reduce_identity(reduce, a.dtype)
    backend.ufunc_at(_SCATTER_UFUNCS[reduce], out, picks, src)
    if reduce != "mean":
        return out, None
    count = xp.full(a.shape, int(include_self), dtype=np.int64)
    backend.ufunc_at("add", count, picks, 1)
    count = xp.maximum(count, 1)
    # Integer means round down, as PyTorch's do.
    out = out // count if a.dtype.kind in "iub" else (out / count).astype(a.dtype)
    return out, count


class ScatterReduce(Function):
    """PyTorch's scatter_reduce: src combined into a copy of `a` along `axis` at `index` with sum,
    prod, mean, amax or amin, optionally ignoring a's own values where src lands."""

    def forward(self, a, src, axis, index, reduce, include_self):
        self.picks, self.region = _along(index, axis), _leading(index.shape)
        self.reduce, self.include_self, self.src_shape = reduce, include_self, src.shape
        out, self.count = scatter_reduced(a, src[self.region], self.picks, reduce, include_self)
        if reduce in ("prod", "amax", "amin"):
            self.a, self.src, self.out = a, src[self.region], out
        return out

    def backward(self, grad):
        xp = array_module(grad)
        picks, reduce = self.picks, self.reduce
        if reduce == "sum":
            grad_a, grad_part = grad, grad[picks]
        elif reduce == "mean":
            grad_a = (grad / self.count).astype(grad.dtype, copy=False)
            grad_part = grad_a[picks]
        elif reduce == "prod":
            grad_a, grad_part = self._prod_grads(grad, self.a, self.src)
        else:
            a, src = self.a, self.src
            # Ties share the gradient equally. As in PyTorch, an element of `a` equal to the
            # result counts as a tie even when include_self is False.
            value = self.out[picks]
            a_wins, src_wins = a == self.out, src == value
            ties = a_wins.astype(grad.dtype)
            backend.ufunc_at("add", ties, picks, src_wins)
            shared = grad / ties
            grad_a = xp.where(a_wins, shared, 0)
            grad_part = xp.where(src_wins, shared[picks], 0)
        if not self.include_self:
            grad_a = grad_a.copy()
            grad_a[picks] = 0
        grad_src = xp.zeros(self.src_shape, grad.dtype)
        grad_src[self.region] = grad_part
        return grad_a, grad_src

    def _prod_grads(self, grad, a, src):
        # d(product)/d(factor) is the product of the other factors, found without dividing by
        # zero: a's zeros are replaced by ones, and a src element that is the only zero among the
        # src values at its position gets the product of the others computed directly.
        xp = array_module(grad)
        picks = self.picks
        a_ones = xp.where(a == 0, 1, a)
        others, _ = scatter_reduced(a_ones, src, picks, "prod", self.include_self)
        grad_a = grad * others / a_ones
        src_zero = src == 0
        zeros_here = xp.zeros(a.shape, np.int64)
        backend.ufunc_at("add", zeros_here, picks, src_zero)
        lone_zero = src_zero & (zeros_here[picks] == 1)
        without_zero, _ = scatter_reduced(
            a, xp.where(lone_zero, 1, src), picks, "prod", self.include_self
        )
        grad_part = xp.where(
            lone_zero,
            (grad * without_zero)[picks],
            (grad * self.out)[picks] / xp.where(src_zero, 1, src),
        )
        return grad_a, grad_part


class AddItems(Function):
    """A copy of `a` with `value` added at `index` (PyTorch's meaning); repeated picks add up."""

    def forward(self, a, value, index):
        xp = array_module(a)
        self.index = index
        out = a.copy()
        _add_items(out, index, xp.broadcast_to(value, items_shape(a.shape, index)))
        return out

    def backward(self, grad):
        need_a, need_value = self.needs_input_grad
        return (grad if need_a else None), (get_items(grad, self.index) if need_value else None)


class Flip(Function):
    def forward(self, a, axes):
        xp = array_module(a)
        self.axes = axes
        # A copy, as PyTorch's flip is: a view would let in-place changes reach the input.
        return xp.flip(a, axes).copy()

    def backward(self, grad):
        xp = array_module(grad)
        return xp.flip(grad, self.axes)


class Roll(Function):
    def forward(self, a, shifts, axes):
        xp = array_module(a)
        self.shifts, self.axes = shifts, axes
        return xp.roll(a, shifts, axes)

    def backward(self, grad):
        xp = array_module(grad)
        return xp.roll(grad, tuple(-s for s in self.shifts), self.axes)


def writable_diagonal(array, offset: int, axis1: int, axis2: int):
    """NumPy's diagonal view of `array`, writable when the array is (NumPy hands it out
    read-only)."""
    found = array_module(array).diagonal(array, offset, axis1, axis2)
    if type(array) is np.ndarray and array.flags.writeable:
        found.flags.writeable = True
    return found


class Diagonal(Function):
    """The diagonal of the (axis1, axis2) planes as a new last dimension; a view, as in
    PyTorch."""

    def forward(self, a, offset, axis1, axis2):
        self.shape, self.args = a.shape, (offset, axis1, axis2)
        return writable_diagonal(a, offset, axis1, axis2)

    def backward(self, grad):
        xp = array_module(grad)
        full = xp.zeros(self.shape, grad.dtype)
        writable_diagonal(full, *self.args)[...] = grad
        return full


class Unfold(Function):
    """Windows of `size` elements every `step` along `axis`, as a new last dimension: a read-only
    view, since overlapping windows share elements."""

    def forward(self, a, axis, size, step):
        self.shape, self.axis, self.size, self.step = a.shape, axis, size, step
        xp = array_module(a)
        windows = xp.lib.stride_tricks.sliding_window_view(a, size, axis=axis)
        return windows[(slice(None),) * axis + (slice(None, None, step),)]

    def backward(self, grad):
        xp = array_module(grad)
        full = xp.zeros(self.shape, grad.dtype)
        count = grad.shape[self.axis]
        place = [slice(None)] * full.ndim
        # One strided add per position in the window; windows that overlap add up.
        for k in range(self.size):
            place[self.axis] = slice(k, k + self.step * (count - 1) + 1, self.step)
            full[tuple(place)] += grad[..., k]
        return full
