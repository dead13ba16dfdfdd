"""Dropout layers (elementwise, channel, alpha): inverted scaling in training, identity in
evaluation, which elements share a draw, in-place use, seeding, the mask's gradient, and
PyTorch's arguments, reprs and errors."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from wright import nn
from wright.nn import functional as F


def test_training_zeroes_about_p_and_scales_survivors():
    out = nn.Dropout(0.25)(wright.ones(200, 500)).array
    dropped = np.mean(out == 0)
    assert abs(dropped - 0.25) < 0.01
    np.testing.assert_allclose(out[out != 0], 1 / 0.75, rtol=1e-6)
    assert abs(out.mean() - 1) < 0.01  # the expected sum is kept


def test_eval_passes_the_input_through():
    drop = nn.Dropout(0.5).eval()
    x = wright.randn(4, 5)
    assert drop(x) is x


def test_edge_probabilities():
    x = wright.randn(3, 4)
    assert F.dropout(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0).array, np.zeros((3, 4)))


def test_gradient_flows_through_the_kept_elements_only():
    x = wright.ones(10, 10, requires_grad=True)
    out = F.dropout(x, 0.5)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.array, out.array)


def test_seed_controls_the_mask():
    wright.manual_seed(11)
    first = F.dropout(wright.ones(50), 0.5).array
    wright.manual_seed(11)
    np.testing.assert_array_equal(F.dropout(wright.ones(50), 0.5).array, first)


def test_dtype_is_kept():
    assert F.dropout(wright.ones(4, dtype=wright.float64), 0.5).dtype == np.float64


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_p_must_be_a_probability(p):
    with pytest.raises(ValueError, match=r"Dropout: p must be a probability in \[0, 1\]"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match=r"dropout: p must be a probability"):
        F.dropout(wright.ones(2), p)


@pytest.mark.parametrize(
    "layer",
    ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"],
)
def test_reprs_and_arguments_match_torch(layer):
    torch = pytest.importorskip("torch")
    for arguments in ((), (0.2,), (0.3, True)):
        assert repr(getattr(nn, layer)(*arguments)) == repr(getattr(torch.nn, layer)(*arguments))
    with pytest.raises(ValueError, match=rf"{layer}: p must be a probability"):
        getattr(nn, layer)(-0.5)


def test_inplace_changes_the_input_and_its_gradient_is_the_mask():
    x = wright.ones(20, 30, requires_grad=True)
    y = x * 1.0
    out = nn.Dropout(0.5, inplace=True)(y)
    assert out is y
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.array, y.array)
    with pytest.raises(RuntimeError, match=r"leaf tensor that requires grad"):
        F.dropout(wright.ones(3, requires_grad=True), 0.5, inplace=True)


def _channel_masks(out: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """Check that every channel is either all dropped or all kept, and return which were kept."""
    kept = out != 0
    assert (kept.all(axis=axes) | ~kept.any(axis=axes)).all()
    return kept.all(axis=axes)


@pytest.mark.parametrize(
    ("function", "shape", "axes"),
    [
        (F.dropout1d, (40, 50, 6), (2,)),
        (F.dropout1d, (2000, 6), (1,)),
        (F.dropout2d, (40, 50, 3, 2), (2, 3)),
        (F.dropout3d, (20, 100, 2, 2, 2), (2, 3, 4)),
        (F.dropout3d, (2000, 2, 3, 2), (1, 2, 3)),
    ],
)
def test_channel_dropout_drops_whole_channels(function, shape, axes):
    out = function(wright.ones(*shape), 0.3).array
    kept = _channel_masks(out, axes)
    assert abs(kept.mean() - 0.7) < 0.04
    np.testing.assert_allclose(out[out != 0], 1 / 0.7, rtol=1e-6)


def test_dropout2d_takes_3d_input_as_batched_signals_with_a_warning():
    with pytest.warns(UserWarning, match=r"taken as \(N, C, L\)"):
        out = F.dropout2d(wright.ones(40, 50, 6), 0.5).array
    _channel_masks(out, (2,))
    with pytest.warns(UserWarning, match=r"5-D input is deprecated"):
        F.dropout2d(wright.ones(2, 3, 2, 2, 2), 0.5)


@pytest.mark.parametrize(
    ("function", "shape", "error"),
    [
        (F.dropout1d, (2, 3, 4, 5), r"dropout1d: expected a 2-D \(C, L\) or 3-D"),
        (F.dropout2d, (4,), r"channel dropout needs at least 2 dimensions"),
        (F.feature_alpha_dropout, (4,), r"channel dropout needs at least 2 dimensions"),
    ],
)
@pytest.mark.filterwarnings("ignore:dropout2d")
def test_channel_dropout_shape_errors(function, shape, error):
    with pytest.raises(RuntimeError, match=error):
        function(wright.ones(*shape), 0.5, True)


def test_integer_input_cannot_train_with_dropout():
    with pytest.raises(RuntimeError, match=r"expected a floating-point input"):
        F.dropout(wright.arange(5), 0.5)
    assert F.dropout(wright.arange(5), 0.5, training=False).tolist() == [0, 1, 2, 3, 4]


def test_alpha_dropout_keeps_zero_mean_and_unit_variance():
    x = wright.randn(400, 500)
    out = nn.AlphaDropout(0.2)(x).array
    assert abs(out.mean()) < 0.01 and abs(out.var() - 1) < 0.02
    # dropped units all take one value, a * (-1.7581) + b
    a = (1.7580993408473766**2 * 0.2 + 1) ** -0.5 * 0.8**-0.5
    b = 1.7580993408473766 * a * 0.2
    values, counts = np.unique(out.round(5), return_counts=True)
    assert np.isclose(values[counts.argmax()], b - 1.7580993408473766 * a, atol=1e-5)
    assert abs(counts.max() / out.size - 0.2) < 0.01
    assert nn.AlphaDropout(0.2).eval()(x) is x
    # the functional form is off unless asked, as in torch
    assert F.alpha_dropout(x, 0.2) is x
    assert (F.alpha_dropout(x, 1.0, True).array == 0).all()


def _alpha_parts(values: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """The value dropped elements take, and the slope and intercept of the kept ones."""
    levels, counts = np.unique(values.round(8), return_counts=True)
    dropped = levels[counts.argmax()]
    kept = ~np.isclose(values, dropped)
    return np.array([dropped, *np.polyfit(inputs[kept], values[kept], 1)])


def test_alpha_dropout_values_and_gradient_match_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal(5000)
    mine, reference = wright.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = F.alpha_dropout(mine, 0.25, True)
    expected = torch.nn.functional.alpha_dropout(reference, 0.25, True)
    # The random draws differ; the affine maps of the kept and the dropped elements must not.
    np.testing.assert_allclose(
        _alpha_parts(out.array, x), _alpha_parts(expected.detach().numpy(), x), rtol=1e-10
    )
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(
        np.unique(mine.grad.array), np.unique(reference.grad.numpy()), rtol=1e-12
    )


def test_feature_alpha_dropout_drops_whole_channels():
    out = F.feature_alpha_dropout(wright.ones(40, 50, 3), 0.3, True).array
    # every channel holds one value: the kept one or the dropped one
    assert (out == out[:, :, :1]).all()
    assert len(np.unique(out.round(6))) == 2
