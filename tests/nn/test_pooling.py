"""Pooling layers (max, average, adaptive, unpooling; 1-D and 2-D): the lectures' edge handling,
indices, unbatched inputs, errors, and agreement with torch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wright
from wright import nn
from wright.nn import functional as F


def test_ceil_mode_takes_the_max_of_what_is_there():
    # A 7x7 map pooled 2x2 with stride 2 gives 4x4: the last row and column of windows hang off.
    image = np.arange(49, dtype=np.float32).reshape(1, 1, 7, 7)
    pooled = nn.MaxPool2d(2, 2, ceil_mode=True)(wright.tensor(image)).array[0, 0]
    assert pooled.shape == (4, 4)
    np.testing.assert_array_equal(pooled[:, 3], [13, 27, 41, 48])
    np.testing.assert_array_equal(pooled[3], [43, 45, 47, 48])
    assert nn.MaxPool2d(2)(wright.tensor(image)).shape == (1, 1, 3, 3)


def test_avg_pool_edge_windows_average_only_the_pixels_there():
    image = wright.ones(1, 1, 3, 3)
    pooled = nn.AvgPool2d(2, ceil_mode=True)(image).array
    np.testing.assert_array_equal(pooled, np.ones((1, 1, 2, 2)))


def test_adaptive_average_pooling_to_one_is_the_channel_mean():
    x = wright.randn(2, 3, 5, 7)
    np.testing.assert_allclose(
        nn.AdaptiveAvgPool2d(1)(x).array,
        x.array.mean(axis=(2, 3), keepdims=True),
        rtol=1e-5,
        atol=1e-6,
    )


def test_wrong_layout_names_the_layer():
    model = nn.Sequential(nn.MaxPool2d(2))
    with pytest.raises(
        ValueError,
        match=r"^0 \(MaxPool2d 2\) got input of shape \(8, 8\); "
        r"expected \(N, C, H, W\) \(or unbatched \(C, H, W\)\)$",
    ):
        model(wright.zeros(8, 8))
    with pytest.raises(ValueError, match=r"AdaptiveAvgPool2d got input of shape \(8,\)"):
        nn.AdaptiveAvgPool2d(1)(wright.zeros(8))


def test_window_larger_than_the_image_is_reported():
    with pytest.raises(ValueError, match=r"AvgPool2d 5: the kernel does not fit the input's width"):
        nn.AvgPool2d(5)(wright.zeros(1, 1, 6, 4))


def test_repr():
    assert repr(nn.MaxPool2d(2)) == (
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    )
    assert repr(nn.AdaptiveAvgPool2d((2, None))) == "AdaptiveAvgPool2d(output_size=(2, None))"


LAYERS = [
    ("MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}, (2, 3, 9, 11)),
    ("MaxPool2d", {"kernel_size": (2, 3), "dilation": 2}, (2, 3, 9, 11)),
    ("MaxPool2d", {"kernel_size": 3, "stride": 2, "return_indices": True}, (3, 9, 11)),
    ("MaxPool1d", {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}, (2, 3, 10)),
    ("MaxPool1d", {"kernel_size": 2, "dilation": 3, "return_indices": True}, (3, 11)),
    (
        "AvgPool2d",
        {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
        (2, 3, 9, 11),
    ),
    ("AvgPool2d", {"kernel_size": 2, "ceil_mode": True}, (2, 3, 9, 11)),
    ("AvgPool2d", {"kernel_size": 3, "padding": 1, "divisor_override": 4}, (3, 9, 11)),
    ("AvgPool1d", {"kernel_size": 4, "stride": 3, "padding": 2, "ceil_mode": True}, (2, 3, 10)),
    ("AvgPool1d", {"kernel_size": 3, "padding": 1, "count_include_pad": False}, (3, 10)),
    ("AdaptiveAvgPool2d", {"output_size": (3, 2)}, (2, 3, 9, 11)),
    ("AdaptiveAvgPool2d", {"output_size": (None, 4)}, (3, 9, 11)),
    ("AdaptiveAvgPool2d", {"output_size": (13, 5)}, (2, 3, 9, 11)),
    ("AdaptiveAvgPool1d", {"output_size": 4}, (2, 3, 10)),
    ("AdaptiveAvgPool1d", {"output_size": 7}, (3, 5)),
    ("AdaptiveMaxPool2d", {"output_size": (4, 3)}, (2, 3, 9, 11)),
    ("AdaptiveMaxPool2d", {"output_size": (None, 13), "return_indices": True}, (3, 9, 11)),
    ("AdaptiveMaxPool2d", {"output_size": 1, "return_indices": True}, (2, 3, 9, 11)),
    ("AdaptiveMaxPool1d", {"output_size": 3, "return_indices": True}, (2, 3, 10)),
    ("AdaptiveMaxPool1d", {"output_size": 8}, (3, 5)),
]


@pytest.mark.parametrize(("layer", "arguments", "shape"), LAYERS)
def test_matches_torch(layer, arguments, shape):
    torch = pytest.importorskip("torch")
    # Rounded values: many exact ties, where the gradient must go to the first maximum as in torch.
    x = np.random.default_rng(0).standard_normal(shape).round(1)
    ours, theirs = getattr(nn, layer)(**arguments), getattr(torch.nn, layer)(**arguments)
    assert repr(ours) == repr(theirs)
    mine, reference = wright.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(mine), theirs(reference)
    if arguments.get("return_indices"):
        (out, indices), (expected, expected_indices) = out, expected
        assert indices.dtype == wright.int64
        np.testing.assert_array_equal(indices.array, expected_indices.numpy())
    np.testing.assert_allclose(out.array, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    weights = np.random.default_rng(1).standard_normal(expected.shape)
    out.backward(weights)
    expected.backward(torch.tensor(weights))
    np.testing.assert_allclose(mine.grad.array, reference.grad.numpy(), rtol=1e-10, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    size=st.tuples(st.integers(1, 9), st.integers(1, 9)),
    out=st.tuples(st.integers(1, 11), st.integers(1, 11)),
    seed=st.integers(0, 99),
)
def test_adaptive_max_pool_matches_torch_on_any_sizes(size, out, seed):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(seed).integers(0, 3, (2, 2, *size)).astype(np.float64)
    mine, reference = wright.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    values, indices = F.adaptive_max_pool2d(mine, out, return_indices=True)
    expected, expected_indices = torch.nn.functional.adaptive_max_pool2d(reference, out, True)
    np.testing.assert_array_equal(values.array, expected.detach().numpy())
    np.testing.assert_array_equal(indices.array, expected_indices.numpy())
    weights = np.random.default_rng(seed).standard_normal(expected.shape)
    values.backward(weights)
    expected.backward(torch.tensor(weights))
    np.testing.assert_allclose(mine.grad.array, reference.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_adaptive_max_pool_gradcheck():
    values = np.random.default_rng(5).permutation(2 * 7 * 5).reshape(1, 2, 7, 5) / 10.0
    x = wright.tensor(values, requires_grad=True)
    assert wright.autograd.gradcheck(lambda a: F.adaptive_max_pool2d(a, (3, 4)), [x])


def test_max_unpool_round_trip_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(3).standard_normal((2, 3, 4, 6))
    pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
    assert repr(unpool) == repr(torch.nn.MaxUnpool2d(2))
    pooled, indices = pool(wright.tensor(x))
    expected_pooled, expected_indices = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    source = wright.tensor(pooled.array, requires_grad=True)
    reference = expected_pooled.clone().requires_grad_()
    for size in (None, (5, 6), [2, 3, 4, 7]):
        out = unpool(source, indices, output_size=size)
        expected = torch.nn.functional.max_unpool2d(
            reference, expected_indices, 2, output_size=size
        )
        np.testing.assert_array_equal(out.array, expected.detach().numpy())
    weights = np.random.default_rng(4).standard_normal(expected.shape)
    out.backward(weights)
    expected.backward(torch.tensor(weights))
    np.testing.assert_array_equal(source.grad.array, reference.grad.numpy())


def test_max_unpool1d_and_unbatched():
    torch = pytest.importorskip("torch")
    values = np.arange(6.0).reshape(2, 3)
    positions = np.array([[0, 3, 5], [1, 2, 4]])
    out = F.max_unpool1d(wright.tensor(values), wright.tensor(positions), 2)
    expected = torch.nn.functional.max_unpool1d(torch.tensor(values), torch.tensor(positions), 2)
    np.testing.assert_array_equal(out.array, expected.numpy())


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"output_size": (7, 7)}, ValueError, r"dim 0 must be between 2 and 6"),
        ({"indices": np.full((1, 1, 2, 2), 16)}, RuntimeError, r"invalid max index 16"),
        ({"indices": np.zeros((1, 1, 2, 2), np.int32)}, RuntimeError, r"indices must be int64"),
        ({"indices": np.zeros((1, 1, 2, 1), np.int64)}, RuntimeError, r"do not match"),
    ],
)
def test_max_unpool_errors(arguments, error, message):
    indices = arguments.pop("indices", np.zeros((1, 1, 2, 2), np.int64))
    with pytest.raises(error, match=message):
        F.max_unpool2d(wright.zeros(1, 1, 2, 2), wright.tensor(indices), 2, **arguments)


def test_positional_arguments_follow_torch():
    pool = nn.MaxPool2d(3, 2, 1, 1, True, True)
    assert pool.return_indices and pool.ceil_mode
    out, indices = pool(wright.zeros(1, 1, 6, 6))
    assert out.shape == indices.shape == (1, 1, 4, 4)
    assert F.max_pool2d(wright.zeros(1, 1, 6, 6), 3, 2, 1, 1, True, True)[0].shape == (1, 1, 4, 4)
    assert nn.AvgPool1d(3).kernel_size == (3,) and nn.AvgPool1d(3).stride == (3,)
    with pytest.raises(RuntimeError, match=r"divisor_override must not be zero"):
        F.avg_pool2d(wright.zeros(1, 1, 4, 4), 2, divisor_override=0)


def test_adaptive_pool_gradcheck():
    x = wright.tensor(np.random.default_rng(2).standard_normal((1, 2, 5, 7)), requires_grad=True)
    assert wright.autograd.gradcheck(lambda a: nn.AdaptiveAvgPool2d((2, 3))(a), [x])


def test_adaptive_pooling_to_nothing_and_from_nothing():
    x = wright.randn(1, 2, 4, 4, requires_grad=True)
    out, indices = F.adaptive_max_pool2d(x, (0, 2), return_indices=True)
    assert out.shape == indices.shape == (1, 2, 0, 2)
    assert F.adaptive_avg_pool1d(x[0], 0).shape == (2, 4, 0)
    with pytest.raises(RuntimeError, match=r"needs a non-empty input plane"):
        F.adaptive_max_pool2d(wright.zeros(1, 1, 0, 4), 2)


@pytest.mark.parametrize(
    "spatial, norm_type, kernel, stride, ceil_mode",
    [(2, 2, 2, None, False), (2, 3, (3, 2), 2, True), (2, 1.5, 3, 1, False), (1, 2, 3, 2, True)],
)
def test_lp_pool_matches_torch(spatial, norm_type, kernel, stride, ceil_mode):
    torch = pytest.importorskip("torch")
    shape = (2, 3, 7, 6) if spatial == 2 else (2, 3, 9)
    # Positive inputs: a negative window sum is clipped to zero, where the root has no gradient.
    x = np.random.default_rng(0).uniform(0.1, 2.0, shape)
    mine, reference = wright.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    layer = nn.LPPool2d if spatial == 2 else nn.LPPool1d
    out = layer(norm_type, kernel, stride, ceil_mode)(mine)
    expected = getattr(torch.nn, layer.__name__)(norm_type, kernel, stride, ceil_mode)(reference)
    np.testing.assert_allclose(out.array, expected.detach().numpy(), rtol=1e-12)
    weights = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(weights)
    expected.backward(torch.tensor(weights))
    np.testing.assert_allclose(mine.grad.array, reference.grad.numpy(), rtol=1e-10)
    pool = F.lp_pool2d if spatial == 2 else F.lp_pool1d
    probe = wright.tensor(x[:1, :1], requires_grad=True)
    assert wright.autograd.gradcheck(
        lambda a: pool(a, norm_type, kernel, stride, ceil_mode), [probe]
    )


def test_with_indices_spellings_return_both():
    x = wright.tensor(np.random.default_rng(0).standard_normal((1, 2, 6, 6)))
    for pair, reference in [
        (F.max_pool2d_with_indices(x, 2), F.max_pool2d(x, 2, return_indices=True)),
        (F.max_pool1d_with_indices(x[0], 3), F.max_pool1d(x[0], 3, return_indices=True)),
        (F.adaptive_max_pool2d_with_indices(x, 3), F.adaptive_max_pool2d(x, 3, True)),
        (F.adaptive_max_pool1d_with_indices(x[0], 2), F.adaptive_max_pool1d(x[0], 2, True)),
    ]:
        assert all(a.equal(b) for a, b in zip(pair, reference, strict=True))
