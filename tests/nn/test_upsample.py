"""F.interpolate and the upsampling layers: every mode against PyTorch on random sizes and scale
factors (exact positions in float32 and float64, weights, gradients), finite differences, the
layers' arguments, and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wright
from wright import nn
from wright.nn import functional as F


def test_scale_factor_two_repeats_each_pixel():
    x = wright.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    expected = [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    np.testing.assert_array_equal(nn.Upsample(scale_factor=2)(x).array[0, 0], expected)


def test_gradient_sums_over_each_copied_block():
    x = wright.ones(1, 1, 2, 3, requires_grad=True)
    F.interpolate(x, scale_factor=(2, 3)).sum().backward()
    np.testing.assert_array_equal(x.grad.array, np.full((1, 1, 2, 3), 6.0))


def test_bilinear_with_aligned_corners_keeps_the_corners():
    x = wright.tensor([[[[0.0, 3.0], [6.0, 9.0]]]])
    out = F.interpolate(x, size=(3, 4), mode="bilinear", align_corners=True)
    assert out.tolist() == [[[[0.0, 1.0, 2.0, 3.0], [3.0, 4.0, 5.0, 6.0], [6.0, 7.0, 8.0, 9.0]]]]


_RANK = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}


@st.composite
def resize_cases(draw):
    mode = draw(
        st.sampled_from(
            ["nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area"]
        )
    )
    rank = _RANK.get(mode, draw(st.integers(3, 5)))
    spatial = [draw(st.integers(1, 7 if rank < 5 else 4)) for _ in range(rank - 2)]
    arguments = {"mode": mode}
    if draw(st.booleans()):
        arguments["size"] = tuple(draw(st.integers(1, 12 if rank < 5 else 6)) for _ in spatial)
    else:
        # Factors with few decimals, as people write them, and exact halves and thirds.
        factor = st.one_of(
            st.integers(5, 35).map(lambda n: n / 10), st.sampled_from([0.5, 1 / 3, 2.5, 3.0])
        )
        factors = tuple(draw(factor) for _ in spatial)
        if any(int(s * f) < 1 for s, f in zip(spatial, factors)):
            factors = tuple(max(f, 1.0) for f in factors)
        arguments["scale_factor"] = factors if draw(st.booleans()) else factors[0]
        if isinstance(arguments["scale_factor"], float) and any(
            int(s * factors[0]) < 1 for s in spatial
        ):
            arguments["scale_factor"] = 1.0
        if draw(st.booleans()):
            arguments["recompute_scale_factor"] = True
    if mode in _RANK:
        arguments["align_corners"] = draw(st.booleans())
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *spatial)
    return shape, arguments, dtype, draw(st.integers(0, 99))


def _gradient_of_torch_forward(torch, x, arguments, weights):
    """d/dx of sum(weights * interpolate(x)) from torch's forward alone, one input pixel at a time."""
    basis = torch.eye(x.size, dtype=torch.float64).reshape(x.size, *x.shape)
    columns = [torch.nn.functional.interpolate(b, **arguments).numpy() for b in basis]
    return np.array([np.sum(c * weights) for c in columns]).reshape(x.shape)


@settings(max_examples=120, deadline=None)
@given(resize_cases())
def test_interpolate_matches_torch(case):
    torch = pytest.importorskip("torch")
    shape, arguments, dtype, seed = case
    x = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    mine, reference = wright.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = F.interpolate(mine, **arguments)
    expected = torch.nn.functional.interpolate(reference, **arguments)
    assert out.dtype == wright.tensor(x).dtype
    # float64: values near zero differ from PyTorch by rounding in the last bits (1e-15).
    tolerance = (
        {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-14}
    )
    if arguments["mode"].startswith("nearest"):
        tolerance = {"rtol": 0, "atol": 0}
    np.testing.assert_allclose(out.array, expected.detach().numpy(), **tolerance)
    weights = np.random.default_rng(seed + 1).standard_normal(expected.shape).astype(dtype)
    out.backward(weights)
    if arguments["mode"].startswith("nearest") or expected.shape[2:] == reference.shape[2:]:
        # Two torch backward passes disagree with torch's own forward (its gradcheck fails): 1-D
        # nearest maps pixels by the ratio of the sizes while its forward uses the scale factor
        # (size 2, scale 2.1), and an unchanged size is taken as the identity even when the
        # scale factor resamples (bicubic, size 2, scale 1.1). There the reference is the exact
        # gradient of torch's forward, which is linear in its input.
        reference_grad = _gradient_of_torch_forward(torch, x, arguments, weights)
    else:
        expected.backward(torch.tensor(weights))
        reference_grad = reference.grad.numpy()
    grad_tolerance = (
        {"rtol": 1e-4, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-13}
    )
    np.testing.assert_allclose(mine.grad.array, reference_grad, **grad_tolerance)


@pytest.mark.parametrize(
    "arguments",
    [
        {"scale_factor": 1.5, "mode": "nearest"},
        {"size": (5, 3), "mode": "bilinear"},
        {"size": (2, 7), "mode": "bilinear", "align_corners": True},
        {"scale_factor": 1.7, "mode": "bicubic"},
        {"size": (4, 3), "mode": "bicubic", "align_corners": True},
        {"size": (2, 3), "mode": "area"},
    ],
)
def test_gradcheck(arguments):
    x = wright.tensor(np.random.default_rng(0).standard_normal((1, 2, 4, 5)), requires_grad=True)
    assert wright.autograd.gradcheck(lambda a: F.interpolate(a, **arguments), [x])


