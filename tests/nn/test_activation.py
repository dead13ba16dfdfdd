"""Activations, functional and modules: values, dtypes and gradients against torch (also at the
kinks), float64 gradcheck, in-place forms, reprs and argument errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import wright
from opinfo import OpInfo, Sample, cases, check_against_torch, check_gradcheck, unary_samples
from wright import nn
from wright.nn import functional as F


def _f(name, *args, **kwargs):
    """An op calling lib.nn.functional.<name>(x, *args, **kwargs)."""
    return lambda lib, x: getattr(lib.nn.functional, name)(x, *args, **kwargs)


WIDE = unary_samples(-4.0, 4.0)
OPS = [
    OpInfo("relu", _f("relu"), WIDE),
    OpInfo("relu6", _f("relu6"), unary_samples(-2.0, 8.0)),
    OpInfo("leaky_relu", _f("leaky_relu", 0.2), WIDE),
    OpInfo("elu", _f("elu", 0.7), WIDE),
    OpInfo("selu", _f("selu"), WIDE),
    OpInfo("celu", _f("celu", 0.5), WIDE),
    OpInfo("silu", _f("silu"), WIDE),
    OpInfo("mish", _f("mish"), WIDE),
    OpInfo("softplus", _f("softplus"), WIDE),
    OpInfo("softplus_beta", _f("softplus", 2.0, 3.0), WIDE),
    OpInfo("softsign", _f("softsign"), WIDE),
    OpInfo("softshrink", _f("softshrink", 0.7), WIDE),
    OpInfo("hardshrink", _f("hardshrink", 0.7), WIDE),
    OpInfo("tanhshrink", _f("tanhshrink"), WIDE),
    OpInfo("hardtanh", _f("hardtanh", -0.5, 1.5), WIDE),
    OpInfo("hardswish", _f("hardswish"), WIDE),
    OpInfo("hardsigmoid", _f("hardsigmoid"), WIDE),
    OpInfo("logsigmoid", _f("logsigmoid"), WIDE),
    OpInfo("threshold", _f("threshold", 0.3, -2.0), WIDE),
    OpInfo("rrelu_eval", _f("rrelu", 0.1, 0.4), WIDE),
    OpInfo("sigmoid", _f("sigmoid"), WIDE),
    OpInfo("tanh", _f("tanh"), WIDE),
    OpInfo("softmin", _f("softmin", dim=-1), unary_samples()),
    OpInfo(
        "softmax_dtype",
        lambda lib, x: lib.nn.functional.softmax(x, dim=-1, dtype=lib.float64),
        unary_samples(),
    ),
    OpInfo("log_softmax", _f("log_softmax", dim=-1), unary_samples()),
]


def _glu_samples(rng):
    yield Sample((rng.standard_normal((3, 4)),), {"dim": -1}, label="last")
    yield Sample((rng.standard_normal((2, 6, 3)).astype(np.float32),), {"dim": 1}, label="mid")


def _prelu_samples(rng):
    yield Sample((rng.standard_normal((2, 3, 4)), rng.uniform(0, 1, 3)), label="channels")
    yield Sample((rng.standard_normal((5, 3)), rng.uniform(0, 1, 1)), label="shared")
    yield Sample((rng.standard_normal(4), np.array([0.3])), label="1d")
    yield Sample((np.array(-1.5), np.array(0.2)), label="0d")


MORE = [
    OpInfo("glu", lambda lib, x, dim: lib.nn.functional.glu(x, dim), _glu_samples),
    OpInfo("prelu", lambda lib, x, w: lib.nn.functional.prelu(x, w), _prelu_samples),
]

# The points where PyTorch picks a side: the bounds of hardtanh, relu6, hardswish, hardsigmoid,
# the shrink bands, threshold, softplus's threshold, and 0 for the relu family.
KINKS = np.array([-3.0, -1.0, -0.7, -0.5, 0.0, 0.3, 0.5, 0.7, 1.0, 1.5, 3.0, 6.0, 20.0, -20.0])


def _kink_samples(rng):
    yield Sample((KINKS,), label="kinks")
    yield Sample((KINKS.astype(np.float32),), label="kinks32")


KINK_OPS = [
    OpInfo(info.name, info.op, _kink_samples, gradcheck=False)
    for info in OPS
    if not info.name.startswith(("soft", "log_soft"))
] + [
    OpInfo("softplus_at_threshold", _f("softplus", 2.0, 1.0), _kink_samples, gradcheck=False),
    OpInfo("softshrink_at_lambda", _f("softshrink", 0.5), _kink_samples, gradcheck=False),
    OpInfo("threshold_at_value", _f("threshold", 1.0, 20.0), _kink_samples, gradcheck=False),
]


@pytest.mark.parametrize("info, sample", cases(OPS + MORE))
def test_matches_torch(info, sample):
    check_against_torch(info, sample)


@pytest.mark.parametrize("info, sample", cases(OPS + MORE))
def test_gradcheck(info, sample):
    check_gradcheck(info, sample)


@pytest.mark.parametrize("info, sample", cases(KINK_OPS))
def test_gradients_at_kinks_match_torch(info, sample):
    check_against_torch(info, sample)


def _int_samples(rng):
    yield Sample((np.array([-3, 0, 2, 7]),), label="int64")


INTEGER_OPS = [
    OpInfo(name, _f(name, *args), _int_samples, differentiable=False)
    for name, args in [
        ("relu", ()),
        ("relu6", ()),
        ("hardtanh", (-2, 3)),
        ("threshold", (1, 5)),
        ("softsign", ()),
        ("tanhshrink", ()),
        ("sigmoid", ()),
    ]
]


@pytest.mark.parametrize("info, sample", cases(INTEGER_OPS))
def test_integer_inputs_keep_or_promote_the_dtype_as_torch(info, sample):
    check_against_torch(info, sample)


@pytest.mark.parametrize(
    "name", ["leaky_relu", "elu", "selu", "celu", "silu", "mish", "softplus", "hardswish"]
)
def test_floating_only_activations_refuse_integers(name):
    with pytest.raises(NotImplementedError, match=f"{name}.*int64"):
        getattr(F, name)(wright.tensor([1, -2]))


def test_relu_refuses_bools():
    with pytest.raises(RuntimeError, match="bool"):
        F.relu(wright.tensor([True, False]))


def test_extreme_inputs_stay_finite():
    x = wright.tensor([-1e4, -800.0, -50.0, 0.0, 50.0, 800.0, 1e4], requires_grad=True)
    for function in (F.softplus, F.logsigmoid, F.silu, F.mish, F.elu, F.selu, F.sigmoid):
        x.grad = None
        out = function(x)
        out.sum().backward()
        assert np.isfinite(out.array).all(), function.__name__
        assert np.isfinite(x.grad.array).all(), function.__name__
    np.testing.assert_allclose(F.logsigmoid(x).array[[0, -1]], [-1e4, 0.0])


# ----- modules -----

MODULES = [
    ("ReLU", (), {}),
    ("ReLU", (True,), {}),
    ("ReLU6", (), {"inplace": True}),
    ("LeakyReLU", (0.2,), {}),
    ("LeakyReLU", (0.2, True), {}),
    ("ELU", (0.5,), {}),
    ("ELU", (), {"inplace": True}),
    ("SELU", (), {}),
    ("SELU", (True,), {}),
    ("CELU", (0.8,), {}),
    ("SiLU", (), {}),
    ("SiLU", (True,), {}),
    ("Mish", (), {}),
    ("Mish", (True,), {}),
    ("Hardswish", (True,), {}),
    ("Hardsigmoid", (), {}),
    ("Hardtanh", (-0.5, 2.0), {}),
    ("Hardtanh", (), {"min_value": -2.0, "max_value": 0.5}),
    ("Threshold", (0.1, 20.0), {}),
    ("Threshold", (0.1, 20.0, True), {}),
    ("Softplus", (2.0, 5.0), {}),
    ("Softshrink", (0.3,), {}),
    ("Hardshrink", (), {}),
    ("LogSigmoid", (), {}),
    ("Softsign", (), {}),
    ("Tanhshrink", (), {}),
    ("Sigmoid", (), {}),
    ("Tanh", (), {}),
    ("Softmax", (1,), {}),
    ("Softmin", (0,), {}),
    ("LogSoftmax", (-1,), {}),
    ("Softmax2d", (), {}),
    ("GLU", (1,), {}),
    ("RReLU", (0.1, 0.3), {}),
    ("Identity", (54, "unused"), {"also": "ignored"}),
]


@pytest.mark.parametrize(
    "name, args, kwargs", MODULES, ids=[f"{m[0]}{m[1]}{m[2]}" for m in MODULES]
)
def test_modules_match_torch(name, args, kwargs):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    if name == "RReLU":
        ours.eval(), theirs.eval()
    values = np.random.default_rng(0).uniform(-3, 3, size=(2, 4, 3, 5))
    weights = np.random.default_rng(1).standard_normal(values.shape)
    # A non-leaf input, so in-place modules may overwrite it while gradients flow back.
    a, a_torch = wright.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    x, x_torch = a * 1.5, a_torch * 1.5
    out, out_torch = ours(x), theirs(x_torch)
    np.testing.assert_allclose(out.array, out_torch.detach().numpy(), rtol=1e-7, atol=1e-12)
    assert (out is x) == (out_torch is x_torch)
    w = weights.reshape(-1)[: out.numel()].reshape(out.shape)
    (out * wright.tensor(w)).sum().backward()
    (out_torch * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(a.grad.array, a_torch.grad.numpy(), rtol=1e-7, atol=1e-12)


def test_inplace_functions_overwrite_and_return_their_input():
    torch = pytest.importorskip("torch")
    values = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    for name, args in [
        ("relu_", ()),
        ("elu_", (0.5,)),
        ("leaky_relu_", (0.3,)),
        ("hardtanh_", (-1.0, 1.0)),
        ("threshold_", (0.1, 7.0)),
        ("celu_", (2.0,)),
        ("selu_", ()),
        ("rrelu_", ()),
    ]:
        ours, theirs = wright.tensor(values), torch.tensor(values)
        assert getattr(F, name)(ours, *args) is ours
        getattr(torch.nn.functional, name)(theirs, *args)
        np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-12, err_msg=name)


def test_inplace_on_a_leaf_that_requires_grad_is_refused():
    x = wright.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        nn.ReLU(inplace=True)(x)
    with wright.no_grad():
        assert F.relu(x, inplace=True) is x
    assert (x.array >= 0).all()


def test_inplace_after_a_value_was_saved_for_backward_is_caught():
    a = wright.randn(4, requires_grad=True)
    s = a.sigmoid()  # keeps its output for backward
    nn.SiLU(inplace=True)(s)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        s.sum().backward()


@pytest.mark.parametrize("shape", [(5,), (2, 5), (2, 3, 4), (2, 3, 4, 5)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_implicit_softmax_dim_follows_torch_with_a_warning(name, shape):
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(0).standard_normal(shape)
    with pytest.warns(UserWarning, match="implicit"):
        ours = getattr(F, name)(wright.tensor(values))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = getattr(torch.nn.functional, name)(torch.tensor(values))
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-12)


def test_prelu_module_learns_one_slope_per_channel():
    torch = pytest.importorskip("torch")
    ours = nn.PReLU(3, init=0.1, dtype=wright.float64)
    theirs = torch.nn.PReLU(3, init=0.1, dtype=torch.float64)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == ["weight"]
    np.testing.assert_array_equal(ours.weight.array, [0.1, 0.1, 0.1])
    values = np.random.default_rng(0).standard_normal((4, 3, 2))
    x, x_torch = wright.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    (ours(x) ** 2).sum().backward()
    (theirs(x_torch) ** 2).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.array, theirs.weight.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.array, x_torch.grad.numpy(), rtol=1e-12)
    assert nn.PReLU().weight.dtype == np.float32


def test_rrelu_draws_a_slope_per_negative_element_while_training():
    layer = nn.RReLU(0.1, 0.3)
    x = wright.tensor(-np.linspace(0.5, 2.0, 1000), requires_grad=True)
    out = layer(x)
    slopes = out.array / x.array
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.05
    out.sum().backward()
    np.testing.assert_allclose(x.grad.array, slopes, rtol=1e-6)
    positive = wright.tensor([1.0, 2.0])
    np.testing.assert_array_equal(layer(positive).array, [1.0, 2.0])
    layer.eval()
    np.testing.assert_allclose(layer(wright.tensor([-1.0])).array, [-0.2])


def test_gumbel_softmax():
    logits = wright.tensor(np.log([[0.7, 0.2, 0.1]] * 4000), requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.array.sum(-1), 1.0, rtol=1e-6)
    hard = F.gumbel_softmax(logits, hard=True)
    assert set(np.unique(hard.array)) == {0.0, 1.0}
    np.testing.assert_array_equal(hard.array.sum(-1), 1.0)
    np.testing.assert_allclose(hard.array.mean(0), [0.7, 0.2, 0.1], atol=0.03)
    (hard * wright.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert np.abs(logits.grad.array).sum() > 0
    wright.manual_seed(5)
    first = F.gumbel_softmax(logits).array
    wright.manual_seed(5)
    np.testing.assert_array_equal(F.gumbel_softmax(logits).array, first)


def test_argument_errors():
    with pytest.raises(ValueError, match="min_val"):
        F.hardtanh(wright.zeros(2), 1.0, -1.0)
    with pytest.raises(ValueError, match="max_val"):
        nn.Hardtanh(1.0, 1.0)
    with pytest.raises(RuntimeError, match="even"):
        F.glu(wright.zeros(2, 5), 1)
    with pytest.raises(RuntimeError, match="0-d"):
        F.glu(wright.zeros(()))
    with pytest.raises(ValueError, match="3-D or 4-D"):
        nn.Softmax2d()(wright.zeros(2, 3))
    with pytest.raises(RuntimeError, match="3 slopes.*4 channels"):
        F.prelu(wright.zeros(2, 4), wright.ones(3))
    with pytest.raises(RuntimeError, match="scalar or 1-D"):
        F.prelu(wright.zeros(2, 4), wright.ones(4, 1))
    with pytest.raises(RuntimeError, match="lambd"):
        F.softshrink(wright.zeros(2), -1.0)
    with pytest.raises(RuntimeError, match="alpha"):
        F.celu(wright.zeros(2), 0.0)


def test_float32_in_float32_out():
    x = wright.randn(3, 4)
    for name, args, kwargs in MODULES:
        if name not in ("Softmax2d", "GLU"):
            assert getattr(nn, name)(*args, **kwargs)(x.clone()).dtype == np.float32, name
