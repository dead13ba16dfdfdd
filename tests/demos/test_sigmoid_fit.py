"""The sigmoid-fit demo: maximum likelihood moves the curve as examples arrive."""

import numpy as np
import pytest

from wright.demos import sigmoid_fit


def test_sigmoid_fit_demo(tmp_path):
    results = sigmoid_fit.run(tmp_path, seed=0, quick=True)
    assert results["likelihood_rose"] == 1.0
    # Negatives lie left of the positives, so the boundary sits between them and the curve rises.
    assert 3.0 < results["stage_1_boundary"] < 6.0 and results["stage_1_weight"] > 0
    assert results["boundary_shift_far_negative"] < 0.1
    assert results["boundary_shift_noisy_positive"] > 1.0
    assert results["weight_drop_noisy_positive"] > 0.5
    if sigmoid_fit.picture_path(tmp_path, "x.png"):
        assert (tmp_path / "sigmoid_fit.png").exists() and (
            tmp_path / "sigmoid_likelihood.png"
        ).exists()


def test_log_likelihood_matches_its_definition():
    x = np.array([1.0, 2.0, 3.0])
    positive = np.array([False, True, True])
    z = 1 / (1 + np.exp(-(1.5 * x - 2.5)))
    expected = np.mean(np.log(np.where(positive, z, 1 - z)))
    assert sigmoid_fit.log_likelihood(1.5, 2.5, x, positive) == pytest.approx(expected)
    assert np.isfinite(sigmoid_fit.log_likelihood(1000.0, 0.0, x, ~positive))
