"""Convolution layers (Conv1d/2d, ConvTranspose1d/2d): PyTorch's parameter shapes, names and
initialisation, padding modes, unbatched inputs, errors, and agreement with torch.nn on the same
state dict."""

from __future__ import annotations

import math

import numpy as np
import pytest

import wright
from wright import nn
from wright.nn import functional as F


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
        r"\(8, 3, 12, 12\); expected \(N, C, H, W\) with C = 20 \(or unbatched \(C, H, W\)\)$",
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
        ({"padding_mode": "mirror"}, r"padding_mode must be one of \('zeros', 'reflect'"),
        ({"groups": 0}, r"Conv2d: groups must be a positive integer, got 0"),
        ({"padding": "full"}, r"padding must be an int, a tuple, 'valid' or 'same'"),
        ({"padding": "same", "stride": 2}, r"padding='same' needs stride 1"),
        ({"kernel_size": (2, 2, 2)}, r"Conv2d: kernel_size must be an int or 2 ints"),
    ],
)
def test_bad_constructor_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        nn.Conv2d(**{"in_channels": 4, "out_channels": 6, "kernel_size": 3, **arguments})


STATE_DICT_CASES = [
    (
        "Conv2d",
        {"in_channels": 3, "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1},
        (2, 3, 9, 8),
    ),
    (
        "Conv2d",
        {"in_channels": 4, "out_channels": 6, "kernel_size": (2, 3), "dilation": 2, "groups": 2},
        (2, 4, 7, 9),
    ),
    (
        "Conv2d",
        {"in_channels": 2, "out_channels": 2, "kernel_size": 4, "padding": "same", "bias": False},
        (1, 2, 5, 5),
    ),
    (
        "Conv1d",
        {"in_channels": 3, "out_channels": 5, "kernel_size": 3, "stride": 2, "padding": 2},
        (2, 3, 11),
    ),
    (
        "Conv2d",
        {
            "in_channels": 2,
            "out_channels": 3,
            "kernel_size": 3,
            "padding": (1, 2),
            "padding_mode": "reflect",
        },
        (2, 2, 5, 6),
    ),
    (
        "Conv2d",
        {
            "in_channels": 2,
            "out_channels": 3,
            "kernel_size": 3,
            "padding": 2,
            "stride": 2,
            "padding_mode": "replicate",
        },
        (2, 2, 5, 6),
    ),
    (
        "Conv2d",
        {
            "in_channels": 2,
            "out_channels": 4,
            "kernel_size": (3, 4),
            "padding": "same",
            "padding_mode": "circular",
            "groups": 2,
        },
        (2, 2, 5, 6),
    ),
    (
        "Conv1d",
        {
            "in_channels": 2,
            "out_channels": 3,
            "kernel_size": 4,
            "padding": "same",
            "dilation": 1,
            "padding_mode": "reflect",
        },
        (2, 2, 9),
    ),
    (
        "Conv1d",
        {
            "in_channels": 2,
            "out_channels": 3,
            "kernel_size": 3,
            "padding": 1,
            "padding_mode": "circular",
        },
        (2, 7),
    ),
    ("Conv2d", {"in_channels": 3, "out_channels": 2, "kernel_size": 3, "padding": 1}, (3, 6, 5)),
    (
        "ConvTranspose2d",
        {"in_channels": 4, "out_channels": 3, "kernel_size": 4, "stride": 2, "padding": 1},
        (2, 4, 5, 6),
    ),
    (
        "ConvTranspose2d",
        {
            "in_channels": 4,
            "out_channels": 6,
            "kernel_size": (3, 2),
            "stride": (3, 2),
            "padding": (1, 0),
            "output_padding": (2, 1),
            "groups": 2,
        },
        (2, 4, 3, 4),
    ),
    (
        "ConvTranspose2d",
        {
            "in_channels": 2,
            "out_channels": 3,
            "kernel_size": 3,
            "stride": 1,
            "dilation": 3,
            "output_padding": 2,
            "bias": False,
        },
        (1, 2, 4, 4),
    ),
    (
        "ConvTranspose2d",
        {"in_channels": 3, "out_channels": 2, "kernel_size": 3, "stride": 2},
        (3, 4, 5),
    ),
    (
        "ConvTranspose1d",
        {
            "in_channels": 3,
            "out_channels": 5,
            "kernel_size": 4,
            "stride": 3,
            "padding": 2,
            "output_padding": 1,
        },
        (2, 3, 6),
    ),
    (
        "ConvTranspose1d",
        {"in_channels": 4, "out_channels": 2, "kernel_size": 3, "groups": 2, "dilation": 2},
        (4, 6),
    ),
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize(("layer", "arguments", "input_shape"), STATE_DICT_CASES)
def test_matches_torch_with_the_same_state_dict(layer, arguments, input_shape):
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.nn, layer)(**arguments).double()
    ours = getattr(nn, layer)(**arguments, dtype=wright.float64)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal(input_shape)
    mine, reference = wright.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(mine), theirs(reference)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.array, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    weights = np.random.default_rng(1).standard_normal(expected.shape)
    out.backward(weights)
    expected.backward(torch.tensor(weights))
    np.testing.assert_allclose(mine.grad.array, reference.grad.numpy(), rtol=1e-10, atol=1e-12)
    for name, param in ours.named_parameters():
        np.testing.assert_allclose(
            param.grad.array, getattr(theirs, name).grad.numpy(), rtol=1e-10, atol=1e-12
        )


def test_transposed_weight_shape_init_and_attributes():
    up = nn.ConvTranspose2d(6, 8, 3, stride=2, groups=2)
    assert up.weight.shape == (6, 4, 3, 3) and up.bias.shape == (8,)
    assert up.transposed and not nn.Conv2d(1, 1, 1).transposed
    assert up.output_padding == (0, 0) and nn.Conv2d(1, 1, 1).output_padding == (0, 0)
    # fan_in of a transposed convolution is out_channels / groups * kernel area
    bound = 1 / math.sqrt(4 * 3 * 3)
    assert np.abs(up.weight.array).max() <= bound < 1.02 * np.abs(up.weight.array).max()
    assert np.abs(up.bias.array).max() <= bound


@pytest.mark.parametrize("output_size", [(9, 10), [1, 3, 10, 9], (10, 10)])
def test_transposed_output_size_matches_torch(output_size):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.ConvTranspose2d(2, 3, 3, stride=2).double()
    ours = nn.ConvTranspose2d(2, 3, 3, stride=2, dtype=wright.float64)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(2).standard_normal((1, 2, 4, 4))
    expected = theirs(torch.tensor(x), output_size=output_size).detach().numpy()
    out = ours(wright.tensor(x), output_size=output_size)
    np.testing.assert_allclose(out.array, expected, rtol=1e-12, atol=1e-12)


def test_transposed_output_size_out_of_range_is_refused():
    up = nn.ConvTranspose2d(2, 3, 3, stride=2)
    with pytest.raises(ValueError, match=r"output size of \[11, 10\], but valid sizes range from"):
        up(wright.zeros(1, 2, 4, 4), output_size=(11, 10))
    with pytest.raises(ValueError, match=r"output_size must have 2 or 4 numbers"):
        up(wright.zeros(1, 2, 4, 4), output_size=(9,))


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"stride": 2, "output_padding": 2}, RuntimeError, r"output padding must be smaller"),
        ({"padding": -1}, RuntimeError, r"negative padding is not supported"),
        ({"padding": 3}, RuntimeError, r"output size .* is too small"),
        ({"groups": 3}, RuntimeError, r"in_channels 4 not divisible by groups 3"),
    ],
)
def test_bad_transposed_arguments(arguments, error, message):
    with pytest.raises(error, match=message):
        F.conv_transpose2d(wright.zeros(1, 4, 4, 4), wright.zeros(4, 2, 3, 3), **arguments)


