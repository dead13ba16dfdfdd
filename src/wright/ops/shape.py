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


def _is_basic_index(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, int | slice | np.integer) for p in parts)


class GetItem(Function):
    def forward(self, a, index):
        self.shape, self.dtype, self.index = a.shape, a.dtype, index
        return a[index]

    def backward(self, grad):
        full = np.zeros(self.shape, dtype=grad.dtype)
        if _is_basic_index(self.index):
            full[self.index] = grad
        elif (
            isinstance(self.index, np.ndarray) and self.index.dtype.kind in "iu" and self.index.size
        ):
            _sum_rows(full, self.index, grad)
        else:
            # Integer-array indexing may pick an element twice; add.at sums the repeats.
            np.add.at(full, self.index, grad)
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
