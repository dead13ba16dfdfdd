"""GELU and F.gelu (exact and tanh) against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from opinfo import OpInfo, cases, check_against_torch, check_gradcheck, unary_samples
from wright import nn

torch = pytest.importorskip("torch")

OPS = [
    OpInfo("gelu", lambda lib, x: lib.nn.functional.gelu(x), unary_samples(-4.0, 4.0)),
    OpInfo(
        "gelu_tanh",
        lambda lib, x: lib.nn.functional.gelu(x, approximate="tanh"),
        unary_samples(-4.0, 4.0),
    ),
    OpInfo("GELU", lambda lib, x: lib.nn.GELU("tanh")(lib.nn.GELU()(x)), unary_samples()),
]


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_matches_torch(info, sample):
    check_against_torch(info, sample)


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_gradcheck(info, sample):
    check_gradcheck(info, sample)


def test_gelu_far_from_zero_and_special_values_match_torch():
    x = np.array([-40.0, -10.0, -5.5, 5.5, 40.0, np.inf, -np.inf, np.nan])
    for approximate in ("none", "tanh"):
        ours = nn.functional.gelu(wright.tensor(x), approximate=approximate).array
        theirs = torch.nn.functional.gelu(torch.tensor(x), approximate=approximate).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-14, atol=1e-300, equal_nan=True)


def test_module_repr_and_errors():
    assert repr(nn.GELU()) == repr(torch.nn.GELU()) == "GELU(approximate='none')"
    assert repr(nn.GELU("tanh")) == repr(torch.nn.GELU("tanh"))
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        nn.GELU("fast")(wright.ones(2))
    with pytest.raises(NotImplementedError, match="gelu"):
        nn.functional.gelu(wright.tensor([1, 2]))