def test_transposed_layer_refuses_other_padding_modes_and_strings():
    with pytest.raises(ValueError, match=r"ConvTranspose2d: only padding_mode='zeros'"):
        nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match=r"ConvTranspose1d: padding must be an int or 1 ints"):
        nn.ConvTranspose1d(2, 2, 3, padding="same")


def test_mixed_dtypes_and_bad_bias_are_refused_as_in_torch():
    weight = wright.zeros(3, 2, 3, 3)
    with pytest.raises(
        RuntimeError, match=r"share one floating-point dtype, got wright.float64, wright.float32"
    ):
        F.conv2d(wright.zeros(1, 2, 5, 5, dtype=wright.float64), weight)
    with pytest.raises(RuntimeError, match=r"share one floating-point dtype"):
        F.conv2d(wright.zeros(1, 2, 5, 5, dtype=wright.int64), weight.long())
    with pytest.raises(RuntimeError, match=r"expected bias of shape \(3,\)"):
        F.conv2d(wright.zeros(1, 2, 5, 5), weight, wright.zeros(4))
    with pytest.raises(RuntimeError, match=r"expected bias of shape \(2,\)"):
        F.conv_transpose2d(wright.zeros(1, 3, 5, 5), weight, wright.zeros(3))


def test_device_argument():
    assert nn.Conv2d(1, 2, 3, device="cpu").weight.device == "cpu"
    with pytest.raises(RuntimeError, match=r"not available"):
        nn.ConvTranspose2d(1, 2, 3, device="cuda")


