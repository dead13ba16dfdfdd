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


class ForwardSteps:
    """The forward kernel bound to rows start:stop of one sequence's buffers: `step(t)` finishes
    time step t from the gates' input projection and `recurrent` (that step's h_(t-1) W_hh^T for
    those rows), writing the gates' activations, c_t, tanh(c_t) and h_t."""

    def __init__(self, gates, recurrent, scale, offset, cells, tanh_cells, hidden, start, stop):
        self.size = size = cells.shape[-1]
        self.count, self.start = stop - start, start
        self.gates, self.recurrent = _Rows(gates, 4 * size), _Rows(recurrent, 4 * size)
        self.scale, self.offset = _Rows(scale[None], 4 * size), _Rows(offset[None], 4 * size)
        self.cells, self.tanh_cells = _Rows(cells, size), _Rows(tanh_cells, size)
        self.hidden = _Rows(hidden, size)
        self.kernel = library().lstm_forward_step

    def step(self, t: int) -> None:
        """Time step t (after its recurrent product)."""
        start = self.start
        self.kernel(
            self.count,
            self.size,
            self.gates.at(t, start),
            self.recurrent.base,
            self.scale.base,
            self.offset.base,
            self.cells.at(t, start),
            self.cells.at(t + 1, start),
            self.tanh_cells.at(t, start),
            self.hidden.at(t + 1, start),
        )


class BackwardSteps:
    """The backward kernel bound to rows start:stop of one sequence's buffers: `step(t)` writes the
    gradient at step t's gate pre-activations from grad[t] + carry (the gradient at h_t) and the
    cell gradient carried from step t + 1, which it updates to the one at c_(t-1)."""

    def __init__(self, grad, carry, cell_carry, gates, cells, tanh_cells, grad_gates, start, stop):
        self.size = size = cells.shape[-1]
        self.count, self.start = stop - start, start
        self.grad, self.carry = _Rows(grad, size), _Rows(carry, size)
        self.cell_carry = _Rows(cell_carry, size)
        self.gates, self.grad_gates = _Rows(gates, 4 * size), _Rows(grad_gates, 4 * size)
        self.cells, self.tanh_cells = _Rows(cells, size), _Rows(tanh_cells, size)
        self.kernel = library().lstm_backward_step

    def step(self, t: int) -> None:
        """Time step t, backwards (before the recurrent product that carries it to step t - 1)."""
        start = self.start
        self.kernel(
            self.count,
            self.size,
            self.grad.at(t, start),
            self.carry.at(0, start),
            self.cell_carry.at(0, start),
            self.gates.at(t, start),
            self.cells.at(t, start),
            self.tanh_cells.at(t, start),
            self.grad_gates.at(t, start),
        )
