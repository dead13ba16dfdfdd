"""Compiled LSTM time steps (Numba): the elementwise work of one step in one pass over memory.

NumPy spends an LSTM step in about ten calls on small arrays, and its float32 tanh is not
vectorised on every CPU; each call also hands the GIL over, so threads that run slices of a batch
at once wait on each other. These kernels do a step's gate and cell arithmetic in one call that
releases the GIL, with a vectorisable rational tanh. The matrix products stay in NumPy (BLAS).

`wright.ops.recurrent` imports this module only when Numba is installed (`pip install
wright[fast]`), on the first float32 LSTM on the CPU; the NumPy code there is the reference the
tests compare these kernels with. Compiled code is cached in wright's cache folder
(`$WRIGHT_CACHE/numba`, or Numba's own `NUMBA_CACHE_DIR` when set), so only the first run compiles.
"""

import numba
import numpy as np

from wright.datasets.download import cache_dir

# tanh(x) ~ x P(x^2) / Q(x^2) on [-9, 9] (beyond, tanh rounds to +-1 in float32): a rational fit
# by iteratively reweighted least squares on the relative error, at most 4e-7 relative.
_P0, _P1, _P2, _P3, _P4 = (
    np.float32(c) for c in (1.0, 0.133924216, 3.50912055e-03, 2.08317233e-05, 1.36631044e-08)
)
_Q0, _Q1, _Q2, _Q3, _Q4 = (
    np.float32(c) for c in (1.0, 0.46725741, 2.59284675e-02, 3.30776325e-04, 7.90281035e-07)
)
_LIMIT = np.float32(9.0)

# Fused multiply-adds and reciprocals may be reordered, but NaN and infinity keep their meaning,
# so a diverging network still shows NaN. error_model="numpy" drops the division-by-zero checks
# that would stop the loops from vectorising.
_OPTIONS = {"nogil": True, "cache": True, "error_model": "numpy", "fastmath": {"contract", "arcp"}}


def _compiled(**options):
    """numba.njit with _OPTIONS, caching in wright's cache folder rather than beside this file
    (an installed package's folder may be read-only, and is no place for per-machine code)."""

    def decorate(function):
        # Numba picks a function's cache folder when it is decorated; the setting is put back
        # after, so other Numba users keep theirs.
        saved = numba.config.CACHE_DIR
        numba.config.CACHE_DIR = saved or str(cache_dir() / "numba")
        try:
            return numba.njit(**_OPTIONS, **options)(function)
        finally:
            numba.config.CACHE_DIR = saved

    return decorate


@_compiled(inline="always")
def _tanh(x):
    if x > _LIMIT:
        x = _LIMIT
    elif x < -_LIMIT:
        x = -_LIMIT
    x2 = x * x
    numerator = (((_P4 * x2 + _P3) * x2 + _P2) * x2 + _P1) * x2 + _P0
    denominator = (((_Q4 * x2 + _Q3) * x2 + _Q2) * x2 + _Q1) * x2 + _Q0
    return x * numerator / denominator


@_compiled()
def forward_step(gates, recurrent, scale, offset, cell_before, cell, tanh_cell, hidden):
    """One step for a slice of the batch, in place: gates (n, 4H) in rows (i, f, g, o) hold the
    input projection and become the activations tanh(gates + recurrent) * scale + offset (the
    sigmoid weights are pre-halved); then c = f c_before + i g, tanh(c) and h = o tanh(c)."""
    rows, width = gates.shape
    size = width // 4
    for r in range(rows):
        a, added = gates[r], recurrent[r]
        for k in range(width):
            a[k] = _tanh(a[k] + added[k]) * scale[k] + offset[k]
        before, c_out, t_out, h_out = cell_before[r], cell[r], tanh_cell[r], hidden[r]
        for j in range(size):
            c = a[size + j] * before[j] + a[j] * a[2 * size + j]
            c_out[j] = c
            t = _tanh(c)
            t_out[j] = t
            h_out[j] = a[3 * size + j] * t


@_compiled()
def backward_step(grad_out, carry, cell_carry, gates, cell_before, tanh_cell, grad_gates):
    """One step back for a slice of the batch: grad_out + carry is the gradient at h_t (from the
    output and from step t + 1's recurrent product), cell_carry the gradient at c_t from step
    t + 1 (updated in place to the one at c_(t-1)); writes the gradient at the gates'
    pre-activations into grad_gates (n, 4H)."""
    rows, width = gates.shape
    size = width // 4
    for r in range(rows):
        a, out, d = gates[r], grad_out[r], grad_gates[r]
        back, before, tanhs, carried = carry[r], cell_before[r], tanh_cell[r], cell_carry[r]
        for j in range(size):
            i, f, g, o = a[j], a[size + j], a[2 * size + j], a[3 * size + j]
            t = tanhs[j]
            grad_h = out[j] + back[j]
            grad_c = grad_h * o * (1 - t * t) + carried[j]
            d[j] = grad_c * g * i * (1 - i)
            d[size + j] = grad_c * before[j] * f * (1 - f)
            d[2 * size + j] = grad_c * i * (1 - g * g)
            d[3 * size + j] = grad_h * t * o * (1 - o)
            carried[j] = grad_c * f
