"""LayerNorm and RMSNorm (and F.layer_norm, F.rms_norm) against PyTorch: values, gradients of the
input, weight and bias, finite differences in float64, state dicts and reprs."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from opinfo import OpInfo, Sample, cases, check_against_torch, check_gradcheck, floats
from torch_pairs import assert_close, run, same_module
from wright import nn

torch = pytest.importorskip("torch")


def _layer_norm_samples(rng):
    yield Sample((floats(rng, 3, 4), (4,), floats(rng, 4), floats(rng, 4)), label="last")
    x64, w64 = floats(rng, 2, 3, 4, dtype=np.float64), floats(rng, 3, 4, dtype=np.float64)
    yield Sample((x64, (3, 4), w64), label="two_dims_64")
    yield Sample((floats(rng, 4, 5).T, [4]), label="transposed_no_affine")
    yield Sample((floats(rng, 6), (6,), None, floats(rng, 6)), label="1d_bias_only")
    yield Sample((floats(rng, 0, 3), (3,), floats(rng, 3)), label="empty")
    yield Sample((floats(rng, 2, 5), (5,)), {"eps": 0.5}, label="eps")


def _rms_norm_samples(rng):
    yield Sample((floats(rng, 3, 4), (4,), floats(rng, 4)), label="last")
    x64, w64 = floats(rng, 2, 3, 4, dtype=np.float64), floats(rng, 3, 4, dtype=np.float64)
    yield Sample((x64, (3, 4), w64), label="two_dims_64")
    yield Sample((floats(rng, 4, 5).T, [4]), label="transposed_no_weight")
    yield Sample((floats(rng, 6), (6,), floats(rng, 6)), label="1d")
    yield Sample((floats(rng, 0, 3), (3,), floats(rng, 3)), label="empty")
    yield Sample((floats(rng, 2, 5), (5,)), {"eps": 0.5}, label="eps")


OPS = [
    OpInfo(
        "layer_norm",
        lambda lib, x, shape, *params, **kw: lib.nn.functional.layer_norm(x, shape, *params, **kw),
        _layer_norm_samples,
        rtol=1e-4,
        atol=1e-5,
    ),
    OpInfo(
        "rms_norm",
        lambda lib, x, shape, *params, **kw: lib.nn.functional.rms_norm(x, shape, *params, **kw),
        _rms_norm_samples,
        rtol=1e-4,
        atol=1e-5,
    ),
]


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_matches_torch(info, sample):
    check_against_torch(info, sample)


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_gradcheck(info, sample):
    check_gradcheck(info, sample)


@pytest.mark.parametrize(
    "build",
    [
        lambda lib, dtype: lib.nn.LayerNorm(6, dtype=dtype),
        lambda lib, dtype: lib.nn.LayerNorm([3, 6], eps=1e-3, bias=False, dtype=dtype),
        lambda lib, dtype: lib.nn.LayerNorm(6, elementwise_affine=False, dtype=dtype),
        lambda lib, dtype: lib.nn.RMSNorm(6, dtype=dtype),
        lambda lib, dtype: lib.nn.RMSNorm([3, 6], eps=1e-4, dtype=dtype),
        lambda lib, dtype: lib.nn.RMSNorm(6, elementwise_affine=False, dtype=dtype),
    ],
    ids=["layer", "layer_2d_no_bias", "layer_plain", "rms", "rms_2d_eps", "rms_plain"],
)
def test_modules_match_torch_on_the_same_state_dict(build):
    ours, theirs = same_module(build)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal((2, 3, 6)) * 3 + 1
    assert_close(run(ours, wright, {"x": x}), run(theirs, torch, {"x": x}))


def test_layer_norm_normalises_each_sample_alone():
    norm = nn.LayerNorm(8)
    x = wright.randn(4, 8) * 5 + 3
    out = norm(x).array
    np.testing.assert_allclose(out.mean(axis=-1), 0, atol=1e-5)
    np.testing.assert_allclose(out.var(axis=-1), 1, atol=1e-3)
    np.testing.assert_allclose(norm(x[:1]).array, out[:1], rtol=1e-6)  # no batch statistics
    assert norm.eval()(x).shape == (4, 8)


def test_parameter_dtype_and_defaults():
    norm = nn.LayerNorm(3, dtype=wright.float64)
    assert norm.weight.dtype == wright.float64 and norm.weight.array.tolist() == [1.0] * 3
    assert norm.bias.array.tolist() == [0.0] * 3
    assert nn.RMSNorm(2).eps is None
    x = wright.randn(2, 3)
    assert nn.functional.layer_norm(x, 3).shape == (2, 3)  # an int shape is accepted too
    # eps=None is the dtype's machine epsilon, as in PyTorch.
    x = wright.tensor([[1e-5, -1e-5]], dtype=wright.float64)
    expected = torch.nn.functional.rms_norm(torch.tensor(x.array), [2])
    np.testing.assert_allclose(nn.functional.rms_norm(x, [2]).array, expected.numpy())
    with pytest.raises(RuntimeError, match="not available"):
        nn.LayerNorm(3, device="cuda")


def test_errors_name_the_shapes():
    x = wright.randn(2, 3)
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[4\], expected input with shape"):
        nn.functional.layer_norm(x, (4,))
    with pytest.raises(RuntimeError, match=r"weight of shape \[4\] and normalized_shape = \[3\]"):
        nn.functional.layer_norm(x, (3,), weight=wright.ones(4))
    with pytest.raises(RuntimeError, match="at least 1-dimensional"):
        nn.functional.layer_norm(x, ())
    with pytest.raises(RuntimeError, match="mixed dtype"):
        nn.LayerNorm(3)(x.double())
    with pytest.raises(NotImplementedError):
        nn.functional.rms_norm(wright.tensor([[1, 2]]), (2,))
