"""The mnist-inside demo in quick mode, with an empty model cache."""

import pytest

from wright import demos


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WRIGHT_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_mnist_inside_quick(tmp_path, empty_cache, capsys):
    results = demos.get("mnist-inside").run(tmp_path, seed=0, quick=True)
    printed = capsys.readouterr().out
    assert "trained on 20,000 images" in printed
    assert not (empty_cache / "checkpoints").exists()  # quick runs never write the cache
    assert results["test_accuracy"] > 0.8
    assert 0 <= results["noise_answer"] <= 9
    assert results["noise_top_output"] > max(0.8, 2 * results["noise_runner_up_output"])
    assert results["true_train_accuracy"] > 0.95
    assert results["true_test_accuracy"] > 0.6
    assert results["shuffled_test_accuracy"] < 0.2
    assert results["shuffled_train_accuracy"] > 0.5
    assert (
        0 < results["true_epochs_to_90"] < results["shuffled_epochs_to_90"]
        or results["shuffled_epochs_to_90"] == -1
    )
    pictures = sorted(path.name for path in tmp_path.glob("*.png"))
    if pictures:
        assert pictures == [
            "mnist-inside.png",
            "mnist-inside_noise.png",
            "mnist-inside_shuffled.png",
        ]
