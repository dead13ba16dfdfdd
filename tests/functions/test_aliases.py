"""Other spellings of existing ops against PyTorch: in-place comparisons, comparison aliases,
`Tensor.where`, `rsub`, `fill` and the top-level forms of in-place methods."""

import numpy as np
import pytest

import wright
from opinfo import (
    DEVICES,
    HOST_ONLY,
    Const,
    OpInfo,
    Sample,
    cases,
    check_against_torch,
    check_gradcheck,
    floats,
)


def _pair(rng):
    yield Sample((floats(rng, 3, 4), floats(rng, 4)), label="broadcast")
    yield Sample((floats(rng, 3, 4), 0.5), label="number")
    yield Sample((floats(rng, 2, 3, dtype=np.float64), floats(rng, 2, 3)), label="float64")


def _pair_const(rng):
    # The other operand of an in-place comparison gets a zero gradient in torch, None in wright.
    for sample in _pair(rng):
        x, y = sample.args
        yield Sample((x, Const(y) if isinstance(y, np.ndarray) else y), label=sample.label)


def _one(rng):
    yield Sample((floats(rng, 3, 4, low=0.1, high=0.9),), label="2d")
    yield Sample((floats(rng),), label="0d")


COMPARISONS = (
    [
        OpInfo(
            f"{name}_", lambda lib, x, y, name=name: getattr(x.clone(), f"{name}_")(y), _pair_const
        )
        for name in ("eq", "ne", "lt", "le", "gt", "ge")
    ]
    + [
        OpInfo(name, lambda lib, x, y, name=name: getattr(x, name)(y), _pair, differentiable=False)
        for name in ("greater", "greater_equal", "less", "less_equal", "not_equal")
    ]
    + [
        OpInfo(
            f"{name}_",
            lambda lib, x, y, name=name: getattr(x.clone(), f"{name}_")(y),
            _pair_const,
        )
        for name in ("greater", "greater_equal", "less", "less_equal", "not_equal")
    ]
)

OTHERS = [
    OpInfo("where-method", lambda lib, x, y: x.where(x > 0, y), _pair, gradcheck=False),
    OpInfo("rsub", lambda lib, x, y: lib.rsub(x, y), _pair),
    OpInfo("rsub-alpha", lambda lib, x, y: lib.rsub(x, y, alpha=3), _pair),
    OpInfo("diagflat-method", lambda lib, x: x.diagflat(1), _one),
]
FUNCTION_FORMS = [
    OpInfo(name, lambda lib, x, name=name: getattr(lib, name)(x.clone()), _one)
    for name in (
        "abs_",
        "acos_",
        "asin_",
        "atan_",
        "ceil_",
        "cos_",
        "erf_",
        "exp_",
        "expm1_",
        "floor_",
        "frac_",
        "log_",
        "log1p_",
        "neg_",
        "reciprocal_",
        "relu_",
        "round_",
        "rsqrt_",
        "sigmoid_",
        "sin_",
        "sqrt_",
        "square_",
        "tan_",
        "tanh_",
        "trunc_",
        "zero_",
        "logit_",
        "i0_",
    )
] + [
    OpInfo("clamp_", lambda lib, x: lib.clamp_(x.clone(), 0.3, 0.6), _one, gradcheck=False),
    OpInfo("fill_", lambda lib, x: lib.fill_(x.clone(), 2.5), _one),
    OpInfo("xlogy_", lambda lib, x: lib.xlogy_(x.clone(), 2.0), _one),
]


@pytest.mark.parametrize("info, sample", cases(COMPARISONS + OTHERS + FUNCTION_FORMS))
def test_matches_torch(info, sample):
    # i0 computes on the host only (docs/gpu.md).
    check_against_torch(info, sample, devices=HOST_ONLY if info.name == "i0_" else DEVICES)


@pytest.mark.parametrize("info, sample", cases(OTHERS))
def test_gradcheck(info, sample):
    check_gradcheck(info, sample)


def test_in_place_comparison_keeps_dtype_and_bumps_version():
    x = wright.tensor([1, 5, 3])
    before = x._version
    assert x.gt_(2) is x
    assert x.dtype == wright.int64 and x.tolist() == [0, 1, 1]
    assert x._version > before


def test_fill_is_out_of_place():
    torch = pytest.importorskip("torch")
    x = wright.tensor([1, 2])
    assert wright.fill(x, 7).tolist() == torch.fill(torch.tensor([1, 2]), 7).tolist()
    assert x.tolist() == [1, 2]
