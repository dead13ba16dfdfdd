"""Compiled LSTM sequences: a step's elementwise work in one pass, and all the steps of a block
of the batch in one C call (`lstm_kernels.c`).

NumPy spends an LSTM step in about ten calls on small arrays, and its float32 tanh is not
vectorised on every CPU; each call also hands the GIL over, so threads that run slices of a batch
at once wait on each other. These kernels do a step's gate and cell arithmetic in one pass with a
vectorisable rational tanh, and the recurrent products with the BLAS NumPy uses: where that is
OpenBLAS (NumPy's wheels), the C code calls its cblas_sgemm itself and a whole sequence runs
without the GIL; elsewhere each step's product goes through NumPy between two kernel calls.

`wright.ops.recurrent` uses them for float32 LSTMs on the CPU when the C file compiles
(`wright.native`: the machine's C compiler, once, cached on disk); its NumPy code is the reference
the tests compare these kernels with, and what runs without a compiler.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np

from wright import native, parallel

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
        flag, places = ctypes.c_int, [pointer, pointer]  # (bases, strides) of the step kernel
        compiled.lstm_forward_sequence.argtypes = [size, size, size, pointer, flag, pointer]
        compiled.lstm_forward_sequence.argtypes += [pointer, size, *places]
        compiled.lstm_backward_sequence.argtypes = [size, size, size, pointer, flag, pointer]
        compiled.lstm_backward_sequence.argtypes += [flag, *places]
        for function in (
            compiled.lstm_tanh,
            compiled.lstm_forward_step,
            compiled.lstm_backward_step,
            compiled.lstm_forward_sequence,
            compiled.lstm_backward_sequence,
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
    """A step kernel bound to rows start:stop of one sequence's buffers: `step(t)` calls it on time
    step t with the rows' count, the hidden size and one address per argument.

    Each argument is (array, row width, step): `step` is which time step of a (steps, batch, width)
    array goes with t (t + step), or None for an array passed from its start whatever t is (a
    slice's own buffer, a per-gate vector). `bases` and `strides` hold the same places for the
    sequence kernels, which step through time themselves.
    """

    def __init__(self, kernel, size: int, start: int, stop: int, arguments) -> None:
        self.kernel, self.head, self.places = kernel, (stop - start, size), []
        for array, width, step in arguments:
            rows = _Rows(array, width)
            if step is None:
                self.places.append((rows.base, 0))
            else:
                self.places.append((rows.at(step, start), rows.step_bytes))
        count = len(self.places)
        self.bases = (ctypes.c_void_p * count)(*[base for base, _ in self.places])
        self.strides = (ctypes.c_ssize_t * count)(*[stride for _, stride in self.places])

    def step(self, t: int) -> None:
        """Time step t."""
        self.kernel(*self.head, *[base + t * stride for base, stride in self.places])

    def sequence(self, function, steps: int, gemm: tuple[int, bool], weights, *extra) -> None:
        """All `steps` time steps in one call of a sequence kernel, which runs this step kernel
        and the recurrent products with `weights` (through `gemm`, from `blas_gemm`)."""
        function(steps, *self.head, *gemm, weights.ctypes.data, *extra, self.bases, self.strides)


def _bind(kernel, size: int, start: int, stop: int, arguments, weights):
    # The step kernel bound to the rows, the weights as the C code reads them, and the gemm of
    # NumPy's BLAS (None when the products go through NumPy).
    bound = _Steps(kernel, size, start, stop, arguments)
    return bound, np.ascontiguousarray(weights, np.float32), blas_gemm()


_gemm: tuple[int, bool] | None | bool = False  # False: not looked up yet


def blas_gemm() -> tuple[int, bool] | None:
    """The address of the cblas_sgemm of NumPy's BLAS and whether it takes 64-bit integers, or None
    when that BLAS is not OpenBLAS (then the products of each step go through NumPy)."""
    global _gemm
    if _gemm is False:
        _gemm = None
        for library in parallel._blas():
            found = library.openblas_function("cblas_sgemm")
            if found is not None:
                _gemm = ctypes.cast(found[0], ctypes.c_void_p).value, found[1]
                break
    return _gemm


def forward_sequence(
    gates, scale, offset, cells, tanh_cells, hidden, weights, start: int, stop: int
) -> None:
    """The forward pass over every time step for rows start:stop: each step's products h_(t-1)
    weights^T (weights the (4 size, size) scaled recurrent weights), then its gate and cell
    arithmetic, writing the gates' activations, c_t, tanh(c_t) and h_t."""
    steps, size = tanh_cells.shape[0], cells.shape[-1]
    wide = 4 * size
    recurrent = np.empty((stop - start, wide), np.float32)
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
    kernel, weights, gemm = _bind(
        library().lstm_forward_step, size, start, stop, arguments, weights
    )
    if gemm is None:
        for t in range(steps):
            np.matmul(hidden[t, start:stop], weights.T, out=recurrent)
            kernel.step(t)
        return
    before = _Rows(hidden, size)
    kernel.sequence(
        library().lstm_forward_sequence,
        steps,
        gemm,
        weights,
        before.at(0, start),
        before.step_bytes,
    )


def backward_sequence(
    grad, carry, cell_carry, gates, cells, tanh_cells, grad_gates, weights, need_first, start, stop
) -> None:
    """The backward pass over every time step, last first, for rows start:stop: the gradient at
    step t's gate pre-activations from grad[t] + carry (the gradient at h_t) and the cell gradient
    carried from step t + 1 (updated to the one at c_(t-1)), then carry = that gradient times the
    (4 size, size) recurrent weights, the gradient at h_(t-1) (at t = 0 only if `need_first`)."""
    steps, size = tanh_cells.shape[0], cells.shape[-1]
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
    kernel, weights, gemm = _bind(
        library().lstm_backward_step, size, start, stop, arguments, weights
    )
    if gemm is None:
        rows = slice(start, stop)
        for t in reversed(range(steps)):
            kernel.step(t)
            if t or need_first:
                np.matmul(grad_gates[t, rows], weights, out=carry[rows])
        return
    kernel.sequence(library().lstm_backward_sequence, steps, gemm, weights, int(bool(need_first)))
