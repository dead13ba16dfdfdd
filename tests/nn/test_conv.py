"""Conv1d and Conv2d layers: PyTorch's parameter shapes, names and initialisation, errors, and
agreement with torch.nn on the same state dict."""

from __future__ import annotations

import math

import numpy as np
import pytest

import wright
from wright import nn


def test_parameter_shapes_names_and_output_size():
    conv = nn.Conv2d(6, 8, (3, 5), stride=2, padding=1, groups=2)
    assert [name for name, _ in conv.named_parameters()] == ["weight", "bias"]
    assert conv.weight.shape == (8, 3, 3, 5) and conv.bias.shape == (8,)
    assert conv(wright.zeros(4, 6, 9, 10)).shape == (4, 8, 5, 4)
    signal = nn.Conv1d(3, 5, 4, bias=False)
    assert signal.bias is None and signal.weight.shape == (5, 3, 4)
    assert signal(wright.zeros(2, 3, 10)).shape == (2, 5, 7)


def test_same_padding_keeps_the_size():
    assert nn.Conv2d(2, 3, 4, padding="same")(wright.zeros(1, 2, 7, 6)).shape == (1, 3, 7, 6)
    assert nn.Conv1d(2, 3, 3, padding="same", dilation=2)(wright.zeros(1, 2, 9)).shape == (1, 3, 9)


def test_default_init_is_uniform_within_one_over_sqrt_fan_in():
    conv = nn.Conv2d(20, 50, 5)
    bound = 1 / math.sqrt(20 * 5 * 5)
    for values in (conv.weight.array, conv.bias.array):
        assert np.abs(values).max() <= bound
    assert np.abs(conv.weight.array).max() > 0.99 * bound
    np.testing.assert_allclose(conv.weight.array.std(), bound / math.sqrt(3), rtol=0.02)
    grouped = nn.Conv2d(4, 4, 3, groups=4)
    assert np.abs(grouped.weight.array).max() <= 1 / 3


def test_seed_controls_initial_weights():
    wright.manual_seed(7)
    first = nn.Conv2d(3, 4, 3).weight.array.copy()
    wright.manual_seed(7)
    np.testing.assert_array_equal(nn.Conv2d(3, 4, 3).weight.array, first)


def test_repr_and_summary():
    conv = nn.Conv2d(1, 20, 5, padding=2, bias=False)
    assert repr(conv) == (
        "Conv2d(1, 20, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2), bias=False)"
    )
    assert conv.summary_line() == "Conv2d 1->20, 5x5"
    assert nn.Conv1d(2, 4, 3, groups=2).summary_line() == "Conv1d 2->4, 3"


def test_wrong_channels_name_the_layer_and_the_layout():
    model = nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.Conv2d(20, 50, 5))
    with pytest.raises(
        ValueError,
        match=r"^2 \(Conv2d 20->50, 5x5\) got input of shape "
        r"\(8, 3, 12, 12\); expected \(N, C, H, W\) with C = 20$",
    ):
        model[2](wright.zeros(8, 3, 12, 12))
    with pytest.raises(
        ValueError,
        match=r"Conv2d 1->20, 5x5 got input of shape \(28, 28\); "
        r"expected \(N, C, H, W\) with C = 1",
    ):
        nn.Conv2d(1, 20, 5)(wright.zeros(28, 28))
    with pytest.raises(ValueError, match=r"expected \(N, C, L\) with C = 3"):
        nn.Conv1d(3, 4, 2)(wright.zeros(2, 3, 4, 4))


def test_too_small_input_names_the_layer_and_shows_the_arithmetic():
    model = nn.Sequential(nn.Conv2d(1, 2, 5))
    with pytest.raises(
        ValueError,
        match=r"^0 \(Conv2d 1->2, 5x5\): the kernel does not fit the "
        r"input's height: .* = floor\(-2 / 1\) \+ 1 = -1 <= 0",
    ):
        model(wright.zeros(1, 1, 3, 8))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"groups": 3},
            r"Conv2d: in_channels 4 and out_channels 6 must both be divisible by groups 3",
        ),
        ({"padding_mode": "reflect"}, r"only padding_mode='zeros'"),
        ({"kernel_size": (2, 2, 2)}, r"Conv2d: kernel_size must be an int or 2 ints"),
    ],
)
def test_bad_constructor_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        nn.Conv2d(**{"in_channels": 4, "out_channels": 6, "kernel_size": 3, **arguments})


@pytest.mark.parametrize(
    ("layer", "arguments", "input_shape"),
    [
        (
            "Conv2d",
            {"in_channels": 3, "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1},
            (2, 3, 9, 8),
        ),
        (
            "Conv2d",
            {
                "in_channels": 4,
                "out_channels": 6,
                "kernel_size": (2, 3),
                "dilation": 2,
                "groups": 2,
            },
            (2, 4, 7, 9),
        ),
        (
            "Conv2d",
            {
                "in_channels": 2,
                "out_channels": 2,
                "kernel_size": 4,
                "padding": "same",
                "bias": False,
            },
            (1, 2, 5, 5),
        ),
        (
            "Conv1d",
            {"in_channels": 3, "out_channels": 5, "kernel_size": 3, "stride": 2, "padding": 2},
            (2, 3, 11),
        ),
    ],
)
def test_matches_torch_with_the_same_state_dict(layer, arguments, input_shape):
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.nn, layer)(**arguments).double()
    ours = getattr(nn, layer)(**arguments, dtype=wright.float64)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal(input_shape)
    mine, reference = wright.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(mine), theirs(reference)
    np.testing.assert_allclose(out.array, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(mine.grad.array, reference.grad.numpy(), rtol=1e-10, atol=1e-12)
    for name, param in ours.named_parameters():
        np.testing.assert_allclose(
            param.grad.array, getattr(theirs, name).grad.numpy(), rtol=1e-10, atol=1e-12
        )
