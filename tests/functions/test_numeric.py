"""Numerical helpers against PyTorch: gcd/lcm/ldexp/frexp/nextafter, integration, statistics,
vander, isin, unravel_index, renorm, norms, matrix_exp, windows, dtype limits and constants."""

import math

import numpy as np
import pytest

import wright
from opinfo import (
    HOST_ONLY,
    Const,
    OpInfo,
    Sample,
    cases,
    check_against_torch,
    check_gradcheck,
    check_same_error,
    floats,
)

torch = pytest.importorskip("torch")


def _ints(rng):
    yield Sample((rng.integers(-20, 20, (3, 4)), rng.integers(-20, 20, (4,))))
    yield Sample((rng.integers(0, 30, (5,)).astype(np.int32), np.array(12, np.int32)), label="0d")


def _pair(rng):
    yield Sample((floats(rng, 3, 4), floats(rng, 4)))
    yield Sample((floats(rng, 5, dtype=np.float64), floats(rng, 5, dtype=np.float64)), label="64")


def _one(*shape, low=-2.0, high=2.0):
    def samples(rng):
        yield Sample((floats(rng, *shape, low=low, high=high),))
        yield Sample((floats(rng, *shape, low=low, high=high, dtype=np.float64),), label="64")

    return samples


def _with_x(rng):
    yield Sample((floats(rng, 3, 5), np.sort(floats(rng, 5))), label="x-1d")
    yield Sample((floats(rng, 3, 5), np.sort(floats(rng, 3, 5), axis=1)), label="x-same-shape")


