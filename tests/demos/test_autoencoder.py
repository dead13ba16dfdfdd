"""The autoencoder demo in quick mode: shadows copied through 3 hidden neurons, then named by a
softmax head."""

import numpy as np

from wright import demos
from wright.demos.autoencoder import ANIMALS, LEVELS, shadow_heights


def test_shadows_are_short_medium_and_tall():
    shadows, labels = shadow_heights(300, seed=0)
    assert shadows.shape == (300, LEVELS) and shadows.dtype == np.float32
    heights = shadows.sum(axis=1)
    means = [heights[labels == k].mean() for k in range(len(ANIMALS))]
    assert means[0] < 4 < means[1] < 7 < means[2]
    # A shadow fills the wall from the bottom: lit levels never sit above dark ones.
    assert np.all(np.diff(shadows, axis=1) <= 0)


def test_autoencoder_copies_shadows_and_the_head_names_every_animal(tmp_path, capsys):
    results = demos.get("autoencoder").run(tmp_path, seed=0, quick=True)
    printed = capsys.readouterr().out
    assert results["reconstruction_error"] < 0.1 * results["reconstruction_error_before"]
    assert results["head_train_accuracy"] == 1.0
    assert results["head_test_accuracy"] == 1.0
    assert "giraffe" in printed and "neuron 2:" in printed
    pictures = sorted(path.name for path in tmp_path.glob("*.png"))
    if pictures:  # matplotlib is optional
        assert pictures == ["autoencoder.png", "autoencoder_hidden.png", "autoencoder_network.png"]