def test_positional_arguments_follow_torch():
    conv = nn.Conv2d(2, 4, 3, 1, 1, 1, 2, False, "circular", None, wright.float64)
    assert conv.groups == 2 and conv.bias is None and conv.padding_mode == "circular"
    assert conv.weight.dtype == wright.float64
    up = nn.ConvTranspose2d(2, 4, 3, 2, 1, 1, 2, False, 2)
    assert (up.output_padding, up.groups, up.bias, up.dilation) == ((1, 1), 2, None, (2, 2))


@pytest.mark.parametrize(
    "layer, shape",
    [
        (lambda: nn.Conv2d(1, 2, 3), (0, 1, 5, 5)),
        (lambda: nn.Conv2d(4, 6, 3, groups=2, padding=1), (0, 4, 5, 5)),
        (lambda: nn.ConvTranspose2d(2, 3, 3, stride=2), (0, 2, 4, 4)),
        (lambda: nn.Conv1d(2, 3, 3), (0, 2, 7)),
        (lambda: nn.MaxPool2d(2), (0, 2, 4, 4)),
        (lambda: nn.AvgPool2d(2), (0, 2, 4, 4)),
    ],
)
def test_an_empty_batch_gives_an_empty_output_as_in_torch(layer, shape):
    torch = pytest.importorskip("torch")
    wright.manual_seed(0)
    mine = layer()
    x = wright.zeros(*shape, requires_grad=True)
    out = mine(x)
    reference = getattr(torch.nn, type(mine).__name__)
    expected_shape = tuple(reference(**_torch_arguments(mine))(torch.zeros(*shape)).shape)
    assert tuple(out.shape) == expected_shape
    out.sum().backward()
    assert x.grad.shape == x.shape


def _torch_arguments(layer):
    """The constructor arguments of the torch twin of a wright conv or pooling layer."""
    if isinstance(layer, nn.MaxPool2d | nn.AvgPool2d):
        return {"kernel_size": layer.kernel_size}
    weight = layer.weight
    transposed = isinstance(layer, nn.ConvTranspose2d)
    channels = (weight.shape[0], weight.shape[1] * layer.groups)
    in_channels, out_channels = channels if transposed else channels[::-1]
    return {
        "in_channels": in_channels,
        "out_channels": out_channels,
        "kernel_size": layer.kernel_size,
        "stride": layer.stride,
        "padding": layer.padding,
        "groups": layer.groups,
    }
