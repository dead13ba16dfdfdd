"""Tests for feature_maps, preferred_inputs and adversarial_examples."""

import numpy as np
import pytest

import wright
from wright import nn
from wright.viz import adversarial_examples, feature_maps, figure_problems, preferred_inputs

pytest.importorskip("matplotlib")


def panels(figure) -> list:
    """The figure's axes without its colour bars."""
    return [ax for ax in figure.axes if getattr(ax, "_colorbar", None) is None]


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
    # The input and three layers of maps, three channels at most, then two vectors as bars.
    axes = panels(figure)
    maps = np.asarray(axes[:12]).reshape(4, 3)
    assert maps[0, 0].get_ylabel() == "input"
    assert "Conv2d 1->4" in maps[1, 0].get_ylabel() and "4 maps" in maps[1, 0].get_ylabel()
    assert len(maps[1, 2].images) == 1
    flat, scores = axes[12:]
    assert len(flat.patches) == 36 and len(scores.patches) == 2
    assert len(figure.axes) - len(axes) == 4  # a colour bar per row of maps
    assert figure_problems(figure) == []


def test_feature_maps_name_the_outputs():
    figure = feature_maps(
        small_cnn(), wright.rand(1, 1, 8, 8), layers=[4], output_labels=["X", "O"], title="t"
    )
    scores = panels(figure)[-1]
    assert [label.get_text() for label in scores.get_xticklabels()] == ["X", "O"]
    assert "1 map" not in panels(figure)[0].get_ylabel()


def test_feature_maps_of_chosen_layers(tmp_path):
    net = small_cnn()
    figure = feature_maps(net, np.zeros((1, 1, 8, 8), np.float32), layers=["2", 4])
    # input and pooled maps four channels wide, the scores as one row of bars
    assert len(panels(figure)) == 2 * 4 + 1


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
    images = preferred_inputs(wright.rand(2, 1, 5, 5), value_range=(-1, 1), title="best")
    assert len(images.axes[0].images) == 1 and images.axes[1].get_title() == "unit 1"
    assert images.axes[2].get_ylabel() == "input value"  # the colour bar
    assert figure_problems(images) == []
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
    titles = np.array([ax.get_title() for ax in panels(figure)]).reshape(3, 4)
    assert list(titles[:, 0]) == ["says 1", "", "says 7"]
    assert "change" in panels(figure)[4].get_ylabel()
    with pytest.raises(ValueError, match="differ in shape"):
        adversarial_examples(clean, attacked[:2], [1], [2])


def test_adversarial_examples_of_two_attacks_with_colour_bars():
    clean = np.random.rand(3, 1, 6, 6)
    attacks = {"FGSM": np.clip(clean + 0.2, 0, 1), "PGD": np.clip(clean - 0.1, 0, 1)}
    answers = {"FGSM": [1, 1, 1], "PGD": [2, 2, 2]}
    figure = adversarial_examples(clean, attacks, [0, 0, 0], answers, title="two attacks")
    axes = np.asarray(panels(figure)).reshape(5, 3)
    assert [ax.get_ylabel() for ax in axes[:, 0]] == [
        "original",
        "FGSM:\nchange",
        "FGSM:\nattacked",
        "PGD:\nchange",
        "PGD:\nattacked",
    ]
    assert axes[4, 2].get_title() == "says 2"
    labels = {ax.get_ylabel() for ax in figure.axes if ax not in panels(figure)}
    assert labels == {"pixel value", "change"}
    assert figure_problems(figure) == []
