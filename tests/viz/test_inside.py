"""Tests for feature_maps, preferred_inputs, adversarial_examples and curves."""

import numpy as np
import pytest

import wright
from wright import nn
from wright.viz import adversarial_examples, curves, feature_maps, new_figure, preferred_inputs

pytest.importorskip("matplotlib")


def small_cnn() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 3 * 3, 2)
    )


def test_feature_maps_draws_a_row_per_layer(tmp_path):
    path = tmp_path / "maps.png"
    figure = feature_maps(
        small_cnn(), wright.rand(1, 1, 8, 8), max_channels=3, title="maps", path=path
    )
    assert path.is_file() and path.stat().st_size > 0
    axes = np.asarray(figure.axes).reshape(
        6, 3
    )  # the input and five layers, three channels at most
    assert axes[0, 0].get_ylabel().startswith("input")
    assert "Conv2d 1->4" in axes[1, 0].get_ylabel()
    assert len(axes[1, 2].images) == 1


def test_feature_maps_of_chosen_layers(tmp_path):
    net = small_cnn()
    figure = feature_maps(net, np.zeros((1, 1, 8, 8), np.float32), layers=["2", 4])
    assert len(figure.axes) == 3 * 4  # input, pooled maps, scores; four channels wide


def test_feature_maps_says_what_it_can_draw():
    sequence_net = nn.Sequential(nn.Conv1d(1, 2, 3), nn.ReLU())
    with pytest.raises(
        ValueError,
        match=r"cannot draw layer '0': it gives output of shape \(1, 2, 6\).*"
        r"\(1, channels, height, width\) feature maps or \(1, features\)",
    ):
        feature_maps(sequence_net, np.zeros((1, 1, 8), np.float32))
    with pytest.raises(ValueError, match=r"a batch of one input.*got shape \(2, 1, 8, 8\)"):
        feature_maps(small_cnn(), np.zeros((2, 1, 8, 8), np.float32))
    with pytest.raises(ValueError, match=r"a vector \(1, F\); got shape \(8,\)"):
        feature_maps(nn.Sequential(nn.Linear(8, 2)), np.zeros(8, np.float32))
    with pytest.raises(KeyError, match="no layer 'conv'"):
        feature_maps(small_cnn(), np.zeros((1, 1, 8, 8), np.float32), layers=["conv"])


def test_preferred_inputs_as_bars_and_as_images(tmp_path):
    bars = preferred_inputs(np.random.rand(3, 10), ["a", "b", "c"], path=tmp_path / "bars.png")
    assert [ax.get_title() for ax in bars.axes] == ["a", "b", "c"]
    assert len(bars.axes[0].patches) == 10
    images = preferred_inputs(wright.rand(2, 1, 5, 5), value_range=(-1, 1))
    assert len(images.axes[0].images) == 1 and images.axes[1].get_title() == "unit 1"
    reshaped = preferred_inputs(np.random.rand(2, 12), image_shape=(3, 4))
    assert reshaped.axes[0].images[0].get_array().shape == (3, 4)
    with pytest.raises(ValueError, match=r"preferred_inputs: expected \(units, features\) vectors"):
        preferred_inputs(np.zeros((2, 2, 3, 4, 5)))


def test_adversarial_examples_show_three_rows(tmp_path):
    clean = np.random.rand(4, 1, 6, 6)
    attacked = np.clip(clean + 0.1, 0, 1)
    figure = adversarial_examples(
        clean, attacked, [1, 2, 3, 4], [7, 7, 7, 7], path=tmp_path / "adv.png"
    )
    titles = np.array([ax.get_title() for ax in figure.axes]).reshape(3, 4)
    assert list(titles[:, 0]) == ["says 1", "", "says 7"]
    assert "change" in figure.axes[4].get_ylabel()
    with pytest.raises(ValueError, match="differ in shape"):
        adversarial_examples(clean, attacked[:2], [1], [2])


def test_curves_on_given_axes_or_a_new_figure(tmp_path):
    figure = curves(
        {"train": [0.5, 0.8, 0.9], "test": ([1, 2, 3], [0.4, 0.6, 0.7])},
        ylabel="accuracy",
        path=tmp_path / "curves.png",
    )
    lines = figure.axes[0].lines
    assert [list(line.get_xdata()) for line in lines] == [[1, 2, 3], [1, 2, 3]]
    figure, axes = new_figure(1, 2)
    returned = curves({"loss": [1.0, 0.1]}, logy=True, ax=axes[0, 1], title="right panel")
    assert (
        returned is figure
        and axes[0, 1].get_yscale() == "log"
        and axes[0, 1].get_title() == "right panel"
    )
