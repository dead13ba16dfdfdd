"""Dropout on a small-data task: the same network trained on a few hundred MNIST digits with and without
dropout, comparing how far its test results fall behind its training results."""

from __future__ import annotations

import os

import numpy as np

import wright
from wright import nn, optim
from wright.data import DataLoader, TensorDataset
from wright.demos._common import picture_path
from wright.demos._mnist import mnist
from wright.train import evaluate, fit
from wright.viz.figure import new_figure, save_figure
from wright.viz.inside import curves

NAME = "dropout"
SUMMARY = "784-256-256-10 on a few hundred digits, with and without dropout: the train/test gap"

HIDDEN = 256


def network(input_dropout: float = 0.0, hidden_dropout: float = 0.0) -> nn.Sequential:
    """784-256-256-10 ReLU; with dropout, pixels are dropped with probability `input_dropout` and hidden
    neurons with probability `hidden_dropout` at every training step."""
    def drop(p: float) -> list[nn.Module]:
        return [nn.Dropout(p)] if p else []

    return nn.Sequential(
        nn.Flatten(), *drop(input_dropout),                 # (N, 784)
        nn.Linear(784, HIDDEN), nn.ReLU(), *drop(hidden_dropout),
        nn.Linear(HIDDEN, HIDDEN), nn.ReLU(), *drop(hidden_dropout),
        nn.Linear(HIDDEN, 10),                              # (N, 10) scores
    )


def train_and_measure(net: nn.Module, train: TensorDataset, test: TensorDataset, epochs: int,
                      seed: int) -> dict:
    """Train with Adam on the small training set; measure both sets at the end with dropout switched off.

    Returns:
        train/test accuracy and loss, and the per-epoch test history.
    """
    loss_fn = nn.CrossEntropyLoss()
    test_loader = DataLoader(test, batch_size=1000)
    history = fit(net, loss_fn, optim.Adam(net.parameters(), lr=1e-3),
                  DataLoader(train, batch_size=50, shuffle=True, seed=seed), epochs=epochs,
                  val_loader=test_loader, verbose=0)
    on_train = evaluate(net, loss_fn, DataLoader(train, batch_size=1000))
    on_test = evaluate(net, loss_fn, test_loader)
    return {"train_accuracy": on_train["accuracy"], "test_accuracy": on_test["accuracy"],
            "train_loss": on_train["loss"], "test_loss": on_test["loss"],
            "test_loss_curve": history["val_loss"], "test_accuracy_curve": history["val_accuracy"]}


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Train with and without dropout (averaged over a few seeds) and print the train/test gaps."""
    train_count, epochs, seeds = (300, 20, 1) if quick else (500, 60, 2)
    train = TensorDataset(*mnist("train", train_count))
    test = TensorDataset(*mnist("test", 2000))
    variants = {"without dropout": (0.0, 0.0), "with dropout": (0.2, 0.5)}
    results: dict[str, dict] = {}
    for name, (input_p, hidden_p) in variants.items():
        runs = []
        for offset in range(seeds):
            wright.manual_seed(seed + offset)
            runs.append(train_and_measure(network(input_p, hidden_p), train, test, epochs, seed + offset))
        results[name] = {key: np.mean([r[key] for r in runs], axis=0) for key in runs[0]}
    print(f"784-{HIDDEN}-{HIDDEN}-10 ReLU on {train_count} MNIST digits, {epochs} epochs of Adam, "
          f"mean of {seeds} seed(s); tested on {len(test)} other digits")
    for name, r in results.items():
        print(f"  {name:>15}: train {100 * r['train_accuracy']:.1f}% / test {100 * r['test_accuracy']:.1f}% "
              f"(gap {100 * (r['train_accuracy'] - r['test_accuracy']):.1f} points); loss train "
              f"{r['train_loss']:.4f} / test {r['test_loss']:.3f}")
    plain, dropped = results["without dropout"], results["with dropout"]
    _draw(out_dir, results)
    return {
        "train_accuracy": float(plain["train_accuracy"]),
        "test_accuracy": float(plain["test_accuracy"]),
        "gap": float(plain["train_accuracy"] - plain["test_accuracy"]),
        "test_loss": float(plain["test_loss"]),
        "dropout_train_accuracy": float(dropped["train_accuracy"]),
        "dropout_test_accuracy": float(dropped["test_accuracy"]),
        "dropout_gap": float(dropped["train_accuracy"] - dropped["test_accuracy"]),
        "dropout_test_loss": float(dropped["test_loss"]),
    }


def _draw(out_dir, results: dict) -> None:
    path = picture_path(out_dir, "dropout.png")
    if path is None:
        return
    figure, axes = new_figure(1, 2, size=(9, 3.4))
    axes = np.ravel(axes)
    curves({name: r["test_loss_curve"] for name, r in results.items()}, ylabel="test loss", ax=axes[0],
           title="test loss: without dropout it climbs as the net memorises")
    curves({name: r["test_accuracy_curve"] for name, r in results.items()}, ylabel="test accuracy",
           ax=axes[1], title="test accuracy")
    figure.tight_layout()
    save_figure(figure, path)
