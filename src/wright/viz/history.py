"""Training curves: loss and metrics per epoch, for training and validation data."""

from __future__ import annotations

import os

from wright.viz.figure import new_figure, save_figure


def plot_history(history, path: str | os.PathLike | None = None, title: str | None = None):
    """Plot every metric in a History (or its dict) against the epoch, train and validation
    together.

    Returns the matplotlib Figure; with `path`, also saves it as PNG.
    """
    records = history.history if hasattr(history, "history") else history
    names = [k for k in records if not k.startswith("val_") and k not in ("epoch", "lr", "time")]
    figure, axes = new_figure(1, len(names) or 1)
    axes = axes.ravel() if hasattr(axes, "ravel") else [axes]
    for ax, name in zip(axes, names):
        epochs = range(1, len(records[name]) + 1)
        ax.plot(epochs, records[name], marker="o", label=f"train {name}")
        if f"val_{name}" in records:
            ax.plot(epochs, records[f"val_{name}"], marker="s", label=f"validation {name}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return save_figure(figure, path)
