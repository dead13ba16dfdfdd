"""Weight initialisers: bounds and spreads of the draws, gains, fans, in-place filling, seeding."""

from __future__ import annotations

import math

import numpy as np
import pytest

import wright
from wright import nn
from wright.nn import init


def weight(*shape) -> wright.Tensor:
    return wright.zeros(*shape)


def test_fans():
    torch = pytest.importorskip("torch")
    for shape in [(30, 20), (8, 4, 3, 3), (5, 2, 7), (3, 0)]:
        expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
        assert init._calculate_fan_in_and_fan_out(weight(*shape)) == expected
        for mode in ("fan_in", "fan_out"):
            assert init._calculate_correct_fan(weight(*shape), mode) == (
                torch.nn.init._calculate_correct_fan(torch.empty(shape), mode)
            )
    with pytest.raises(ValueError, match="'fan_avg'"):
        init._calculate_correct_fan(weight(3, 4), "fan_avg")
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


NONLINEARITIES = [
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "selu",
]


def test_calculate_gain_matches_torch():
    torch = pytest.importorskip("torch")
    for name in NONLINEARITIES:
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name))
    for slope in (0, 0.2, 3):
        assert init.calculate_gain("leaky_relu", slope) == pytest.approx(
            torch.nn.init.calculate_gain("leaky_relu", slope)
        )


def test_unknown_nonlinearity_and_bad_slopes():
    with pytest.raises(ValueError, match="'swish'"):
        init.calculate_gain("swish")
    for slope in (True, "a"):
        with pytest.raises(ValueError, match="not a valid number"):
            init.calculate_gain("leaky_relu", slope)


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


def test_kaiming_modes_and_empty_tensors():
    w = init.kaiming_normal_(weight(200, 300), mode="fan_out", nonlinearity="relu")
    np.testing.assert_allclose(w.array.std(), math.sqrt(2 / 200), rtol=0.02)
    with pytest.warns(UserWarning, match="without elements"):
        assert init.kaiming_uniform_(weight(0, 3)).shape == (0, 3)
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_uniform_(weight(3, 4), mode="fan_avg")
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.kaiming_uniform_(weight(3))


def test_initialisers_keep_dtype_run_outside_the_graph_and_accept_generators():
    param = nn.Parameter(np.zeros((40, 30)))
    calls = [
        lambda t, g: init.uniform_(t, -1, 1, generator=g),
        lambda t, g: init.normal_(t, 0, 2, generator=g),
        lambda t, g: init.trunc_normal_(t, 0, 1, -1, 1, generator=g),
        lambda t, g: init.xavier_uniform_(t, generator=g),
        lambda t, g: init.xavier_normal_(t, generator=g),
        lambda t, g: init.kaiming_uniform_(t, generator=g),
        lambda t, g: init.kaiming_normal_(t, generator=g),
        lambda t, g: init.orthogonal_(t, generator=g),
        lambda t, g: init.sparse_(t, 0.5, generator=g),
    ]
    for call in calls:
        version = param._version
        assert call(param, wright.Generator().manual_seed(3)) is param
        assert param.dtype == np.float64 and param.requires_grad and param.grad_fn is None
        assert param._version > version
        first = param.array.copy()
        call(param, wright.Generator().manual_seed(3))
        np.testing.assert_array_equal(param.array, first)
        call(param, np.random.default_rng(4))


def test_argument_errors():
    with pytest.raises(RuntimeError, match="a <= b"):
        init.uniform_(weight(3), 2, 1)
    with pytest.raises(RuntimeError, match="std"):
        init.normal_(weight(3), 0, -1)
    with pytest.raises(RuntimeError, match="a <= b"):
        init.trunc_normal_(weight(3), a=2, b=1)
    with pytest.raises(NotImplementedError, match="int64"):
        init.normal_(wright.zeros(3, dtype=wright.int64))
    np.testing.assert_array_equal(init.constant_(wright.zeros(3, dtype=wright.int64), 2.7).array, 2)


