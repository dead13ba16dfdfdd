"""The adversarial demo: the epsilon search, and a quick run on freshly trained MLP and CNN."""

import math

import numpy as np
import pytest

from wright import demos, nn
from wright.demos.adversarial import smallest_epsilon


def fake_attack(threshold: float):
    """Scores for ten images of class 0: an attack of size eps flips the first eps // threshold."""

    def attack(eps: float) -> np.ndarray:
        flipped = np.arange(10) < np.floor(eps / threshold + 1e-9)
        return np.where(flipped[:, None], [[0.0, 1.0]], [[1.0, 0.0]]).astype(np.float32)

    return attack


def test_the_search_finds_the_smallest_epsilon_on_its_grid():
    labels = np.zeros(10, dtype=np.int64)
    eps, attacked = smallest_epsilon(fake_attack(0.05), nn.Identity(), labels)
    assert eps == pytest.approx(0.45)  # 9 of 10 flipped
    assert (attacked.argmax(axis=1) != labels).sum() == 9
    eps, _ = smallest_epsilon(fake_attack(1.0), nn.Identity(), labels)
    assert math.isnan(eps)


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WRIGHT_CACHE", str(tmp_path / "cache"))


def test_adversarial_quick(tmp_path, empty_cache, capsys):
    results = demos.get("adversarial").run(tmp_path, seed=0, quick=True)
    printed = capsys.readouterr().out
    for model in ("mlp-lecture", "cnn"):
        assert results[f"{model}_test_accuracy"] > 0.75
        fgsm_eps, pgd_eps = results[f"{model}_fgsm_epsilon"], results[f"{model}_pgd_epsilon"]
        assert 0 < pgd_eps <= fgsm_eps <= 0.5
        assert (
            results[f"{model}_pgd_flip_rate"] >= 0.9 and results[f"{model}_fgsm_flip_rate"] >= 0.9
        )
        assert 0 <= results[f"{model}_pgd_flip_to"] <= 9
        assert f"{model} (trained on" in printed
    pictures = sorted(path.name for path in tmp_path.glob("*.png"))
    if pictures:
        assert pictures == ["adversarial.png", "adversarial_cnn.png"]
