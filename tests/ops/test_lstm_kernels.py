"""The compiled LSTM steps against the NumPy reference in wright.ops.recurrent: outputs and every
gradient in float32, over shapes, batch slices on threads and states; the rational tanh against
NumPy's; NaN still propagates; bad buffers are refused."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_limits

import wright
from wright import native
from wright.ops import lstm_kernels, recurrent

if lstm_kernels.library() is None:
    pytest.skip(f"LSTM kernels not built: {native.errors}", allow_module_level=True)


@pytest.fixture
def compiled_code(request):
    """Whether compiled code may run (native.enabled), put back after the test."""
    saved = native.enabled
    yield
    native.enabled = saved


def _lstm(compiled: bool, steps: int, batch: int, hidden: int, needs_states: bool, seed: int):
    """Output and gradients of one LSTMSequence call, on the compiled steps or NumPy's."""
    rng = np.random.default_rng(seed)
    arrays = [
        rng.standard_normal((steps, batch, 3)),
        rng.standard_normal((batch, hidden)),
        rng.standard_normal((batch, hidden)),
        rng.standard_normal((4 * hidden, 3)),
        rng.standard_normal((4 * hidden, hidden)),
        rng.standard_normal(4 * hidden),
        rng.standard_normal(4 * hidden),
    ]
    tensors = [wright.tensor(a.astype(np.float32), requires_grad=True) for a in arrays]
    for state in tensors[1:3]:
        state.requires_grad_(needs_states)
    saved = native.enabled
    native.enabled = compiled
    try:
        out = recurrent.LSTMSequence.apply(*tensors)
        out.backward(wright.tensor(rng.standard_normal(out.shape).astype(np.float32)))
    finally:
        native.enabled = saved
    return out.array, [None if t.grad is None else t.grad.array for t in tensors]


@settings(max_examples=25, deadline=None)
@given(
    steps=st.integers(1, 6),
    batch=st.integers(1, 40),
    hidden=st.integers(1, 9),
    needs_states=st.booleans(),
    threads=st.sampled_from([1, 2, 3]),
    products_in_c=st.booleans(),
)
def test_compiled_steps_match_numpy(steps, batch, hidden, needs_states, threads, products_in_c):
    # products_in_c False: each step's product through NumPy, as where NumPy's BLAS is not
    # OpenBLAS.
    found = lstm_kernels.blas_gemm()
    lstm_kernels._gemm = found if products_in_c else None
    try:
        with threadpool_limits(threads, user_api="blas"):
            out, grads = _lstm(True, steps, batch, hidden, needs_states, seed=steps * batch)
            expected, expected_grads = _lstm(
                False, steps, batch, hidden, needs_states, steps * batch
            )
    finally:
        lstm_kernels._gemm = found
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    for grad, reference in zip(grads, expected_grads):
        if reference is None:
            assert grad is None
        else:
            np.testing.assert_allclose(grad, reference, rtol=1e-4, atol=1e-5)


def test_numpys_openblas_is_found_for_whole_sequences_in_c():
    if not any(b.controller.internal_api == "openblas" for b in wright.parallel._blas()):
        pytest.skip("NumPy's BLAS here is not OpenBLAS")
    address, _ = lstm_kernels.blas_gemm()
    assert address


def test_used_only_for_float32_numpy_arrays():
    assert recurrent._lstm_kernels(np.zeros(2, np.float32)) is lstm_kernels
    assert recurrent._lstm_kernels(np.zeros(2, np.float64)) is None
    assert recurrent._lstm_kernels(np.zeros(2, np.float32), np.zeros(2, np.float64)) is None


def test_rational_tanh_is_within_a_few_units_in_the_last_place():
    x = np.linspace(-12, 12, 400_001, dtype=np.float32)
    exact = np.tanh(x.astype(np.float64))
    approx = lstm_kernels.tanh(x)
    assert np.max(np.abs(approx - exact) / np.maximum(np.abs(exact), 1e-30)) < 1e-6
    special = lstm_kernels.tanh(np.array([0.0, np.inf, -np.inf, np.nan], np.float32))
    np.testing.assert_array_equal(special, [0.0, 1.0, -1.0, np.nan])


def test_nan_propagates_through_the_compiled_steps(compiled_code):
    native.enabled = True
    x = wright.full((2, 3, 1), float("nan"))
    out, _ = wright.nn.LSTM(1, 4)(x)
    assert np.isnan(out.detach().numpy()).all()


def test_the_kernels_refuse_buffers_they_cannot_address():
    good = np.zeros((2, 3, 8), np.float32)
    for bad in (good.astype(np.float64), good[:, :, ::2].copy()[:, :, :3], good.transpose(1, 0, 2)):
        with pytest.raises(ValueError, match="LSTM kernels: expected a C-contiguous float32"):
            lstm_kernels._Rows(bad, 8)


def test_switched_off_the_numpy_steps_run(compiled_code, monkeypatch):
    native.enabled = False
    assert recurrent._lstm_kernels(np.zeros(2, np.float32)) is None
