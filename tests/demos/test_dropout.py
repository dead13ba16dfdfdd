"""The dropout demo in quick mode: with noisy labels, dropout keeps the network from memorising
them."""

import numpy as np

from wright import demos
from wright.demos.dropout import network, noisy_labels


def test_the_network_only_drops_out_when_asked():
    assert "Dropout" not in repr(network())
    assert repr(network(0.2, 0.5)).count("Dropout") == 3


def test_noisy_labels_replace_about_the_asked_fraction():
    labels = np.arange(10_000) % 10
    wrong = np.mean(noisy_labels(labels, 0.2, seed=0) != labels)
    assert 0.16 < wrong < 0.2  # a tenth of the replacements land on the right digit


def test_dropout_quick(tmp_path):
    results = demos.get("dropout").run(tmp_path, seed=0, quick=True)
    assert results["clean_plain_train_accuracy"] == 1.0
    assert results["clean_plain_gap"] > 0.1
    assert results["noisy_plain_gap"] > results["noisy_dropout_gap"] + 0.1
    assert results["noisy_dropout_test_accuracy"] > results["noisy_plain_test_accuracy"] + 0.03
    if any(tmp_path.glob("*.png")):
        assert (tmp_path / "dropout.png").is_file()
