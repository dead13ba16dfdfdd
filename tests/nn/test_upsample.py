"""Upsample and F.interpolate with mode='nearest': whole and fractional factors, sizes, torch."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from wright import nn
from wright.nn import functional as F


def test_scale_factor_two_repeats_each_pixel():
    x = wright.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    expected = [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    np.testing.assert_array_equal(nn.Upsample(scale_factor=2)(x).array[0, 0], expected)


def test_gradient_sums_over_each_copied_block():
    x = wright.ones(1, 1, 2, 3, requires_grad=True)
    F.interpolate(x, scale_factor=(2, 3)).sum().backward()
    np.testing.assert_array_equal(x.grad.array, np.full((1, 1, 2, 3), 6.0))


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"Upsample: only mode='nearest' is supported"):
        nn.Upsample(scale_factor=2, mode="bilinear")(wright.zeros(1, 1, 2, 2))
    with pytest.raises(ValueError, match=r"interpolate: give exactly one of size and scale_factor"):
        F.interpolate(wright.zeros(1, 1, 2, 2))
    with pytest.raises(ValueError, match=r"interpolate got input of shape \(2, 2\)"):
        F.interpolate(wright.zeros(2, 2), scale_factor=2)


@pytest.mark.parametrize(
    ("shape", "arguments"),
    [
        ((2, 3, 4, 5), {"scale_factor": 2}),
        ((2, 3, 4, 5), {"scale_factor": (3, 1.5)}),
        ((2, 3, 4, 5), {"size": (7, 3)}),
        ((2, 3, 6), {"size": 13}),
        ((1, 2, 5), {"scale_factor": 0.5}),
    ],
)
def test_matches_torch(shape, arguments):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal(shape)
    mine, reference = wright.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = nn.Upsample(**arguments)(mine)
    expected = torch.nn.Upsample(**arguments)(reference)
    np.testing.assert_array_equal(out.array, expected.detach().numpy())
    weights = np.random.default_rng(1).standard_normal(expected.shape)
    out.backward(weights)
    expected.backward(torch.tensor(weights))
    np.testing.assert_allclose(mine.grad.array, reference.grad.numpy(), rtol=1e-12)
