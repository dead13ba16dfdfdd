"""Hyperparameter search: train with many settings, keep the best, and tabulate every trial.

The settings are searched with the gradient-free methods of this package, run over a unit cube
that each hyperparameter's range is mapped onto.

Example:
    >>> import math
    >>> from wright.optim.search import tune
    >>> def pretend_training(lr, hidden):  # stands in for "train, return the validation loss"
    ...     return abs(math.log10(lr) + 2) + abs(hidden - 32) / 32
    >>> space = {"lr": (1e-4, 1e-1, "log"), "hidden": [16, 32, 64]}
    >>> result = tune(pretend_training, space, method="grid", grid_points=4)
    >>> result.best["hidden"], round(result.best["lr"], 6)
    (32, 0.01)
    >>> len(result.rows)  # every trial is a row of result.table(); print(result) shows them
    12
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from wright.optim.search.methods import exhaustive, genetic, random_search, simulated_annealing

METHODS = ("random", "grid", "annealing", "genetic")


@dataclass(frozen=True)
class _Dimension:
    """One hyperparameter: its name and how a coordinate u in [0, 1] maps to a value."""

    name: str
    choices: tuple | None = None
    low: float = 0.0
    high: float = 1.0
    log: bool = False
    integer: bool = False

    @classmethod
    def parse(cls, name: str, spec) -> _Dimension:
        if isinstance(spec, list):
            if not spec:
                raise ValueError(f"tune: {name!r} has an empty list of choices")
            return cls(name, choices=tuple(spec))
        if isinstance(spec, tuple) and len(spec) in (2, 3) and all(_is_number(v) for v in spec[:2]):
            low, high = spec[:2]
            log = len(spec) == 3 and spec[2] == "log"
            if len(spec) == 3 and not log:
                raise ValueError(
                    f"tune: {name!r}: the third item of a range can only be 'log', got {spec[2]!r}"
                )
            if not low < high or (log and low <= 0):
                raise ValueError(
                    f"tune: {name!r} needs low < high (and low > 0 on a log scale), got {spec}"
                )
            integer = isinstance(low, int) and isinstance(high, int)
            return cls(name, low=low, high=high, log=log, integer=integer)
        raise ValueError(
            f"tune: {name!r} must be a list of choices, (low, high) or (low, high, 'log'), "
            f"got {spec!r}"
        )

    def value(self, u: float):
        u = min(max(float(u), 0.0), 1.0)
        if self.choices is not None:
            return self.choices[min(int(u * len(self.choices)), len(self.choices) - 1)]
        if self.log:
            value = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        else:
            value = self.low + u * (self.high - self.low)
        return round(value) if self.integer else value

    def grid_points(self, points: int) -> int:
        if self.choices is not None:
            return len(self.choices)
        if self.integer:
            return min(points, self.high - self.low + 1)
        return points


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass
class TuneResult:
    """The outcome of a hyperparameter search.

    Attributes:
        best: the best hyperparameters found.
        best_score: their score.
        rows: one dict per trial, in order: "trial", every hyperparameter, "score", "seconds".
        metric: the score's name.
        mode: "min" or "max", whether lower or higher scores are better.
        evaluations: how many settings the search asked for (repeated settings are trained only
            once).
    """

    best: dict[str, Any]
    best_score: float
    rows: list[dict[str, Any]]
    metric: str
    mode: str
    evaluations: int

    def table(self) -> str:
        """The trials as a text table, the best marked with *."""
        names = (
            [k for k in self.rows[0] if k not in ("trial", "score", "seconds")] if self.rows else []
        )
        header = ["trial", *names, self.metric, "seconds"]
        best_trial = min(
            self.rows, key=lambda r: r["score"] if self.mode == "min" else -r["score"]
        )["trial"]
        lines = [
            [
                f"{r['trial']}{'*' if r['trial'] == best_trial else ''}",
                *(_format(r[n]) for n in names),
                _format(r["score"]),
                f"{r['seconds']:.2f}",
            ]
            for r in self.rows
        ]
        widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines)]
        rendered = [header, ["-" * w for w in widths], *lines]
        return "\n".join(
            "  ".join(str(c).rjust(w) for c, w in zip(cells, widths)) for cells in rendered
        )

    def __str__(self) -> str:
        best = ", ".join(f"{k}={_format(v)}" for k, v in self.best.items())
        return f"{self.table()}\nbest {self.metric} {_format(self.best_score)} with {best}"


def _key(settings: dict[str, Any]) -> tuple[str, ...]:
    # repr makes unhashable choices (e.g. lists of layer sizes) usable as a cache key.
    return tuple(repr(v) for v in settings.values())


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def tune(
    train_fn: Callable[..., float | Mapping[str, float]],
    space: Mapping[str, Any],
    method: str = "random",
    budget: int | None = 20,
    seed: int | None = None,
    metric: str | None = None,
    mode: str = "min",
    grid_points: int = 3,
    verbose: bool = False,
) -> TuneResult:
    """Search hyperparameters: call `train_fn(**settings)` for many settings, keep the best score.

    Args:
        train_fn: trains with the given keyword settings and returns a score (e.g. validation loss),
            or a dict of scores from which `metric` is taken.
        space: each hyperparameter's possible values: a list of choices (`[16, 32, 64]`), a range
            `(low, high)` (integers if both ends are ints), or a log-scale range
            `(low, high, "log")`.
        method: "random" (uniform draws), "grid" (every combination; ranges get `grid_points`
            values), "annealing" (simulated annealing) or "genetic" (a genetic algorithm).
        budget: how many settings to try (for "grid", None or at least the grid's size).
        seed: seed of the search.
        metric: which entry of a returned dict is the score (default: its first key).
        mode: "min" if lower scores are better, "max" if higher are.
        grid_points: values per range for method="grid".
        verbose: print each trial as it finishes.

    Returns:
        TuneResult with the best settings and the table of trials.
    """
    if method not in METHODS:
        raise ValueError(f"tune: method must be one of {METHODS}, got {method!r}")
    if mode not in ("min", "max"):
        raise ValueError(f"tune: mode must be 'min' or 'max', got {mode!r}")
    if not space:
        raise ValueError("tune: the search space is empty")
    dimensions = [_Dimension.parse(name, spec) for name, spec in space.items()]
    rows: list[dict[str, Any]] = []
    scores: dict[tuple, float] = {}

    def objective(u: np.ndarray) -> float:
        nonlocal metric
        settings = {d.name: d.value(x) for d, x in zip(dimensions, u)}
        key = _key(settings)
        if key not in scores:
            start = time.perf_counter()
            outcome = train_fn(**settings)
            if isinstance(outcome, Mapping):
                metric = metric or next(iter(outcome))
                if metric not in outcome:
                    raise KeyError(
                        f"tune: train_fn returned {sorted(outcome)}, which lacks metric {metric!r}"
                    )
                outcome = outcome[metric]
            score = float(outcome)
            scores[key] = score
            rows.append(
                {
                    "trial": len(rows),
                    **settings,
                    "score": score,
                    "seconds": time.perf_counter() - start,
                }
            )
            if verbose:
                print(
                    f"trial {len(rows) - 1}: "
                    + ", ".join(f"{k}={_format(v)}" for k, v in settings.items())
                    + f" -> {_format(score)}"
                )
        # Searches minimise; a NaN score (a diverged run) counts as the worst possible.
        signed = scores[key] if mode == "min" else -scores[key]
        return math.inf if math.isnan(signed) else signed

    unit_cube = [(0.0, 1.0)] * len(dimensions)
    if method == "grid":
        counts = [d.grid_points(grid_points) for d in dimensions]
        size = int(np.prod(counts))
        if budget is not None and budget < size:
            raise ValueError(
                f"tune: the grid has {size} settings but the budget is {budget}; raise the budget, "
                "lower grid_points, or use method='random'"
            )
        found = exhaustive(objective, unit_cube, points=counts)
    else:
        if budget is None or budget < 1:
            raise ValueError(f"tune: method {method!r} needs a positive budget, got {budget}")
        if method == "random":
            found = random_search(objective, unit_cube, budget=budget, seed=seed)
        elif method == "annealing":
            found = simulated_annealing(objective, unit_cube, budget=budget, step=0.25, seed=seed)
        else:
            population = max(2, min(10, budget // 3))
            found = genetic(
                objective,
                unit_cube,
                budget=budget,
                population=population,
                elite=1,
                mutation=0.15,
                seed=seed,
            )
    best = {d.name: d.value(x) for d, x in zip(dimensions, found.x)}
    return TuneResult(best, scores[_key(best)], rows, metric or "score", mode, found.evaluations)
