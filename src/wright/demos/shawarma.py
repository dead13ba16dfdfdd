"""The shawarma cook's two schedules, learned by one layer of two output neurons from days of
observation: by nudging each weight up and down and keeping the way that lowers the error, and by
backprop.

Pictures: shawarma_nudged.png, shawarma_backprop.png, shawarma_error.png.
"""

from __future__ import annotations

import os
from functools import partial

import numpy as np

import wright
from wright import nn, optim
from wright.data import DataLoader, TensorDataset
from wright.datasets import toy
from wright.demos._common import picture_path
from wright.optim import search
from wright.train import Callback, fit
from wright.viz import curves, draw_network

NAME = "shawarma"
SUMMARY = "two work schedules learned by one layer: weight nudging (the lectures' way) vs backprop"

NUDGE = 0.1  # how far each weight is nudged, and moved, per day
# The error's preference for low weights, which drives unused connections to zero. Above 1 it
# outweighs, over an active and an idle day, what a weight gains from being active, so a neuron
# that wins both schedules steadily loses its grip and leaves one of them to the other neuron;
# below 2 an active weight still gains more than it pays.
LOW_WEIGHT_PULL = 1.5
LEARNING_RATE = 1.0
TOLERANCE = 0.15  # a learned weight counts as recovered within this of the schedule's 0 or 1


def starting_weights(seed: int) -> np.ndarray:
    """Random weights in [0, 1], shape (outputs=2, inputs=4), except the four the lecture traces.

    Those are the weights from 'works morning' and 'off evening': 0.3 and 0.1 into the first output,
    0.8 and 0.4 into the second.
    """
    weights = np.random.default_rng(seed).uniform(0.0, 1.0, size=(2, 4)).astype(np.float32)
    weights[:, [0, 3]] = [[0.3, 0.1], [0.8, 0.4]]
    return weights


