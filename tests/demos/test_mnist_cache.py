"""The demos' cache of trained MNIST models (wright.demos._mnist): one checkpoint per model, seed and
training budget, read and written only by full runs."""

import pytest

import wright
from wright.demos import _mnist

NAME = "mlp-lecture"


@pytest.fixture
def tiny_budgets(tmp_path, monkeypatch):
    """An empty cache, and a full-run budget small enough to train in a moment."""
    monkeypatch.setenv("WRIGHT_CACHE", str(tmp_path / "cache"))
    budgets = {NAME: (_mnist.Budget(200, 1), _mnist.Budget(100, 1))}
    monkeypatch.setattr(_mnist, "BUDGETS", budgets)
    return budgets


def first_weight(model):
    return model[1].weight.array.copy()


def test_a_full_run_caches_its_model_under_its_seed_and_budget(tiny_budgets):
    model, _, origin = _mnist.trained_classifier(NAME, quick=False, seed=0)
    path = _mnist.checkpoint_path(NAME, 0, _mnist.Budget(200, 1))
    assert path.name == "mlp-lecture-mnist-seed0-200x1.npz"
    assert origin == f"trained on 200 images for 1 epoch(s), saved to {path}"
    checkpoint = wright.models.load_checkpoint(path, "image")
    assert checkpoint.saved["seed"] == 0
    assert checkpoint.saved["budget"] == {"images": 200, "epochs": 1}

    again, _, origin = _mnist.trained_classifier(NAME, quick=False, seed=0)
    assert origin == f"loaded from {path}"
    assert (first_weight(again) == first_weight(model)).all()


def test_another_seed_or_budget_never_reuses_a_cached_model(tiny_budgets, monkeypatch):
    model, _, _ = _mnist.trained_classifier(NAME, quick=False, seed=0)
    other_seed, _, origin = _mnist.trained_classifier(NAME, quick=False, seed=1)
    assert origin.startswith("trained on") and "seed1-200x1" in origin
    assert (first_weight(other_seed) != first_weight(model)).any()

    monkeypatch.setitem(tiny_budgets, NAME, (_mnist.Budget(300, 1), _mnist.Budget(100, 1)))
    _, _, origin = _mnist.trained_classifier(NAME, quick=False, seed=0)
    assert origin.startswith("trained on 300 images") and "seed0-300x1" in origin
    cached = sorted(p.name for p in _mnist.checkpoint_path(NAME).parent.iterdir())
    assert cached == [
        "mlp-lecture-mnist-seed0-200x1.npz",
        "mlp-lecture-mnist-seed0-300x1.npz",
        "mlp-lecture-mnist-seed1-200x1.npz",
    ]


def test_quick_runs_neither_read_nor_write_the_cache(tiny_budgets):
    _mnist.trained_classifier(NAME, quick=False, seed=0)
    folder = _mnist.checkpoint_path(NAME).parent
    before = sorted(folder.iterdir())
    _, _, origin = _mnist.trained_classifier(NAME, quick=True, seed=0)
    assert origin == "trained on 100 images for 1 epoch(s)"
    assert sorted(folder.iterdir()) == before


def test_a_broken_checkpoint_is_ignored_and_replaced(tiny_budgets, capsys):
    path = _mnist.checkpoint_path(NAME)
    path.parent.mkdir(parents=True)
    wright.save({"model": {}}, path)
    _, _, origin = _mnist.trained_classifier(NAME, quick=False, seed=0)
    assert "ignoring the checkpoint" in capsys.readouterr().out
    assert origin.startswith("trained on") and origin.endswith(f"saved to {path}")
