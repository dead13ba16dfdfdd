"""Elementwise functions against PyTorch (values, dtypes, gradients) and finite differences."""

import numpy as np
import pytest

from opinfo import (
    OpInfo,
    Sample,
    cases,
    check_against_torch,
    check_gradcheck,
    floats,
    unary_samples,
)


def _binary_samples(rng):
    yield Sample((floats(rng, 3, 4), floats(rng, 3, 4)), label="same")
    yield Sample((floats(rng, 3, 1), floats(rng, 4)), label="broadcast")
    yield Sample((floats(rng, 2, 3), 1.5), label="number")
    yield Sample((np.arange(6).reshape(2, 3), floats(rng, 3)), label="int_float")
    yield Sample((np.arange(6).reshape(2, 3), np.array(2.5)), label="int_0d_float64")


OPS = [
    OpInfo("exp", lambda lib, x: lib.exp(x), unary_samples()),
    OpInfo("log", lambda lib, x: x.log(), unary_samples(0.1, 3.0)),
    OpInfo("sqrt", lambda lib, x: lib.sqrt(x), unary_samples(0.1, 3.0)),
    OpInfo("tanh", lambda lib, x: x.tanh(), unary_samples()),
    OpInfo("sigmoid", lambda lib, x: lib.sigmoid(x), unary_samples()),
    OpInfo("add", lambda lib, a, b: lib.add(a, b, alpha=2), _binary_samples),
    OpInfo("mul", lambda lib, a, b: a * b, _binary_samples),
    OpInfo("div", lambda lib, a, b: a / b, _binary_samples, gradcheck=False),
    OpInfo(
        "maximum",
        lambda lib, a, b: lib.maximum(a, b if hasattr(b, "shape") and b.ndim else a),
        _binary_samples,
    ),
]


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_matches_torch(info, sample):
    check_against_torch(info, sample)


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_gradcheck(info, sample):
    check_gradcheck(info, sample)


VIEWS = [
    OpInfo(
        "flatten", lambda lib, x: lib.flatten(x, 1), lambda rng: [Sample((floats(rng, 2, 3, 4),))]
    ),
    OpInfo(
        "reshape",
        lambda lib, x: lib.reshape(x, (4, -1)),
        lambda rng: [Sample((floats(rng, 2, 3, 4),))],
    ),
    OpInfo(
        "transpose",
        lambda lib, x: lib.transpose(x, 0, 2),
        lambda rng: [Sample((floats(rng, 2, 3, 4),))],
    ),
    OpInfo(
        "permute",
        lambda lib, x: lib.permute(x, (2, 0, 1)),
        lambda rng: [Sample((floats(rng, 2, 3, 4),))],
    ),
    OpInfo("squeeze", lambda lib, x: lib.squeeze(x, 0), lambda rng: [Sample((floats(rng, 1, 3),))]),
    OpInfo(
        "unsqueeze", lambda lib, x: lib.unsqueeze(x, -1), lambda rng: [Sample((floats(rng, 3),))]
    ),
    OpInfo("t", lambda lib, x: lib.t(x), lambda rng: [Sample((floats(rng, 2, 3),))]),
    OpInfo("chunk", lambda lib, x: lib.chunk(x, 2, 1), lambda rng: [Sample((floats(rng, 2, 5),))]),
    OpInfo("clone", lambda lib, x: lib.clone(x) * 2, lambda rng: [Sample((floats(rng, 2, 5),))]),
]


@pytest.mark.parametrize("info, sample", cases(VIEWS))
def test_view_functions_match_torch(info, sample):
    check_against_torch(info, sample)
