"""Tests for draw_network, layer_values, receptive fields and weights_as_images."""

import numpy as np
import pytest

import wright
from wright import nn
from wright.demos.four_pixel import hand_wired_network
from wright.viz import (
    draw_network,
    layer_values,
    receptive_field_images,
    receptive_fields,
    weights_as_images,
)

pytest.importorskip("matplotlib")


def small_network():
    return nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2))


def test_layer_values_give_every_neuron_for_a_batch():
    model = small_network()
    values = layer_values(model, np.ones((5, 2, 2)))
    assert [v.shape for v in values] == [(5, 4), (5, 3), (5, 2)]
    assert np.all(np.abs(values[1]) < 1)  # after tanh


def test_draw_network_draws_one_line_per_nonzero_weight(tmp_path):
    model = small_network()
    model[1].weight.array[0] = 0.0  # a neuron with no connections drawn
    figure = draw_network(model, path=tmp_path / "net.png", title="small")
    ax = figure.axes[0]
    assert (
        sum(len(c.get_segments()) for c in ax.collections if hasattr(c, "get_segments"))
        == 4 * 2 + 3 * 2
    )
    assert (tmp_path / "net.png").stat().st_size > 1000


def test_draw_network_shows_values_and_labels():
    figure = draw_network(
        hand_wired_network(),
        x=np.array([[-1, -1], [1, 1]]),
        input_labels=list("abcd"),
        output_labels=["solid", "vertical", "diagonal", "horizontal"],
    )
    texts = {t.get_text() for t in figure.axes[0].texts}
    assert {"a", "horizontal", "0.96", "-0.96", "ReLU", "Tanh", "input"} <= texts


def test_draw_network_accepts_a_single_linear_layer():
    figure = draw_network(nn.Linear(3, 2), x=[1.0, 0.0, -1.0])
    assert figure.axes


class Strange(nn.Module):
    def forward(self, x):
        return x


@pytest.mark.parametrize(
    "model, culprit",
    [
        (nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(8, 2)), "Conv2d at '0'"),
        (nn.Sequential(nn.Linear(2, 2), Strange()), "Strange at '1'"),
        (nn.Sequential(nn.ReLU(), nn.Linear(2, 2)), "comes before any Linear"),
        (nn.Sequential(nn.Flatten()), "no Linear layer"),
        ("not a model", "got str"),
    ],
)
def test_draw_network_refuses_what_it_cannot_draw(model, culprit):
    with pytest.raises(TypeError, match=culprit) as error:
        draw_network(model)
    assert "Linear" in str(error.value)


def test_draw_network_checks_the_input_size():
    with pytest.raises(ValueError, match="x has 3 values but the network takes 4 inputs"):
        draw_network(small_network(), x=np.zeros(3))


def test_receptive_fields_of_the_hand_wired_network_are_the_lecture_patterns():
    fields = receptive_field_images(hand_wired_network(), (2, 2))
    assert [f.shape for f in fields] == [(4, 2, 2), (4, 2, 2), (4, 2, 2), (8, 2, 2), (4, 2, 2)]
    # Input neurons care about one pixel and ignore (grey) the rest.
    np.testing.assert_array_equal(fields[0].reshape(4, 4), np.eye(4))
    # The first layer's top neuron adds the two left pixels: a light left column, the right ignored.
    np.testing.assert_array_equal(fields[1][0], [[1, 0], [1, 0]])
    np.testing.assert_array_equal(fields[1][3], [[0, 1], [0, -1]])
    # Second-layer neurons see the whole image: solid, vertical, diagonal, horizontal.
    np.testing.assert_array_equal(
        fields[2], [[[1, 1], [1, 1]], [[1, -1], [1, -1]], [[1, -1], [-1, 1]], [[1, 1], [-1, -1]]]
    )
    # ReLU pairs respond to a pattern and to its negative.
    np.testing.assert_array_equal(fields[3][0::2], -fields[3][1::2])


def test_receptive_fields_refuse_large_inputs_and_wrong_shapes():
    with pytest.raises(ValueError, match="too many"):
        receptive_field_images(nn.Linear(784, 2), (28, 28))
    with pytest.raises(ValueError, match=r"input_shape \(3, 3\) has 9 values"):
        receptive_field_images(nn.Linear(4, 2), (3, 3))


def test_receptive_fields_figure_has_a_row_per_layer(tmp_path):
    figure = receptive_fields(small_network(), (2, 2), path=tmp_path / "fields.png")
    assert sum(1 for ax in figure.axes if ax.images) == 4 + 3 + 2
    assert (tmp_path / "fields.png").exists()


def test_weights_as_images_from_layers_models_and_arrays(tmp_path):
    layer = nn.Linear(9, 4)
    from_layer = weights_as_images(layer, path=tmp_path / "w.png")
    assert sum(1 for ax in from_layer.axes if ax.images) == 4
    image = next(ax for ax in from_layer.axes if ax.images).images[0]
    low, high = image.get_clim()
    assert low == -high  # symmetric, so zero is the middle colour
    from_model = weights_as_images(nn.Sequential(nn.Flatten(), layer, nn.ReLU()))
    assert sum(1 for ax in from_model.axes if ax.images) == 4
    weights_as_images(np.ones((2, 6)), image_shape=(2, 3))
    with pytest.raises(ValueError, match="6 inputs do not make a square image"):
        weights_as_images(np.ones((2, 6)))


def test_layer_values_with_one_activation_object_used_twice():
    shared = nn.Tanh()
    model = nn.Sequential(nn.Linear(4, 3), shared, nn.Linear(3, 2), shared)
    values = layer_values(model, np.ones((5, 4)))
    assert [v.shape for v in values] == [(5, 4), (5, 3), (5, 2)]
    np.testing.assert_allclose(values[-1], model(wright.ones(5, 4)).array, rtol=1e-6)
    assert not shared._forward_hooks
