"""Compiled LSTM time steps: the elementwise work of one step in one C call (`lstm_kernels.c`).

NumPy spends an LSTM step in about ten calls on small arrays, and its float32 tanh is not
vectorised on every CPU; each call also hands the GIL over, so threads that run slices of a batch
at once wait on each other. These kernels do a step's gate and cell arithmetic in one call that
releases the GIL, with a vectorisable rational tanh. The matrix products stay in NumPy (BLAS).

`wright.ops.recurrent` uses them for float32 LSTMs on the CPU when the C file compiles
(`wright.native`: the machine's C compiler, once, cached on disk); its NumPy code is the reference
the tests compare these kernels with, and what runs without a compiler.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np

from wright import native

_SOURCE = Path(__file__).with_name("lstm_kernels.c")
_library: ctypes.CDLL | None = None


def library() -> ctypes.CDLL | None:
    """The compiled kernels with their argument types set, or None when they cannot be built."""
    global _library
    if _library is None:
        compiled = native.load(_SOURCE)
        if compiled is None:
            return None
        size, pointer = ctypes.c_ssize_t, ctypes.c_void_p
        compiled.lstm_tanh.argtypes = [size, pointer, pointer]
        compiled.lstm_forward_step.argtypes = [size, size] + [pointer] * 8
        compiled.lstm_backward_step.argtypes = [size, size] + [pointer] * 7
        for function in (
            compiled.lstm_tanh,
            compiled.lstm_forward_step,
            compiled.lstm_backward_step,
        ):
            function.restype = None
        _library = compiled
    return _library


def tanh(x: np.ndarray) -> np.ndarray:
    """The kernels' rational tanh of a float32 array (at most 4e-7 relative error)."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    out = np.empty_like(x)
    library().lstm_tanh(x.size, x.ctypes.data, out.ctypes.data)
    return out


class _Rows:
    """Addresses of rows of a C-contiguous float32 array of shape (steps, batch, width), or
    (batch, width) for one step, as the C kernels take them."""

    def __init__(self, array: np.ndarray, width: int) -> None:
        if array.dtype != np.float32 or not array.flags.c_contiguous or array.shape[-1] != width:
            raise ValueError(
                f"LSTM kernels: expected a C-contiguous float32 array with rows of {width}, "
                f"got {array.dtype} {array.shape} (contiguous: {array.flags.c_contiguous})"
            )
        self.array = array  # kept alive while its addresses are in use
        self.base = array.ctypes.data
        self.row_bytes = array.strides[-2]
        self.step_bytes = array.strides[0] if array.ndim == 3 else 0

    def at(self, step: int, row: int) -> int:
        """The address of row `row` of step `step`."""
        return self.base + step * self.step_bytes + row * self.row_bytes


class _Steps:
    """A kernel bound to rows start:stop of one sequence's buffers: `step(t)` calls it on time step
    t with the rows' count, the hidden size and one address per argument.

    Each argument is (array, row width, step): `step` is which time step of a (steps, batch, width)
    array goes with t (t + step), or None for an array passed from its start whatever t is (a
    slice's own buffer, a per-gate vector)."""

    def __init__(self, kernel, size: int, start: int, stop: int, arguments) -> None:
        self.kernel, self.head, self.places = kernel, (stop - start, size), []
        for array, width, step in arguments:
            rows = _Rows(array, width)
            if step is None:
                self.places.append((rows.base, 0))
            else:
                self.places.append((rows.at(step, start), rows.step_bytes))

    def step(self, t: int) -> None:
        """Time step t."""
        self.kernel(*self.head, *[base + t * stride for base, stride in self.places])


def forward_steps(
    gates, recurrent, scale, offset, cells, tanh_cells, hidden, start, stop
) -> _Steps:
    """The forward kernel for rows start:stop: `step(t)` finishes time step t from the gates'
    input projection and `recurrent` (that step's h_(t-1) W_hh^T for those rows), writing the
    gates' activations, c_t, tanh(c_t) and h_t."""
    size = cells.shape[-1]
    wide = 4 * size
    arguments = [
        (gates, wide, 0),
        (recurrent, wide, None),
        (scale[None], wide, None),
        (offset[None], wide, None),
        (cells, size, 0),  # c_(t-1)
        (cells, size, 1),  # c_t
        (tanh_cells, size, 0),
        (hidden, size, 1),  # h_t
    ]
    return _Steps(library().lstm_forward_step, size, start, stop, arguments)


def backward_steps(
    grad, carry, cell_carry, gates, cells, tanh_cells, grad_gates, start, stop
) -> _Steps:
    """The backward kernel for rows start:stop: `step(t)` writes the gradient at step t's gate
    pre-activations from grad[t] + carry (the gradient at h_t) and the cell gradient carried from
    step t + 1, which it updates to the one at c_(t-1)."""
    size = cells.shape[-1]
    wide = 4 * size
    arguments = [
        (grad, size, 0),
        (carry, size, 0),  # (batch, size): the same rows at every step
        (cell_carry, size, 0),
        (gates, wide, 0),
        (cells, size, 0),  # c_(t-1)
        (tanh_cells, size, 0),
        (grad_gates, wide, 0),
    ]
    return _Steps(library().lstm_backward_step, size, start, stop, arguments)