def activities(weights: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Each output's activity: the average weight over the inputs active that day. (..., outputs)"""
    return weights @ day / day.sum()


def day_error(weights: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The winning output's error: its activity's shortfall from 1, plus a pull to low weights.

    Args:
        weights: the winner's weights, (4,) or a batch (N, 4).
        day: the day's observation (4,).
    """
    return 1.0 - activities(weights, day) + LOW_WEIGHT_PULL * weights.mean(axis=-1)


def recovered(weights: np.ndarray) -> bool:
    """Whether each schedule is matched, within TOLERANCE on every weight, by a different output."""
    matches = np.all(
        np.abs(weights[:, None, :] - toy.SHAWARMA_SCHEDULES[None]) <= TOLERANCE, axis=2
    )
    return bool(matches.any(axis=0).all() and matches.any(axis=1).all())


def learn_by_nudging(
    days: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, list[float], int | None, int]:
    """Each day, nudge the most active output's weights up and down; move it the way that helped.

    Returns:
        final weights, the winner's shortfall from full activity (1 - activity) before each day's
        update, the day on which both schedules were first recovered (None if never), and how
        many times the error was evaluated.
    """
    weights = weights.astype(np.float64)
    shortfalls, evaluations, recovered_on = [], 0, None
    for number, day in enumerate(days, start=1):
        activity = activities(weights, day)
        winner = int(np.argmax(activity))
        shortfalls.append(1.0 - float(activity[winner]))
        result = search.nudge(
            partial(day_error, day=day),
            weights[winner],
            step=NUDGE,
            max_steps=1,
            bounds=[(0.0, 1.0)] * 4,
            vectorized=True,
        )
        weights[winner] = result.last_x
        evaluations += result.evaluations
        if recovered_on is None and recovered(weights):
            recovered_on = number
    return weights, shortfalls, recovered_on, evaluations


class _DayByDay(Callback):
    """After each day's step: keep the weights in [0, 1] and note when both schedules are found."""

    def __init__(self, layer: nn.Linear) -> None:
        self.layer, self.recovered_on = layer, None

    def on_batch_end(self, step: int, logs: dict) -> None:
        with wright.no_grad():
            self.layer.weight.clamp_(0.0, 1.0)
        if self.recovered_on is None and recovered(self.layer.weight.array):
            self.recovered_on = step


def learn_by_backprop(
    days: np.ndarray, weights: np.ndarray
) -> tuple[nn.Linear, list[float], int | None]:
    """The same error, minimised by gradient steps from backpropagation (weights kept in [0, 1]).

    `fit` shows the layer one day at a time, in order; the loss is the winning output's error.

    Returns:
        the layer, the winner's shortfall from full activity before each day's update, and the day
        both schedules were first recovered.
    """
    layer = nn.Linear(4, 2, bias=False)
    with wright.no_grad():
        layer.weight.copy_(wright.as_tensor(weights))
    shortfalls: list[float] = []

    def winner_error(activity, day):
        activity = activity[0] / float(day.array.sum())  # (2,)
        winner = int(np.argmax(activity.array))
        shortfall = 1.0 - activity[winner]
        shortfalls.append(float(shortfall.item()))
        return shortfall + LOW_WEIGHT_PULL * layer.weight[winner].mean()

    days_in_order = DataLoader(TensorDataset(days, days), batch_size=1)
    watch = _DayByDay(layer)
    optimizer = optim.SGD(layer.parameters(), lr=LEARNING_RATE)
    fit(layer, winner_error, optimizer, days_in_order, metrics=(), callbacks=[watch], verbose=0)
    return layer, shortfalls, watch.recovered_on


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Learn the two schedules both ways from the same starting weights and the same days.

    Returns:
        first_day_activity_before/after and first_day_error_before/after (the lecture's traced
        step), nudge_days and backprop_days (days until both schedules were recovered; -1 if
        never), nudge_recovered / backprop_recovered (1.0 or 0.0), nudge_evaluations_per_day
        (error evaluations per update: 2 per weight + 1), and nudge_distance / backprop_distance
        (the largest distance of each method's weights from the schedules).
    """
    days = toy.shawarma_days(60 if quick else 100, seed=seed)
    # The lecture's first observed day: works in the morning, off in the evening.
    days[0] = toy.SHAWARMA_SCHEDULES[0]
    start = starting_weights(seed)
    before = float(activities(start, days[0]).max())
    nudged, nudge_errors, nudge_days, evaluations = learn_by_nudging(days, start)
    after = float(activities(learn_by_nudging(days[:1], start)[0], days[0]).max())
    print(
        f"day 1: the most active output has activity {before:.2f} (error {1 - before:.2f}); "
        f"after nudging every weight by {NUDGE} once: activity {after:.2f} (error {1 - after:.2f})"
    )

    layer, backprop_errors, backprop_days = learn_by_backprop(days, start)
    learned = layer.weight.array
    for method, weights, took in (
        ("nudging", nudged, nudge_days),
        ("backprop", learned, backprop_days),
    ):
        outcome = (
            f"recovered both schedules after {took} days"
            if took
            else "did not recover both schedules"
        )
        print(
            f"{method:9s} {outcome}; weights (rows = outputs; columns = "
            f"{', '.join(toy.SHAWARMA_INPUTS)}):"
        )
        print(np.array2string(np.asarray(weights), precision=2, suppress_small=True))
    per_day = evaluations / len(days)
    print(
        f"nudging evaluated the error {per_day:.0f} times per day (2 per weight + 1); backprop "
        "needs one forward and one backward pass, however many weights"
    )

    nudged_layer = nn.Linear(4, 2, bias=False)
    nudged_layer.weight.array[...] = nudged
    for tag, method, learned_layer in (
        ("nudged", "nudging", nudged_layer),
        ("backprop", "backprop", layer),
    ):
        if path := picture_path(out_dir, f"shawarma_{tag}.png"):
            draw_network(
                learned_layer,
                input_labels=toy.SHAWARMA_INPUTS,
                output_labels=("pattern A", "pattern B"),
                title=f"schedules learned by {method}",
                path=path,
            )
    if path := picture_path(out_dir, "shawarma_error.png"):
        days_seen = np.arange(1, len(days) + 1)
        curves(
            {
                "nudging": (days_seen, nudge_errors),
                "backprop": (days_seen, backprop_errors),
            },
            xlabel="day",
            ylabel="1 - activity of the most active output",
            marker=".",
            title="how far the day's winning output falls short of full activity",
            path=path,
        )
    return {
        "first_day_activity_before": before,
        "first_day_activity_after": after,
        "first_day_error_before": 1 - before,
        "first_day_error_after": 1 - after,
        "nudge_days": nudge_days or -1,
        "backprop_days": backprop_days or -1,
        "nudge_recovered": float(recovered(nudged)),
        "backprop_recovered": float(recovered(learned)),
        "nudge_evaluations_per_day": per_day,
        "nudge_distance": _distance(nudged),
        "backprop_distance": _distance(learned),
    }


def _distance(weights: np.ndarray) -> float:
    """Largest weight error after matching each output to its nearest schedule."""
    gaps = np.abs(np.asarray(weights)[:, None, :] - toy.SHAWARMA_SCHEDULES[None])  # (out, 2, 4)
    return float(gaps.max(axis=2).min(axis=1).max())
