"""as_strided: a view of a tensor's memory with any sizes, strides and offset, and its gradient
(each memory element's gradient is the sum over the view's elements that read it)."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from wright.autograd import Function


def memory_of(array: np.ndarray) -> np.ndarray:
    """The 1-D array over all the memory `array` views (the array that owns it, flattened)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array.reshape(-1)


def element_offset(array: np.ndarray, memory: np.ndarray) -> int:
    """Where array's first element lies in memory, in elements."""
    start = array.__array_interface__["data"][0]
    return (start - memory.__array_interface__["data"][0]) // array.itemsize


def _positions(memory_size: int, size, stride, offset: int) -> np.ndarray:
    # The memory index each element of the view reads.
    indices = np.arange(memory_size, dtype=np.int64)
    step = indices.itemsize
    return as_strided(indices[offset:], size, tuple(s * step for s in stride))


class AsStrided(Function):
    def forward(self, a, size, stride, offset):
        memory = memory_of(a)
        self.memory_size, self.geometry = memory.size, (size, stride, offset)
        self.input_geometry = (
            a.shape,
            tuple(s // a.itemsize for s in a.strides),
            element_offset(a, memory),
        )
        step = a.itemsize
        return as_strided(memory[offset:], size, tuple(s * step for s in stride))

    def backward(self, grad):
        total = np.zeros(self.memory_size, grad.dtype)
        np.add.at(total, _positions(self.memory_size, *self.geometry), grad)
        return total[_positions(self.memory_size, *self.input_geometry)]
