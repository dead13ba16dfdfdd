"""Special functions (gamma family, Bessel functions, the normal distribution's functions, zeta)
against PyTorch: float64 accuracy over wide ranges, float32 values and gradients, gradcheck and
integer inputs."""

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
    floats,
)

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(0)
WIDE = np.concatenate(
    [
        RNG.uniform(-30, 30, 2000),
        RNG.uniform(-3, 3, 2000),
        RNG.uniform(1e-3, 1, 500),
        [0.0, -1.0, -2.0, 1.0, 2.0, 0.5, -0.5, 1e-300, 170.0, 1e5, -1e-8, np.inf, -np.inf, np.nan],
    ]
)
PROBABILITIES = np.concatenate([RNG.uniform(0, 1, 1000), [0.0, 1.0, 1e-300, 0.5, -0.1, 1.1]])

# name: (wright function, torch function, inputs)
ACCURACY = {
    "lgamma": (wright.lgamma, torch.lgamma, WIDE),
    "digamma": (wright.digamma, torch.digamma, WIDE),
    "polygamma2": (lambda t: wright.polygamma(2, t), lambda t: torch.polygamma(2, t), WIDE),
    "polygamma5": (lambda t: wright.polygamma(5, t), lambda t: torch.polygamma(5, t), WIDE),
    "mvlgamma": (
        lambda t: wright.mvlgamma(t.abs() + 3, 3),
        lambda t: torch.mvlgamma(t.abs() + 3, 3),
        WIDE,
    ),
    "i0": (wright.i0, torch.i0, WIDE),
    "i0e": (wright.special.i0e, torch.special.i0e, WIDE),
    "i1": (wright.special.i1, torch.special.i1, WIDE),
    "i1e": (wright.special.i1e, torch.special.i1e, WIDE),
    "erfcx": (wright.special.erfcx, torch.special.erfcx, WIDE),
    # Below -8 torch's ndtr loses relative accuracy (it is 0.5 erfc(-x / sqrt 2) there).
    "ndtr": (wright.special.ndtr, torch.special.ndtr, WIDE[~(WIDE < -8)]),
    "log_ndtr": (wright.special.log_ndtr, torch.special.log_ndtr, WIDE),
    "ndtri": (wright.special.ndtri, torch.special.ndtri, PROBABILITIES),
    "entr": (wright.special.entr, torch.special.entr, WIDE),
    "spherical_bessel_j0": (
        wright.special.spherical_bessel_j0,
        torch.special.spherical_bessel_j0,
        WIDE,
    ),
    "zeta": (
        lambda t: wright.special.zeta(t.abs() + 1.1, 2.5),
        lambda t: torch.special.zeta(t.abs() + 1.1, 2.5),
        WIDE,
    ),
    "xlog1py": (
        lambda t: wright.special.xlog1py(t, t.abs()),
        lambda t: torch.special.xlog1py(t, t.abs()),
        WIDE,
    ),
}


@pytest.mark.parametrize("ours, theirs, values", ACCURACY.values(), ids=ACCURACY.keys())
def test_float64_accuracy_matches_torch(ours, theirs, values):
    found = ours(wright.tensor(values)).numpy()
    expected = theirs(torch.tensor(values)).numpy()
    # Relative accuracy where the value is large, absolute near zero (torch's own round-off
    # near the zeros of lgamma and digamma is about 1e-13 relative to 1).
    np.testing.assert_allclose(found, expected, rtol=2e-12, atol=1e-13, equal_nan=True)


@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_incomplete_gamma_matches_torch(name):
    rng = np.random.default_rng(1)
    a = np.concatenate(
        [rng.uniform(0, 5, 2000), rng.uniform(0, 200, 1000), 10 ** rng.uniform(-5, 3, 1000)]
    )
    x = np.concatenate(
        [rng.uniform(0, 10, 2000), rng.uniform(0, 300, 1000), 10 ** rng.uniform(-5, 3, 1000)]
    )
    edges_a = [0.0, 0.0, 1.0, 1.0, -1.0, 1.0, np.inf, 2.0, 0.0, 3.0, np.inf]
    edges_x = [1.0, 0.0, 0.0, np.inf, 1.0, -1.0, 1.0, np.nan, np.inf, np.inf, np.inf]
    a, x = np.concatenate([a, edges_a]), np.concatenate([x, edges_x])
    found = getattr(wright, name)(wright.tensor(a), wright.tensor(x)).numpy()
    expected = getattr(torch, name)(torch.tensor(a), torch.tensor(x)).numpy()
    # torch's own values are accurate to about 2e-9 relative (wright's to about 1e-13).
    np.testing.assert_allclose(found, expected, rtol=5e-9, atol=1e-9, equal_nan=True)


def test_trigamma_at_poles_is_infinite():
    # torch returns huge finite numbers there; the pole is +inf. Elsewhere torch's trigamma is
    # accurate to about 5e-10 relative (wright's to round-off).
    assert wright.polygamma(1, wright.tensor([-1.0, -2.0, 0.0])).isinf().all()
    np.testing.assert_allclose(
        wright.polygamma(1, wright.tensor(WIDE[:4000])).numpy(),
        torch.polygamma(1, torch.tensor(WIDE[:4000])).numpy(),
        rtol=1e-9,
    )


