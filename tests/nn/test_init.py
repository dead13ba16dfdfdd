"""Weight initialisers: bounds and spreads of the draws, gains, fans, in-place filling, seeding."""

from __future__ import annotations

import math

import numpy as np
import pytest

import wright
from wright.nn import init


def weight(*shape) -> wright.Tensor:
    return wright.zeros(*shape)


def test_fans():
    assert init.fan_in_and_fan_out(weight(30, 20)) == (20, 30)
    assert init.fan_in_and_fan_out(weight(8, 4, 3, 3)) == (36, 72)
    with pytest.raises(ValueError, match=r"at least 2 dimensions.*\(5,\)"):
        init.fan_in_and_fan_out(weight(5))


@pytest.mark.parametrize(
    "nonlinearity, param, gain",
    [
        ("linear", None, 1.0),
        ("sigmoid", None, 1.0),
        ("tanh", None, 5 / 3),
        ("relu", None, math.sqrt(2)),
        ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),
        ("leaky_relu", math.sqrt(5), math.sqrt(1 / 3)),
    ],
)
def test_calculate_gain(nonlinearity, param, gain):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(gain)


def test_calculate_gain_matches_torch():
    torch = pytest.importorskip("torch")
    for name in ("linear", "sigmoid", "tanh", "relu", "leaky_relu"):
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name))


def test_unknown_nonlinearity():
    with pytest.raises(ValueError, match="'swish'"):
        init.calculate_gain("swish")


def _check_uniform(values, bound):
    assert np.abs(values).max() <= bound * (1 + 1e-6)
    assert np.abs(values).max() > 0.98 * bound
    assert abs(values.mean()) < 0.02 * bound
    np.testing.assert_allclose(values.std(), bound / math.sqrt(3), rtol=0.02)


def test_uniform_and_normal():
    w = weight(300, 200)
    assert init.uniform_(w, -0.3, 0.5) is w
    assert w.array.min() >= -0.3 and w.array.max() < 0.5
    np.testing.assert_allclose(w.array.mean(), 0.1, atol=0.005)
    init.normal_(w, mean=1.0, std=0.2)
    np.testing.assert_allclose([w.array.mean(), w.array.std()], [1.0, 0.2], rtol=0.01)
    assert w.dtype == np.float32


def test_constants():
    w = weight(3, 2)
    assert init.ones_(w) is w and (w.array == 1).all()
    init.constant_(w, 0.25)
    assert (w.array == 0.25).all()
    init.zeros_(w)
    assert not w.array.any()


def test_xavier_uniform():
    w = init.xavier_uniform_(weight(300, 200), gain=2.0)
    _check_uniform(w.array, 2.0 * math.sqrt(6 / 500))


def test_xavier_normal():
    w = init.xavier_normal_(weight(300, 200))
    np.testing.assert_allclose(w.array.std(), math.sqrt(2 / 500), rtol=0.02)
    assert abs(w.array.mean()) < 0.002


def test_kaiming_uniform():
    w = init.kaiming_uniform_(weight(300, 200), nonlinearity="relu")
    _check_uniform(w.array, math.sqrt(2) * math.sqrt(3 / 200))
    conv = init.kaiming_uniform_(weight(64, 16, 3, 3), a=math.sqrt(5))
    _check_uniform(conv.array, 1 / math.sqrt(144))


def test_kaiming_normal():
    w = init.kaiming_normal_(weight(300, 200), nonlinearity="relu")
    np.testing.assert_allclose(w.array.std(), math.sqrt(2 / 200), rtol=0.02)


def test_seeded_and_explicit_generators_repeat():
    wright.manual_seed(7)
    first = init.xavier_uniform_(weight(4, 4)).array.copy()
    wright.manual_seed(7)
    np.testing.assert_array_equal(init.xavier_uniform_(weight(4, 4)).array, first)
    a = init.normal_(weight(3), generator=np.random.default_rng(1)).array.copy()
    np.testing.assert_array_equal(
        init.normal_(weight(3), generator=np.random.default_rng(1)).array, a
    )