@pytest.mark.parametrize(
    "mean, std, a, b",
    [
        (0.0, 1.0, -2.0, 2.0),
        (0.0, 0.02, -0.04, 0.04),
        (1.0, 2.0, -100.0, 100.0),
        (0.0, 1.0, 3.0, 5.0),
        (0.0, 1.0, 5.0, 5.1),
        (0.0, 1.0, -6.0, -4.0),
        (0.0, 1.0, -0.1, 0.3),
        (0.0, 1.0, 0.5, 1.0),
        (0.0, 1.0, 0.0, np.inf),
    ],
)
def test_trunc_normal_matches_torch_statistics(mean, std, a, b):
    torch = pytest.importorskip("torch")
    ours = init.trunc_normal_(wright.zeros(20000, dtype=wright.float64), mean, std, a, b).array
    torch.manual_seed(0)
    theirs = torch.nn.init.trunc_normal_(torch.zeros(20000, dtype=torch.float64), mean, std, a, b)
    theirs = theirs.numpy()
    assert ours.min() >= a and ours.max() <= b
    spread = theirs.std()
    assert abs(ours.mean() - theirs.mean()) < 0.05 * spread
    np.testing.assert_allclose(ours.std(), spread, rtol=0.05)


def test_eye_and_dirac_match_torch():
    torch = pytest.importorskip("torch")
    for shape in [(3, 5), (4, 2)]:
        np.testing.assert_array_equal(
            init.eye_(weight(*shape)).array, torch.nn.init.eye_(torch.empty(shape)).numpy()
        )
    for shape, groups in [((4, 2, 3), 1), ((4, 2, 3), 2), ((6, 3, 3, 3), 3), ((2, 4, 1, 3, 3), 1)]:
        np.testing.assert_array_equal(
            init.dirac_(weight(*shape), groups).array,
            torch.nn.init.dirac_(torch.empty(shape), groups).numpy(),
        )
    with pytest.raises(ValueError, match="2-D"):
        init.eye_(weight(3))
    with pytest.raises(ValueError, match="3-, 4- or 5-D"):
        init.dirac_(weight(2, 3))
    with pytest.raises(ValueError, match="divisible by groups"):
        init.dirac_(weight(3, 2, 3), groups=2)


@pytest.mark.parametrize("shape", [(4, 6), (6, 4), (8, 2, 3, 3), (5, 5)])
def test_orthogonal(shape):
    w = init.orthogonal_(weight(*shape).double(), gain=2.0).array.reshape(shape[0], -1)
    rows, columns = w.shape
    product = w @ w.T if rows <= columns else w.T @ w
    np.testing.assert_allclose(product, 4 * np.eye(min(rows, columns)), atol=1e-10)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.orthogonal_(weight(3))


def test_sparse():
    w = init.sparse_(weight(10, 400), 0.25, std=0.5).array
    assert ((w == 0).sum(axis=0) == 3).all()
    np.testing.assert_allclose(w[w != 0].std(), 0.5, rtol=0.05)
    with pytest.raises(ValueError, match="2-D"):
        init.sparse_(weight(3, 4, 2), 0.5)


def test_deprecated_names_warn():
    with pytest.warns(FutureWarning, match="uniform_"):
        init.uniform(weight(3))
    with pytest.warns(FutureWarning, match="xavier_normal_"):
        init.xavier_normal(weight(3, 3))


def test_default_layer_initialisation_follows_torch():
    torch = pytest.importorskip("torch")
    layers = [
        (nn.Linear(300, 200), torch.nn.Linear(300, 200)),
        (nn.Conv2d(16, 32, 3), torch.nn.Conv2d(16, 32, 3)),
        (nn.Embedding(300, 200), torch.nn.Embedding(300, 200)),
        (nn.GRU(50, 60), torch.nn.GRU(50, 60)),
        (nn.Bilinear(30, 20, 50), torch.nn.Bilinear(30, 20, 50)),
        (nn.PReLU(3), torch.nn.PReLU(3)),
    ]
    for ours, theirs in layers:
        t_params = dict(theirs.named_parameters())
        for name, param in ours.named_parameters():
            expected = t_params[name].detach().numpy()
            values = param.array
            assert values.shape == expected.shape
            np.testing.assert_allclose(np.abs(values).max(), np.abs(expected).max(), rtol=0.1)
            np.testing.assert_allclose(values.std(), expected.std(), rtol=0.1, atol=1e-7)
