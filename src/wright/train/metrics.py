"""Metrics computed from a batch's outputs and labels, accumulated as (total, count) over an
epoch."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from wright.backend import array_module


def accuracy(outputs: np.ndarray, targets: np.ndarray) -> tuple[float, int]:
    """Correct predictions and the number of predictions: argmax over axis 1 (a single output column
    is thresholded at 0.5, or at 0 for scores that are not probabilities)."""
    if outputs.ndim >= 2 and outputs.shape[1] > 1:
        predicted = outputs.argmax(axis=1)
    else:
        column = outputs.reshape(targets.shape)
        threshold = 0.5 if column.min() >= 0 and column.max() <= 1 else 0.0
        predicted = column > threshold
    return float((predicted == targets).sum()), int(targets.size)


def top5_accuracy(outputs: np.ndarray, targets: np.ndarray) -> tuple[float, int]:
    """How often the label is among the five highest-scored classes (the lectures' top-5 error,
    inverted)."""
    best = array_module(outputs).argpartition(-outputs, 5, axis=1)[:, :5]
    return float((best == targets[:, None]).sum()), int(targets.size)


METRICS: dict[str, Callable[[np.ndarray, np.ndarray], tuple[float, int]]] = {
    "accuracy": accuracy,
    "top5_accuracy": top5_accuracy,
}


def resolve(names) -> dict[str, Callable]:
    """Metric functions by name; an unknown name raises ValueError listing the valid ones."""
    chosen = {}
    for name in names:
        if name not in METRICS:
            raise ValueError(f"unknown metric {name!r}; choose from: {', '.join(METRICS)}")
        chosen[name] = METRICS[name]
    return chosen
