"""Trained MNIST classifiers for the demos: loaded from the checkpoint cache, or trained (quickly)
and cached.

Checkpoints live in `$WRIGHT_CACHE/checkpoints/` (default `~/.cache/wright/checkpoints/`) in the
format `wright train` writes, so `wright evaluate` can read them too. Each is named by everything
that changes the model (architecture, seed, training images and epochs), so a run with another
seed or budget trains its own. Quick runs train a smaller model in memory and leave the cache alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wright import datasets, models, train
from wright.data import DataLoader, TensorDataset
from wright.datasets.download import cache_dir
from wright.nn.module import Module


@dataclass(frozen=True)
class Budget:
    """How much of MNIST to train on, and for how long."""

    images: int
    epochs: int


# Enough to be clearly trained within a demo's time: (full run, quick run).
BUDGETS = {
    "mlp-lecture": (Budget(60_000, 6), Budget(20_000, 2)),
    "cnn": (Budget(12_000, 1), Budget(2_000, 1)),
}


def mnist(split: str, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """MNIST images float32 (N, 1, 28, 28) in [0, 1] and labels int64 (N,)."""
    return datasets.MNIST(split, limit=limit).arrays()


def checkpoint_path(name: str, seed: int = 0, budget: Budget | None = None) -> Path:
    """Where the demos keep the `name` model trained with `seed` on `budget` (default: the full
    run's)."""
    budget = budget or BUDGETS[name][0]
    key = f"seed{seed}-{budget.images}x{budget.epochs}"
    return cache_dir() / "checkpoints" / f"{name}-mnist-{key}.npz"


def loss_for(name: str) -> Module:
    """The loss the model's recipe trains with."""
    return models.get(name).make_loss()


def train_classifier(
    name: str, images: np.ndarray, labels: np.ndarray, epochs: int, seed: int = 0
) -> tuple[Module, dict]:
    """Train a fresh `name` model on the given images with its registered recipe; return it and its
    history."""
    model, history = train.train_classifier(
        name, TensorDataset(images, labels), epochs=epochs, seed=seed
    )
    return model, history.history


def _cached(name: str, path: Path) -> Module | None:
    """The cached model, or None when there is none or it no longer fits the architecture."""
    try:
        checkpoint = models.load_checkpoint(path, "image")
    except FileNotFoundError:
        return None
    except ValueError as error:
        print(f"(ignoring the checkpoint {path}: {error})")
        return None
    if checkpoint.spec.name != name:
        print(f"(ignoring the checkpoint {path}: it holds {checkpoint.spec.name}, not {name})")
        return None
    return checkpoint.model


def trained_classifier(name: str, quick: bool, seed: int = 0) -> tuple[Module, float, str]:
    """A trained `name` model for MNIST: the checkpoint cached for this seed and budget if there is
    one, else freshly trained (and cached, unless `quick`).

    Returns:
        (model in eval mode, its accuracy on the test images (the first 2,000 in a quick run, else
        all 10,000), where it came from).
    """
    budget = BUDGETS[name][1 if quick else 0]
    path = checkpoint_path(name, seed, budget)
    model = None if quick else _cached(name, path)
    trained = model is None
    origin = f"loaded from {path}"
    if trained:
        images, labels = mnist("train", budget.images)
        model, _ = train_classifier(name, images, labels, budget.epochs, seed)
        origin = f"trained on {budget.images:,} images for {budget.epochs} epoch(s)"
    test_x, test_y = mnist("test", 2000 if quick else None)
    test_loader = DataLoader(TensorDataset(test_x, test_y), batch_size=1000)
    accuracy = train.evaluate(model, loss_for(name), test_loader)["accuracy"]
    if trained and not quick:  # a broken checkpoint, ignored above, is replaced
        models.save_checkpoint(
            path,
            model,
            name,
            {"num_classes": 10},
            dataset="mnist",
            seed=seed,
            budget={"images": budget.images, "epochs": budget.epochs},
            metrics={"test_accuracy": accuracy},
        )
        origin += f", saved to {path}"
    return model.eval(), accuracy, origin