OPS = [
    OpInfo("gcd", lambda lib, a, b: lib.gcd(a, b), _ints, differentiable=False),
    OpInfo("lcm", lambda lib, a, b: a.lcm(b), _ints, differentiable=False),
    OpInfo("gcd_", lambda lib, a, b: a.clone().gcd_(b), _ints, differentiable=False),
    OpInfo(
        "ldexp",
        lambda lib, a, b: lib.ldexp(a, b),
        # Non-negative exponents: torch's gradient is 0 for negative ones (it uses 2^other in
        # integers), though its values are right.
        lambda rng: [Sample((floats(rng, 3, 4), Const(rng.integers(0, 4, (4,)))))],
    ),
    OpInfo("frexp", lambda lib, a: lib.frexp(a * 100), _one(3, 4), differentiable=False),
    OpInfo("nextafter", lambda lib, a, b: lib.nextafter(a, b), _pair, differentiable=False),
    OpInfo("angle", lambda lib, a: a.angle(), _one(3, 4), differentiable=False),
    OpInfo("trapezoid", lambda lib, y: lib.trapezoid(y), _one(3, 5)),
    OpInfo("trapezoid-dx", lambda lib, y: lib.trapezoid(y, dx=0.5, dim=0), _one(3, 5)),
    OpInfo("trapezoid-x", lambda lib, y, x: lib.trapezoid(y, x), _with_x),
    OpInfo("trapz", lambda lib, y, x: lib.trapz(y, x), _with_x),
    # torch's backward with sample points fails (a saved tensor changed in place): values only.
    OpInfo(
        "cumulative_trapezoid",
        lambda lib, y, x: lib.cumulative_trapezoid(y, x),
        _with_x,
        differentiable=False,
    ),
    OpInfo(
        "cumulative_trapezoid-dx",
        lambda lib, y: lib.cumulative_trapezoid(y, dx=2.0, dim=0),
        _one(4, 3),
    ),
    OpInfo("gradient", lambda lib, x: lib.gradient(x), _one(3, 5)),
    OpInfo("gradient-edge2", lambda lib, x: lib.gradient(x, dim=1, edge_order=2), _one(3, 5)),
    OpInfo("gradient-spacings", lambda lib, x: lib.gradient(x, spacing=[2.0, 0.5]), _one(4, 3)),
    OpInfo(
        "gradient-coordinates",
        lambda lib, x, c: lib.gradient(x, spacing=(c,), dim=-1, edge_order=2),
        lambda rng: [
            Sample((floats(rng, 2, 5), Const(np.array([0.0, 0.5, 2.0, 2.5, 4.0], np.float32))))
        ],
        rtol=1e-4,
    ),
    OpInfo("cov", lambda lib, x: lib.cov(x), _one(3, 6)),
    OpInfo("cov-1d", lambda lib, x: x.cov(correction=0), _one(6)),
    OpInfo(
        "cov-weights",
        lambda lib, x, f, a: lib.cov(x, fweights=f, aweights=a),
        lambda rng: [
            Sample(
                (
                    floats(rng, 2, 5),
                    Const(rng.integers(1, 4, 5)),
                    Const(np.asarray(rng.uniform(0.5, 2, 5), np.float32)),
                )
            )
        ],
    ),
    OpInfo("corrcoef", lambda lib, x: lib.corrcoef(x), _one(3, 6)),
    # torch's vander backward fails (a saved tensor changed in place): values here, gradients
    # by gradcheck below.
    OpInfo("vander", lambda lib, x: lib.vander(x), _one(4), differentiable=False),
    OpInfo(
        "vander-increasing", lambda lib, x: lib.vander(x, 3, True), _one(5), differentiable=False
    ),
    OpInfo(
        "vander-int",
        lambda lib, x: lib.vander(x, 4),
        lambda rng: [Sample((rng.integers(-3, 3, 4),))],
    ),
    OpInfo("renorm", lambda lib, x: x.renorm(2, 0, 1.0), _one(3, 4), gradcheck=False),
    OpInfo("renorm-p1-dim1", lambda lib, x: lib.renorm(x, 1, 1, 1.5), _one(3, 4), gradcheck=False),
    OpInfo("renorm_", lambda lib, x: x.clone().renorm_(2, -1, 0.5), _one(3, 4), gradcheck=False),
    OpInfo("frobenius_norm", lambda lib, x: lib.frobenius_norm(x, (0, 1)), _one(3, 4)),
    OpInfo("nuclear_norm", lambda lib, x: lib.nuclear_norm(x), _one(3, 4), rtol=1e-4),
    OpInfo(
        "nuclear_norm-dim",
        lambda lib, x: lib.nuclear_norm(x, (0, 2), True),
        _one(3, 2, 4),
        rtol=1e-4,
    ),
    OpInfo(
        "chain_matmul",
        lambda lib, a, b, c: lib.chain_matmul(a, b, c),
        lambda rng: [Sample((floats(rng, 2, 3), floats(rng, 3, 4), floats(rng, 4, 2)))],
    ),
    OpInfo("matrix_exp", lambda lib, x: lib.matrix_exp(x), _one(3, 3), rtol=1e-4, atol=1e-5),
    OpInfo(
        "matrix_exp-batch",
        lambda lib, x: x.matrix_exp(),
        _one(2, 4, 4, low=-3, high=3),
        rtol=1e-4,
        atol=1e-4,
    ),
    OpInfo("linalg.matrix_exp", lambda lib, x: lib.linalg.matrix_exp(x), _one(2, 2)),
    OpInfo(
        "triangular_solve",
        lambda lib, b, a: lib.triangular_solve(b, a + 3 * lib.eye(3)),
        lambda rng: [Sample((floats(rng, 3, 2), floats(rng, 3, 3)))],
        rtol=1e-4,
    ),
    OpInfo(
        "triangular_solve-lower-transpose",
        lambda lib, b, a: b.triangular_solve(a + 3 * lib.eye(3), False, True),
        lambda rng: [Sample((floats(rng, 3, 2), floats(rng, 3, 3)))],
        rtol=1e-4,
    ),
]


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_matches_torch(info, sample):
    check_against_torch(info, sample, devices=HOST_ONLY)  # host-only ops: docs/gpu.md


@pytest.mark.parametrize("info, sample", cases([o for o in OPS if o.gradcheck]))
def test_gradcheck(info, sample):
    check_gradcheck(info, sample)


def _same(ours, theirs):
    if isinstance(theirs, tuple | list):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b)
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype)[7:] == str(theirs.dtype)[6:]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-7)


