"""Fused recurrent ops on slices of the batch over threads: the same numbers as the whole batch on
one thread (their agreement with torch is tested in tests/nn/test_rnn.py)."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import wright
from wright.ops import recurrent

STEPS, BATCH, FEATURES, HIDDEN = 5, 20, 3, 4


def _run(op, gates: int, attributes: dict):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((STEPS, BATCH, FEATURES))
    states = [
        rng.standard_normal((BATCH, HIDDEN))
        for _ in range(2 if op is recurrent.LSTMSequence else 1)
    ]
    weights = [
        rng.standard_normal((gates * HIDDEN, FEATURES)),
        rng.standard_normal((gates * HIDDEN, HIDDEN)),
        rng.standard_normal(gates * HIDDEN),
        rng.standard_normal(gates * HIDDEN),
    ]
    tensors = [wright.tensor(a, requires_grad=True) for a in (x, *states, *weights)]
    out = op.apply(*tensors, **attributes)
    out.backward(rng.standard_normal(out.shape))
    return out.array, [t.grad.array for t in tensors]


@pytest.mark.parametrize(
    ("op", "gates", "attributes"),
    [
        (recurrent.LSTMSequence, 4, {}),
        (recurrent.GRUSequence, 3, {}),
        (recurrent.RNNSequence, 1, {"nonlinearity": "tanh"}),
        (recurrent.RNNSequence, 1, {"nonlinearity": "relu"}),
    ],
    ids=["lstm", "gru", "rnn_tanh", "rnn_relu"],
)
def test_batch_slices_over_threads_match_one_thread(op, gates, attributes):
    with threadpool_limits(1, user_api="blas"):
        expected, expected_grads = _run(op, gates, attributes)
    with threadpool_limits(3, user_api="blas"):
        out, grads = _run(op, gates, attributes)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    for grad, reference in zip(grads, expected_grads):
        np.testing.assert_allclose(grad, reference, rtol=1e-12, atol=1e-12)
