"""Dropout on small data: the same network trained with and without dropout on a few hundred MNIST
digits, and on a thousand digits of which one in five carries a random label, comparing how far its
test results fall behind its training results."""

from __future__ import annotations

import os

import numpy as np

import wright
from wright import nn, optim
from wright.data import DataLoader, TensorDataset
from wright.demos._common import picture_path
from wright.demos._mnist import mnist
from wright.train import evaluate, fit
from wright.viz.charts import curves
from wright.viz.figure import new_figure, save_figure

NAME = "dropout"
SUMMARY = (
    "784-256-256-10 on a few hundred digits (clean, and with noisy labels), "
    "with and without dropout"
)

HIDDEN = 256


def network(input_dropout: float = 0.0, hidden_dropout: float = 0.0) -> nn.Sequential:
    """784-256-256-10 ReLU; with dropout, pixels are dropped with probability `input_dropout` and
    hidden neurons with probability `hidden_dropout` at every training step."""

    def drop(p: float) -> list[nn.Module]:
        return [nn.Dropout(p)] if p else []

    return nn.Sequential(
        nn.Flatten(),
        *drop(input_dropout),  # (N, 784)
        nn.Linear(784, HIDDEN),
        nn.ReLU(),
        *drop(hidden_dropout),
        nn.Linear(HIDDEN, HIDDEN),
        nn.ReLU(),
        *drop(hidden_dropout),
        nn.Linear(HIDDEN, 10),  # (N, 10) scores
    )


def train_and_measure(
    net: nn.Module, train: TensorDataset, test: TensorDataset, epochs: int, seed: int
) -> dict:
    """Train with Adam on the small training set; measure both sets at the end with dropout switched
    off.

    Returns:
        train/test accuracy and loss, and the per-epoch test history.
    """
    loss_fn = nn.CrossEntropyLoss()
    test_loader = DataLoader(test, batch_size=1000)
    history = fit(
        net,
        loss_fn,
        optim.Adam(net.parameters(), lr=1e-3),
        DataLoader(train, batch_size=50, shuffle=True, seed=seed),
        epochs=epochs,
        val_loader=test_loader,
        verbose=0,
    )
    on_train = evaluate(net, loss_fn, DataLoader(train, batch_size=1000))
    on_test = evaluate(net, loss_fn, test_loader)
    return {
        "train_accuracy": on_train["accuracy"],
        "test_accuracy": on_test["accuracy"],
        "train_loss": on_train["loss"],
        "test_loss": on_test["loss"],
        "test_loss_curve": history["val_loss"],
        "test_accuracy_curve": history["val_accuracy"],
    }


def noisy_labels(labels: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """The labels with a random `fraction` of them replaced by random digits (some land on the right
    one)."""
    rng = np.random.default_rng(seed)
    noisy = labels.copy()
    replaced = rng.random(len(labels)) < fraction
    noisy[replaced] = rng.integers(0, 10, int(replaced.sum()))
    return noisy


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Train with and without dropout on both small tasks and print the train/test gaps."""
    clean_count, clean_epochs, noisy_count, noisy_epochs = (
        (300, 20, 500, 15) if quick else (500, 60, 1000, 30)
    )
    test = TensorDataset(*mnist("test", 1000 if quick else 2000))
    images, labels = mnist("train", noisy_count)
    noisy = noisy_labels(labels, 0.2, seed)
    tasks = {
        "clean": (
            TensorDataset(images[:clean_count], labels[:clean_count]),
            clean_epochs,
            f"{clean_count} digits",
        ),
        "noisy": (
            TensorDataset(images, noisy),
            noisy_epochs,
            f"{noisy_count} digits, {100 * np.mean(noisy != labels):.0f}% of them labelled wrongly",
        ),
    }
    variants = {"without dropout": (0.0, 0.0), "with dropout": (0.2, 0.5)}
    print(
        f"784-{HIDDEN}-{HIDDEN}-10 ReLU trained with Adam; dropout drops 20% of the pixels and "
        f"half the hidden neurons at each step; tested on {len(test)} other digits"
    )
    results: dict[str, dict[str, dict]] = {}
    measured = {}
    for task, (train, epochs, description) in tasks.items():
        print(f"  {description}, {epochs} epochs:")
        results[task] = {}
        for variant, (input_p, hidden_p) in variants.items():
            wright.manual_seed(seed)
            r = train_and_measure(network(input_p, hidden_p), train, test, epochs, seed)
            results[task][variant] = r
            gap = r["train_accuracy"] - r["test_accuracy"]
            print(
                f"    {variant:>15}: train {100 * r['train_accuracy']:.1f}% / test "
                f"{100 * r['test_accuracy']:.1f}% (gap {100 * gap:.1f} points); loss train "
                f"{r['train_loss']:.4f} / test {r['test_loss']:.3f}"
            )
            prefix = f"{task}_{'dropout' if input_p else 'plain'}"
            measured.update(
                {
                    f"{prefix}_train_accuracy": float(r["train_accuracy"]),
                    f"{prefix}_test_accuracy": float(r["test_accuracy"]),
                    f"{prefix}_gap": float(gap),
                    f"{prefix}_test_loss": float(r["test_loss"]),
                }
            )
    _draw(out_dir, results, tasks)
    return measured


def _draw(out_dir, results: dict, tasks: dict) -> None:
    path = picture_path(out_dir, "dropout.png")
    if path is None:
        return
    figure, axes = new_figure(1, 2, size=(12, 3.8), layout="constrained")
    for ax, (task, by_variant) in zip(np.ravel(axes), results.items()):
        curves(
            {variant: r["test_accuracy_curve"] for variant, r in by_variant.items()},
            ylabel="test accuracy",
            ax=ax,
            title=tasks[task][2],
        )
    figure.suptitle("test accuracy after each epoch, with and without dropout")
    save_figure(figure, path)
