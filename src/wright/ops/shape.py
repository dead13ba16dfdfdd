"""Ops that move values without changing them: reshape, permute, expand, indexing, concatenation,
padding."""

import numpy as np

from wright.autograd import Function


class Reshape(Function):
    def forward(self, a, shape):
        self.shape = a.shape
        return np.reshape(a, shape)

    def backward(self, grad):
        return np.reshape(grad, self.shape)


class Permute(Function):
    def forward(self, a, axes):
        self.inverse = np.argsort(axes)
        return np.transpose(a, axes)

    def backward(self, grad):
        return np.transpose(grad, self.inverse)


class Expand(Function):
    def forward(self, a, shape):
        return np.broadcast_to(a, shape)

    def backward(self, grad):
        # The engine sums the gradient back over the broadcast axes.
        return grad


def _is_basic(part) -> bool:
    return part is None or part is Ellipsis or isinstance(part, int | slice | np.integer)


def as_index(index):
    """An index with Tensors and lists turned into arrays, in PyTorch's meaning: a 0-d integer
    tensor counts as an integer, a uint8 tensor as a mask."""
    parts = index if isinstance(index, tuple) else (index,)
    converted = []
    for part in parts:
        if _is_basic(part) or isinstance(part, bool):
            converted.append(part)
            continue
        array = np.asarray(getattr(part, "array", part))
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
    return (
        converted[0] if not isinstance(index, tuple) and len(converted) == 1 else tuple(converted)
    )


def _numpy_index(index, ndim: int):
    """NumPy's index for PyTorch's meaning of `index`, or a pair (basic, advanced) to apply one
    after the other.

    The two differ only when integers and index arrays are mixed: PyTorch applies the integers
    first (removing their dimensions), then the arrays; NumPy treats integers as arrays too, which
    can move the result's dimensions (x[0, :, idx] has shape (4, 2) in PyTorch, (2, 4) in NumPy
    for x of shape (3, 4, 5) and two indices).
    """
    parts = index if isinstance(index, tuple) else (index,)
    has_int = any(isinstance(p, int | np.integer) and not isinstance(p, bool) for p in parts)
    if not has_int or all(_is_basic(p) for p in parts):
        return index
    consumed = sum(
        p.ndim if isinstance(p, np.ndarray) and p.dtype == np.bool_ else int(p is not None)
        for p in parts
        if p is not Ellipsis
    )
    first: list = []
    second: list = []
    for part in parts:
        if part is Ellipsis:
            rest = [slice(None)] * (ndim - consumed)
            first += rest
            second += rest
        elif isinstance(part, int | np.integer):
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


def get_items(array, index):
    """array[index] with PyTorch's indexing rules."""
    found = _numpy_index(index, array.ndim)
    if isinstance(found, _Split):
        return array[found[0]][found[1]]
    return array[found]


def set_items(array, index, value) -> None:
    """array[index] = value, in place, with PyTorch's indexing rules."""
    found = _numpy_index(index, array.ndim)
    if isinstance(found, _Split):
        array[found[0]][found[1]] = value
    else:
        array[found] = value


def _add_items(array, index, value) -> None:
    # array[index] += value with repeated picks summed (index is a NumPy index here).
    found = _numpy_index(index, array.ndim)
    if isinstance(found, _Split):
        np.add.at(array[found[0]], found[1], value)
    elif isinstance(found, np.ndarray) and found.dtype.kind in "iu" and found.size:
        _sum_rows(array, found, value)
    else:
        np.add.at(array, found, value)


class GetItem(Function):
    def forward(self, a, index):
        self.shape, self.index = a.shape, index
        return get_items(a, index)

    def backward(self, grad):
        full = np.zeros(self.shape, dtype=grad.dtype)
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
    positions = list(np.indices(index.shape, sparse=True))
    positions[axis] = index
    return tuple(positions)


class Gather(Function):
    """out[i][j] = a[index[i][j]][j] along `axis` (PyTorch's gather); index may be smaller than a
    in the other dimensions."""

    def forward(self, a, axis, index):
        self.shape, self.picks = a.shape, _along(index, axis)
        return a[self.picks]

    def backward(self, grad):
        full = np.zeros(self.shape, dtype=grad.dtype)
        np.add.at(full, self.picks, grad)
        return full


def _sum_rows(full, rows, grad):
    """full[rows] += grad for rows picked by one integer array (an embedding lookup), repeats
    summed.

    Sorting the picks and adding each run of equal rows with one reduceat is several times faster
    than add.at.
    """
    rows = rows.ravel() % full.shape[0]
    order = np.argsort(rows, kind="stable")
    picked = rows[order]
    starts = np.flatnonzero(np.r_[True, picked[1:] != picked[:-1]])
    grad_rows = grad.reshape(len(rows), *full.shape[1:])[order]
    full[picked[starts]] = np.add.reduceat(grad_rows, starts, axis=0)


class Concatenate(Function):
    def forward(self, *arrays, axis):
        self.axis = axis
        self.bounds = np.cumsum([a.shape[axis] for a in arrays])[:-1]
        return np.concatenate(arrays, axis=axis)

    def backward(self, grad):
        return tuple(np.split(grad, self.bounds, axis=self.axis))


class Stack(Function):
    def forward(self, *arrays, axis):
        self.axis = axis
        return np.stack(arrays, axis=axis)

    def backward(self, grad):
        return tuple(np.moveaxis(grad, self.axis, 0))


class Pad(Function):
    def forward(self, a, pad_width, value):
        self.inner = tuple(slice(before, before + n) for (before, _), n in zip(pad_width, a.shape))
        return np.pad(a, pad_width, constant_values=value)

    def backward(self, grad):
        return grad[self.inner]
