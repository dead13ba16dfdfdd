"""MaxPool2d, AvgPool2d and AdaptiveAvgPool2d: the lectures' edge handling, errors, and torch."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from wright import nn


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
        match=r"^0 \(MaxPool2d 2\) got input of shape \(3, 8, 8\); "
        r"expected \(N, C, H, W\)$",
    ):
        model(wright.zeros(3, 8, 8))
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


@pytest.mark.parametrize(
    ("layer", "arguments"),
    [
        ("MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
        ("MaxPool2d", {"kernel_size": (2, 3), "dilation": 2}),
        ("AvgPool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False}),
        ("AvgPool2d", {"kernel_size": 2, "ceil_mode": True}),
        ("AdaptiveAvgPool2d", {"output_size": (3, 2)}),
        ("AdaptiveAvgPool2d", {"output_size": (None, 4)}),
    ],
)
def test_matches_torch(layer, arguments):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((2, 3, 9, 11))
    mine, reference = wright.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = getattr(nn, layer)(**arguments)(mine)
    expected = getattr(torch.nn, layer)(**arguments)(reference)
    np.testing.assert_allclose(out.array, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    weights = np.random.default_rng(1).standard_normal(expected.shape)
    out.backward(weights)
    expected.backward(torch.tensor(weights))
    np.testing.assert_allclose(mine.grad.array, reference.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_adaptive_pool_gradcheck():
    x = wright.tensor(np.random.default_rng(2).standard_normal((1, 2, 5, 7)), requires_grad=True)
    assert wright.autograd.gradcheck(lambda a: nn.AdaptiveAvgPool2d((2, 3))(a), [x])