@pytest.mark.parametrize("scale, copies", [(1.1, [1.0, 1.0]), (2.1, [1.0, 1.0, 1.0, 2.0])])
def test_nearest_gradient_follows_the_forward_pass(scale, copies):
    # torch's forward gives the same copies, but its backward maps pixels by the sizes' ratio.
    x = wright.tensor([[[1.0, 2.0]]], dtype=wright.float64, requires_grad=True)
    out = F.interpolate(x, scale_factor=scale, mode="nearest")
    assert out.tolist() == [[copies]]
    assert wright.autograd.gradcheck(lambda a: F.interpolate(a, scale_factor=scale), [x])


def test_nearest_takes_integer_images():
    torch = pytest.importorskip("torch")
    x = np.arange(24, dtype=np.uint8).reshape(1, 2, 3, 4)
    out = F.interpolate(wright.tensor(x), scale_factor=1.5)
    expected = torch.nn.functional.interpolate(torch.tensor(x), scale_factor=1.5)
    assert out.dtype == wright.uint8
    np.testing.assert_array_equal(out.array, expected.numpy())


@pytest.mark.parametrize(
    ("layer", "arguments", "shape"),
    [
        ("Upsample", {"scale_factor": 2}, (2, 3, 4, 5)),
        ("Upsample", {"scale_factor": (3, 1.5)}, (2, 3, 4, 5)),
        ("Upsample", {"size": (7, 3)}, (2, 3, 4, 5)),
        ("Upsample", {"size": 13}, (2, 3, 6)),
        ("Upsample", {"scale_factor": 0.5}, (1, 2, 5)),
        ("Upsample", {"scale_factor": 2, "mode": "bilinear"}, (1, 2, 3, 4)),
        ("Upsample", {"size": (5, 2), "mode": "bicubic", "align_corners": True}, (1, 2, 3, 4)),
        ("Upsample", {"scale_factor": 1.5, "mode": "trilinear"}, (1, 2, 2, 3, 4)),
        ("Upsample", {"scale_factor": 2.5, "mode": "nearest-exact"}, (1, 2, 3, 4)),
        ("UpsamplingNearest2d", {"scale_factor": 3}, (1, 2, 3, 4)),
        ("UpsamplingBilinear2d", {"size": (5, 7)}, (1, 2, 3, 4)),
    ],
)
def test_layers_match_torch(layer, arguments, shape):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, layer)(**arguments), getattr(torch.nn, layer)(**arguments)
    assert repr(ours) == repr(theirs)
    assert ours.scale_factor == theirs.scale_factor
    x = np.random.default_rng(0).standard_normal(shape)
    mine, reference = wright.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(mine), theirs(reference)
    np.testing.assert_allclose(out.array, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    weights = np.random.default_rng(1).standard_normal(expected.shape)
    out.backward(weights)
    expected.backward(torch.tensor(weights))
    np.testing.assert_allclose(mine.grad.array, reference.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("shape", "arguments", "error", "message"),
    [
        ((1, 1, 2, 2), {}, ValueError, r"give either size or scale_factor"),
        ((1, 1, 2, 2), {"size": 2, "scale_factor": 2}, ValueError, r"only one of size"),
        ((1, 1, 2, 2), {"size": 3, "align_corners": True}, ValueError, r"align_corners can only"),
        ((1, 1, 2, 2), {"size": 3, "mode": "linear"}, NotImplementedError, r"needs a 3-D input"),
        ((1, 2), {"size": 3}, NotImplementedError, r"expected a 3-D, 4-D or 5-D input"),
        ((1, 1, 2, 2), {"size": 3, "mode": "cubic"}, NotImplementedError, r"unknown mode"),
        ((1, 1, 2, 2), {"size": 3, "antialias": True}, NotImplementedError, r"antialias"),
        ((1, 1, 2, 2), {"size": (3, 3, 3)}, ValueError, r"needs a size of 2 numbers"),
        ((1, 1, 2, 2), {"scale_factor": (2,)}, ValueError, r"needs a scale_factor of 2"),
        ((1, 1, 2, 2), {"size": 2.5}, TypeError, r"size must be an int"),
        (
            (1, 1, 2, 2),
            {"size": 3, "recompute_scale_factor": True},
            ValueError,
            r"recompute_scale_factor is not meaningful",
        ),
        ((1, 1, 2, 2), {"scale_factor": 0.3}, RuntimeError, r"sizes must be positive"),
    ],
)
def test_bad_arguments(shape, arguments, error, message):
    with pytest.raises(error, match=message):
        F.interpolate(wright.zeros(*shape), **arguments)


def test_interpolating_integers_is_refused_as_in_torch():
    with pytest.raises(RuntimeError, match=r"mode 'bilinear' needs a floating-point input"):
        F.interpolate(wright.zeros(1, 1, 2, 2, dtype=wright.int64), size=3, mode="bilinear")


def test_deprecated_names():
    x = wright.randn(1, 2, 3, 4)
    with pytest.warns(DeprecationWarning):
        np.testing.assert_array_equal(
            F.upsample_bilinear(x, scale_factor=2).array,
            F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True).array,
        )
    with pytest.warns(DeprecationWarning):
        assert F.upsample_nearest(x, size=(5, 6)).shape == (1, 2, 5, 6)
    with pytest.warns(DeprecationWarning):
        assert F.upsample(x, scale_factor=3, mode="bicubic").shape == (1, 2, 9, 12)


def test_unchanged_sizes_still_give_a_new_tensor():
    x = wright.zeros(1, 2, 3, 4)
    for mode in ("nearest", "bilinear", "area"):
        F.interpolate(x, size=(3, 4), mode=mode).fill_(1.0)
    assert x.sum().item() == 0.0
