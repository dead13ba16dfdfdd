"""GELU and F.gelu (exact and tanh) against PyTorch, and the vectorised erf behind the exact one."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from opinfo import OpInfo, cases, check_against_torch, check_gradcheck, unary_samples
from wright import nn
from wright.ops.gelu import erf_array

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


def test_erf_agrees_with_torch_to_rounding():
    x = np.concatenate([np.linspace(-7, 7, 200_001), np.geomspace(1e-300, 1, 1000)])
    expected = torch.erf(torch.tensor(x)).numpy()
    found = erf_array(x)
    np.testing.assert_allclose(found, expected, rtol=2e-15, atol=1e-15)
    single = x.astype(np.float32)
    expected = torch.erf(torch.tensor(single)).numpy()
    found = erf_array(single)
    assert found.dtype == np.float32
    np.testing.assert_allclose(found, expected, rtol=3e-7, atol=1.2e-7)
    special = erf_array(np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 30.0]))
    assert np.isnan(special[0]) and special[1:3].tolist() == [1.0, -1.0]
    assert special[3] == 0 and np.signbit(special[4]) and special[5] == 1.0


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