def _unary(low, high):
    def samples(rng):
        yield Sample((floats(rng, 3, 4, low=low, high=high),), label="2d")
        yield Sample((floats(rng, low=low, high=high),), label="0d")
        yield Sample((floats(rng, 5, low=low, high=high, dtype=np.float64),), label="float64")
        yield Sample((floats(rng, 4, 3, low=low, high=high).T,), label="transposed")
        yield Sample((np.array([1, 2, 5]),), label="int")

    return samples


def _pair(low, high):
    def samples(rng):
        yield Sample((floats(rng, 3, 1, low=low, high=high), floats(rng, 4, low=low, high=high)))
        yield Sample((floats(rng, 3, low=low, high=high), 1.5), label="number")

    return samples


OPS = [
    OpInfo("lgamma", lambda lib, x: lib.lgamma(x), _unary(0.1, 5)),
    OpInfo("lgamma-negative", lambda lib, x: x.lgamma(), _unary(-2.9, -2.1)),
    OpInfo("digamma", lambda lib, x: lib.digamma(x), _unary(0.1, 5)),
    OpInfo("polygamma1", lambda lib, x: lib.polygamma(1, x), _unary(0.2, 5)),
    OpInfo("polygamma3", lambda lib, x: x.polygamma(3), _unary(0.2, 5), rtol=1e-4),
    OpInfo("mvlgamma", lambda lib, x: lib.mvlgamma(x, 2), _unary(1.1, 5)),
    OpInfo("i0", lambda lib, x: lib.i0(x), _unary(-5, 5)),
    OpInfo("special.i0e", lambda lib, x: lib.special.i0e(x), _unary(-5, 5)),
    OpInfo("special.i1", lambda lib, x: lib.special.i1(x), _unary(-5, 5)),
    OpInfo("special.i1e", lambda lib, x: lib.special.i1e(x), _unary(-5, 5)),
    OpInfo("special.erfcx", lambda lib, x: lib.special.erfcx(x), _unary(-3, 10)),
    OpInfo("special.ndtr", lambda lib, x: lib.special.ndtr(x), _unary(-3, 3)),
    OpInfo("special.log_ndtr", lambda lib, x: lib.special.log_ndtr(x), _unary(-10, 3)),
    OpInfo("special.ndtri", lambda lib, x: lib.special.ndtri(x), _unary(0.05, 0.95)),
    OpInfo("special.entr", lambda lib, x: lib.special.entr(x), _unary(0.1, 3)),
    OpInfo("special.gammaln", lambda lib, x: lib.special.gammaln(x), _unary(0.1, 5)),
    OpInfo("special.psi", lambda lib, x: lib.special.psi(x), _unary(0.1, 5)),
    OpInfo("special.multigammaln", lambda lib, x: lib.special.multigammaln(x, 3), _unary(2, 5)),
    OpInfo("special.expit", lambda lib, x: lib.special.expit(x), _unary(-3, 3)),
    OpInfo(
        "special.spherical_bessel_j0",
        lambda lib, x: lib.special.spherical_bessel_j0(x),
        _unary(-5, 5),
    ),
    OpInfo("special.xlog1py", lambda lib, x, y: lib.special.xlog1py(x, y), _pair(0.1, 3)),
    OpInfo(
        "special.zeta",
        lambda lib, x, y: lib.special.zeta(x, y),
        _pair(1.5, 4),
        # PyTorch does not differentiate zeta.
        differentiable=False,
    ),
    OpInfo(
        "igamma",
        lambda lib, a, x: lib.igamma(a, x),
        lambda rng: [
            Sample((Const(floats(rng, 3, 4, low=0.5, high=4)), floats(rng, 4, low=0.1, high=5)))
        ],
    ),
    OpInfo(
        "igammac",
        lambda lib, a, x: a.igammac(x),
        lambda rng: [
            Sample(
                (
                    Const(floats(rng, 5, low=0.5, high=4, dtype=np.float64)),
                    floats(rng, 5, low=0.1, high=5, dtype=np.float64),
                )
            )
        ],
    ),
    OpInfo(
        "special.gammainc",
        lambda lib, a, x: lib.special.gammainc(a, x),
        lambda rng: [
            Sample((Const(floats(rng, 4, low=0.5, high=4)), floats(rng, 4, low=2, high=9)))
        ],
    ),
    OpInfo("lgamma_", lambda lib, x: x.clone().lgamma_(), _unary(0.1, 5)),
    OpInfo("digamma_", lambda lib, x: x.clone().digamma_(), _unary(0.1, 5)),
    OpInfo("polygamma_", lambda lib, x: x.clone().polygamma_(1), _unary(0.2, 5)),
]


def _float_only(ops):
    # In-place forms need a float tensor to write into; the int samples are for the others.
    return [o for o in ops if not o.name.endswith("_")]


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_matches_torch(info, sample):
    if info.name.endswith("_") and sample.label == "int":
        pytest.skip("in place into an int tensor")
    check_against_torch(info, sample, devices=HOST_ONLY)  # host-only ops: docs/gpu.md


@pytest.mark.parametrize("info, sample", cases([o for o in _float_only(OPS) if o.gradcheck]))
def test_gradcheck(info, sample):
    check_gradcheck(info, sample)


def test_errors_match_torch():
    from opinfo import check_same_error

    check_same_error(lambda lib: lib.polygamma(-1, lib.ones(2)))
    check_same_error(lambda lib: lib.mvlgamma(lib.ones(2) * 3, 0))
    check_same_error(lambda lib: lib.igamma(lib.tensor([2]), lib.tensor([3])))
    check_same_error(
        lambda lib: lib.igamma(lib.ones(2, requires_grad=True), lib.ones(2)).sum().backward()
    )
