"""Dropout: inverted scaling in training, identity in evaluation, seeding, the mask's gradient."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from wright import nn
from wright.nn import functional as F


def test_training_zeroes_about_p_and_scales_survivors():
    out = nn.Dropout(0.25)(wright.ones(200, 500)).array
    dropped = np.mean(out == 0)
    assert abs(dropped - 0.25) < 0.01
    np.testing.assert_allclose(out[out != 0], 1 / 0.75, rtol=1e-6)
    assert abs(out.mean() - 1) < 0.01  # the expected sum is kept


def test_eval_passes_the_input_through():
    drop = nn.Dropout(0.5).eval()
    x = wright.randn(4, 5)
    assert drop(x) is x


def test_edge_probabilities():
    x = wright.randn(3, 4)
    assert F.dropout(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0).array, np.zeros((3, 4)))


def test_gradient_flows_through_the_kept_elements_only():
    x = wright.ones(10, 10, requires_grad=True)
    out = F.dropout(x, 0.5)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.array, out.array)


def test_seed_controls_the_mask():
    wright.manual_seed(11)
    first = F.dropout(wright.ones(50), 0.5).array
    wright.manual_seed(11)
    np.testing.assert_array_equal(F.dropout(wright.ones(50), 0.5).array, first)


def test_dtype_is_kept():
    assert F.dropout(wright.ones(4, dtype=wright.float64), 0.5).dtype == np.float64


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_p_must_be_a_probability(p):
    with pytest.raises(ValueError, match=r"Dropout: p must be a probability in \[0, 1\]"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match=r"dropout: p must be a probability"):
        F.dropout(wright.ones(2), p)
