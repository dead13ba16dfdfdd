"""How many M&Ms are in a bag? The least wrong guess by exhaustive search over guesses 40 to 70, by
calculus (the mean) and by gradient descent; with absolute deviations instead, the median.

Pictures: m_and_m_loss.png.
"""

from __future__ import annotations

import os

import numpy as np

from wright import nn, optim
from wright.data import DataLoader, TensorDataset
from wright.datasets import toy
from wright.demos._common import picture_path
from wright.optim import search
from wright.train import Callback, fit
from wright.viz import curves, new_figure, save_figure

NAME = "m-and-m"
SUMMARY = "M&M bags: squared deviation is least at the mean, absolute deviation at the median"

GUESSES = (40.0, 70.0)
GRID_STEP = 0.1


def squared_loss(counts: np.ndarray):
    """Loss of each guess in a batch (N, 1): the sum over bags of (count - guess)^2."""
    return lambda guesses: ((counts[None, :] - guesses) ** 2).sum(axis=1)


def absolute_loss(counts: np.ndarray):
    """Loss of each guess in a batch (N, 1): the sum over bags of |count - guess|."""
    return lambda guesses: np.abs(counts[None, :] - guesses).sum(axis=1)


class Guess(nn.Module):
    """A model with one number, the guess, which it answers for every bag it is shown."""

    def __init__(self, start: float) -> None:
        super().__init__()
        self.value = nn.Parameter(np.array([start]))  # float64: steps of 1e-3 must show

    def forward(self, bags):
        return self.value.expand(len(bags))  # (N,)


class _StopWhenStill(Callback):
    """Records the guess after every step and ends training once a step moved it less than tol."""

    def __init__(self, guess: Guess, tol: float) -> None:
        self.guess, self.tol = guess, tol
        self.path = [float(guess.value.item())]

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        self.path.append(float(self.guess.value.item()))
        if abs(self.path[-1] - self.path[-2]) < self.tol:
            self.state.stop_training = True


def descend_to_mean(
    counts: np.ndarray,
    start: float = GUESSES[0],
    lr: float = 0.1,
    tol: float = 1e-3,
    max_steps: int = 500,
) -> tuple[list[float], int]:
    """Gradient descent on the mean squared deviation, the slope computed by wright's autograd.

    Each epoch of `fit` is one step over all the bags at once.

    Returns:
        the guess after each step (the start first), and the steps taken until one moved the guess
        less than `tol`.
    """
    guess = Guess(start)
    bags = DataLoader(TensorDataset(np.zeros(len(counts)), counts), batch_size=len(counts))
    watch = _StopWhenStill(guess, tol)
    fit(
        guess,
        nn.MSELoss(),
        optim.SGD(guess.parameters(), lr=lr),
        bags,
        epochs=max_steps,
        metrics=(),
        callbacks=[watch],
        verbose=0,
    )
    return watch.path, len(watch.path) - 1


def _flat_bottom(result: search.SearchResult) -> tuple[float, float]:
    """The range of grid guesses that all share the lowest loss."""
    lowest = np.isclose(result.trace_values, result.value, rtol=0, atol=1e-9)
    return float(result.trace_x[lowest].min()), float(result.trace_x[lowest].max())


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Find the best guess by exhaustive search, calculus and gradient descent, and compare losses.

    Returns:
        bags, mean, median, exhaustive_squared (best grid guess under squared loss),
        exhaustive_absolute, descent_guess and descent_steps (gradient descent from 40),
        two_bag_squared (best guess for the first two bags, 53 and 57) and the
        two_bag_absolute_low/high ends of the absolute loss's flat bottom.
    """
    counts = toy.m_and_m_bags(15 if quick else 25, seed=seed).astype(np.float64)
    points = round((GUESSES[1] - GUESSES[0]) / GRID_STEP) + 1
    squared = search.exhaustive(squared_loss(counts), GUESSES, points=points, vectorized=True)
    absolute = search.exhaustive(absolute_loss(counts), GUESSES, points=points, vectorized=True)
    mean, median = float(counts.mean()), float(np.median(counts))
    guesses, steps = descend_to_mean(counts)
    print(f"{len(counts)} bags: {' '.join(str(int(c)) for c in counts)}")
    print(
        f"squared deviation: exhaustive search over {points} guesses from {GUESSES[0]:g} to "
        f"{GUESSES[1]:g} finds {squared.x[0]:.1f}; the calculus answer, the mean, is {mean:.3f}"
    )
    print(f"gradient descent from {GUESSES[0]:g}: {guesses[-1]:.3f} after {steps} steps")
    print(
        f"absolute deviation: exhaustive search finds {absolute.x[0]:.1f}; the median is {median:g}"
    )

    first_two = counts[:2]
    two_squared = search.exhaustive(
        squared_loss(first_two), GUESSES, points=points, vectorized=True
    )
    low, high = _flat_bottom(
        search.exhaustive(absolute_loss(first_two), GUESSES, points=points, vectorized=True)
    )
    print(
        f"first two bags only ({int(first_two[0])} and {int(first_two[1])}): squared loss is "
        f"lowest at {two_squared.x[0]:.1f}, absolute loss equally low from {low:.1f} to {high:.1f}"
    )

    if path := picture_path(out_dir, "m_and_m_loss.png"):
        _draw(counts, squared, absolute, guesses, path)
    return {
        "bags": len(counts),
        "mean": mean,
        "median": median,
        "exhaustive_squared": float(squared.x[0]),
        "exhaustive_absolute": float(absolute.x[0]),
        "descent_guess": guesses[-1],
        "descent_steps": steps,
        "two_bag_squared": float(two_squared.x[0]),
        "two_bag_absolute_low": low,
        "two_bag_absolute_high": high,
    }


def _draw(
    counts: np.ndarray,
    squared: search.SearchResult,
    absolute: search.SearchResult,
    guesses: list[float],
    path,
) -> None:
    figure, axes = new_figure(1, 3, size=(15, 4.0), layout="constrained")
    axes = axes.ravel()
    values, frequency = np.unique(counts, return_counts=True)
    axes[0].bar(values, frequency, color="#8172b3")
    axes[0].set_xlabel("M&Ms in the bag")
    axes[0].set_ylabel("bags")
    axes[0].set_title(f"{len(counts)} bags counted", fontsize=10)
    descent = np.array(guesses)
    best = (
        (squared, float(counts.mean()), "mean", "squared"),
        (absolute, float(np.median(counts)), "median", "absolute"),
    )
    for ax, (result, answer, label, kind) in zip(axes[1:], best):
        series = {"every guess on the grid": (result.trace_x[:, 0], result.trace_values)}
        if kind == "squared":
            series["gradient descent's steps"] = (descent, squared_loss(counts)(descent[:, None]))
        curves(
            series,
            xlabel="guess",
            ylabel=f"sum of {kind} deviations",
            ax=ax,
            title=f"{kind} deviation is least at the {label}",
        )
        if kind == "squared":
            ax.lines[-1].set(linestyle="none", marker="o", markersize=3)
        ax.axvline(answer, color="#c44e52", linestyle="--", label=f"{label} {answer:.2f}")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    figure.suptitle("the best guess of M&Ms per bag")
    save_figure(figure, path)