CALLS = {
    "histogram": lambda lib: lib.histogram(lib.tensor([1.0, 2.0, 1.0, 4.0, 2.5]), 4),
    "histogram-range-density": lambda lib: lib.histogram(
        lib.tensor([1.0, 2.0, 1.0, 4.0]), 3, range=(0.0, 3.0), density=True
    ),
    "histogram-edges-weights": lambda lib: lib.tensor([1.0, 2.0, 1.0, 4.0]).histogram(
        lib.tensor([0.0, 1.5, 5.0]), weight=lib.tensor([1.0, 2.0, 3.0, 4.0])
    ),
    "histogramdd": lambda lib: lib.histogramdd(
        lib.tensor([[0.0, 1.0], [1.0, 0.5], [0.5, 0.5], [2.0, 2.0]]), [2, 3]
    ),
    "histogramdd-range": lambda lib: lib.histogramdd(
        lib.tensor([[0.0, 1.0], [1.0, 0.5]]), 2, range=[0.0, 1.0, 0.0, 2.0]
    ),
    "isin": lambda lib: lib.isin(lib.tensor([[1, 2], [3, 4]]), lib.tensor([2, 3])),
    "isin-invert-scalar": lambda lib: lib.isin(lib.tensor([1, 2, 3]), 2, invert=True),
    "unravel_index": lambda lib: lib.unravel_index(lib.tensor([4, 1, -1]), (2, 3)),
    "unravel_index-int": lambda lib: lib.unravel_index(lib.tensor(5), 7),
    "unravel_index-wraps": lambda lib: lib.unravel_index(lib.tensor([9, -5, -1]), (2, 2)),
    "scalar_tensor": lambda lib: lib.scalar_tensor(3),
    "scalar_tensor-dtype": lambda lib: lib.scalar_tensor(2.5, dtype=lib.float64),
    "frexp-fields": lambda lib: tuple(lib.frexp(lib.tensor([0.0, 3.0, -0.1, 1e10]))),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_values_match_torch(call):
    _same(call(wright), call(torch))


@pytest.mark.parametrize(
    "name", ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]
)
@pytest.mark.parametrize("length", [0, 1, 2, 7])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows_match_torch(name, length, periodic):
    _same(getattr(wright, name)(length, periodic), getattr(torch, name)(length, periodic))
    _same(
        getattr(wright, name)(length, dtype=wright.float64),
        getattr(torch, name)(length, dtype=torch.float64),
    )
    assert getattr(wright, name)(3, requires_grad=True).requires_grad


def test_window_options_match_torch():
    _same(wright.hamming_window(6, True, 0.5, 0.5), torch.hamming_window(6, True, 0.5, 0.5))
    _same(wright.kaiser_window(6, True, 3.0), torch.kaiser_window(6, True, 3.0))


def test_vander_gradcheck():
    x = wright.tensor([0.5, -1.5, 2.0, 0.0], dtype=wright.float64, requires_grad=True)
    assert wright.autograd.gradcheck(lambda t: wright.vander(t, 5), [x])
    assert wright.autograd.gradcheck(lambda t: wright.vander(t, 3, True), [x])


@pytest.mark.parametrize("name", ["float32", "float64", "float16"])
def test_finfo_matches_torch(name):
    ours, theirs = wright.finfo(getattr(wright, name)), torch.finfo(getattr(torch, name))
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert repr(ours) == repr(theirs)
    assert wright.finfo().eps == torch.finfo().eps


@pytest.mark.parametrize("name", ["int64", "int32", "uint8", "int16"])
def test_iinfo_matches_torch(name):
    ours, theirs = wright.iinfo(getattr(wright, name)), torch.iinfo(getattr(torch, name))
    for field in ("bits", "max", "min", "dtype"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert repr(ours) == repr(theirs)


def test_constants_match_torch():
    assert wright.pi == torch.pi and wright.e == torch.e and wright.inf == torch.inf
    assert math.isnan(wright.nan) and wright.newaxis is None
    x = wright.arange(3.0)
    assert tuple(x[:, wright.newaxis].shape) == (3, 1)


ERRORS = {
    "gcd-float": lambda lib: lib.gcd(lib.ones(2), lib.ones(2)),
    "frexp-int": lambda lib: lib.frexp(lib.tensor([1, 2])),
    "vander-2d": lambda lib: lib.vander(lib.ones(2, 2)),
    "renorm-p0": lambda lib: lib.renorm(lib.ones(2, 2), 0, 0, 1.0),
    "matrix_exp-not-square": lambda lib: lib.matrix_exp(lib.ones(2, 3)),
    "finfo-int": lambda lib: lib.finfo(lib.int64),
    "iinfo-float": lambda lib: lib.iinfo(lib.float32),
    "unravel-float": lambda lib: lib.unravel_index(lib.tensor([1.0]), (2, 2)),
    "window-negative": lambda lib: lib.hann_window(-1),
    "gradient-too-short": lambda lib: lib.gradient(lib.ones(2), edge_order=2),
    "gradient-spacing-length": lambda lib: lib.gradient(lib.ones(3, 3), spacing=[1.0], dim=None),
}


@pytest.mark.parametrize("call", ERRORS.values(), ids=ERRORS.keys())
def test_errors_match_torch(call):
    check_same_error(call)
