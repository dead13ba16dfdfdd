"""The tea drinkers' suffering curve: exhaustive search, gradient descent, curvature (Newton)
steps, random search, a genetic algorithm and simulated annealing race to the deepest valley, the
iced tea at 5 degrees.

Pictures: tea_curve.png, tea_success.png.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

from wright.datasets import toy
from wright.demos._common import picture_path
from wright.optim import search
from wright.viz import bars, new_figure, save_figure

NAME = "tea"
SUMMARY = "tea temperature: descent stalls in a nearby dip; annealing and GAs find iced tea"

BUDGET = 300  # cups of tea for the random-jumping searches
WARM_STARTS = (45.0, 85.0)  # descent, Newton and annealing start from a warm cup in this range
ICED_VALLEY_HALF_WIDTH = 5.0


def methods(start: float, seed: int) -> dict[str, Callable[[Callable], search.SearchResult]]:
    """Each search, ready to run on a vectorised suffering function of one temperature."""
    bounds = [toy.TEA_TEMPERATURES]
    return {
        "exhaustive": lambda f: search.exhaustive(f, bounds, points=1001, vectorized=True),
        "gradient descent": lambda f: search.gradient_descent(
            f, start, lr=2.0, h=0.5, max_steps=200, tol=1e-3, bounds=bounds, vectorized=True
        ),
        "newton": lambda f: search.newton_1d(
            f,
            start,
            h=0.5,
            max_steps=100,
            tol=1e-3,
            max_step=10.0,
            bounds=toy.TEA_TEMPERATURES,
            vectorized=True,
        ),
        "random search": lambda f: search.random_search(
            f, bounds, budget=BUDGET, seed=seed, vectorized=True
        ),
        "genetic": lambda f: search.genetic(
            f, bounds, budget=BUDGET, population=20, mutation=0.2, seed=seed, vectorized=True
        ),
        "annealing": lambda f: search.simulated_annealing(
            f, bounds, x0=start, budget=BUDGET, step=0.5, cooling=1e-2, seed=seed, vectorized=True
        ),
    }


def wiggly_suffering(temperatures: np.ndarray) -> np.ndarray:
    """The suffering curve with its bus wiggle, for a batch of temperatures (N, 1) -> (N,)."""
    return toy.tea_suffering(temperatures[:, 0])


def rated_suffering(temperatures: np.ndarray) -> np.ndarray:
    """The same curve rated in whole points: steps and plateaus. (N, 1) -> (N,)"""
    return toy.tea_suffering(temperatures[:, 0], rating_step=1.0)


def found_iced_tea(result: search.SearchResult) -> bool:
    """Whether the best temperature found lies in the iced-tea valley (the deepest one)."""
    return abs(float(result.x[0]) - toy.TEA_ICED) <= ICED_VALLEY_HALF_WIDTH


def compare(
    curve: Callable, seeds: range
) -> tuple[dict[str, dict[str, float]], dict[str, search.SearchResult]]:
    """Run every method once per seed on one suffering curve.

    Returns:
        per method, the success rate, mean evaluations and mean best suffering; and each method's
        result for the first seed.
    """
    outcomes: dict[str, list[tuple[bool, int, float]]] = {}
    first: dict[str, search.SearchResult] = {}
    for seed in seeds:
        start = float(np.random.default_rng(seed).uniform(*WARM_STARTS))
        for name, method in methods(start, seed).items():
            result = method(curve)
            first.setdefault(name, result)
            outcomes.setdefault(name, []).append(
                (found_iced_tea(result), result.evaluations, result.value)
            )
    summary = {
        name: {
            "success": float(np.mean([o[0] for o in rows])),
            "evaluations": float(np.mean([o[1] for o in rows])),
            "suffering": float(np.mean([o[2] for o in rows])),
        }
        for name, rows in outcomes.items()
    }
    return summary, first


def _print_table(title: str, summary: dict[str, dict[str, float]], seeds: int) -> None:
    print(f"{title} ({seeds} seeds)")
    print(f"  {'method':17s} {'found iced tea':>14s} {'cups brewed':>12s} {'best suffering':>15s}")
    for name, row in summary.items():
        print(
            f"  {name:17s} {row['success']:14.0%} {row['evaluations']:12.0f} "
            f"{row['suffering']:15.2f}"
        )


def _key(name: str) -> str:
    return name.replace(" ", "_")


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Compare the searches on the wiggly curve and on its version rated in whole points.

    Returns:
        for each method (spaces as underscores) <method>_success (share of seeds finding the
        iced-tea valley) and <method>_evaluations (mean cups brewed) on the wiggly curve, and
        <method>_stepped_success on the rated curve, whose flat steps give gradient descent and
        Newton no slope at all.
    """
    seeds = range(seed, seed + (5 if quick else 20))
    summary, examples = compare(wiggly_suffering, seeds)
    stepped_summary, _ = compare(rated_suffering, seeds)
    _print_table("suffering with a wiggle from passing buses", summary, len(seeds))
    _print_table(
        "suffering rated in whole points (steps and plateaus)", stepped_summary, len(seeds)
    )
    results: dict[str, float] = {}
    for name in summary:
        results[f"{_key(name)}_success"] = summary[name]["success"]
        results[f"{_key(name)}_evaluations"] = summary[name]["evaluations"]
        results[f"{_key(name)}_stepped_success"] = stepped_summary[name]["success"]

    if path := picture_path(out_dir, "tea_curve.png"):
        _draw_curve(examples, seed, path)
    if path := picture_path(out_dir, "tea_success.png"):
        _draw_success(summary, stepped_summary, len(seeds), path)
    return results


def _draw_curve(examples: dict[str, search.SearchResult], seed: int, path) -> None:
    low, high = toy.TEA_TEMPERATURES
    temperatures = np.linspace(low, high, 1001)
    figure, axes = new_figure(1, 2, size=(14, 4.6), layout="constrained")
    axes = axes.ravel()
    axes[0].plot(temperatures, toy.tea_suffering(temperatures), color="black", linewidth=1.2)
    axes[1].plot(
        temperatures, toy.tea_suffering(temperatures, rating_step=1.0), color="black", linewidth=1.2
    )
    # Under the curve, a strip per search shows every temperature it tried in the run with the
    # first seed; stars mark its best cup, the legend gives that run's cups brewed.
    for row, (name, result) in enumerate(examples.items()):
        level = -2.0 - 1.6 * row
        axes[0].plot(
            result.trace_x[:, 0],
            np.full(result.evaluations, level),
            "|",
            markersize=7,
            alpha=0.35,
            label=f"{name}: {result.evaluations} cups",
        )
        colour = axes[0].lines[-1].get_color()
        axes[0].plot(result.x[0], level, "*", markersize=12, color=colour, markeredgecolor="black")
        axes[0].plot(
            result.x[0], result.value, "*", markersize=12, color=colour, markeredgecolor="black"
        )
    axes[0].set_xlim(low - 1, high + 1)
    axes[0].set_yticks(range(0, 25, 5))
    axes[0].set_title(f"suffering and the cups each search brewed (seed {seed})", fontsize=10)
    legend = axes[0].legend(
        fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, markerscale=1.6
    )
    for handle in legend.get_lines():
        handle.set_alpha(1.0)  # the strips are faint where ticks pile up; the key must not be
    axes[1].set_xlim(low - 1, high + 1)
    axes[1].set_title("the same, rated in whole points: steps and plateaus", fontsize=10)
    for ax in axes:
        ax.set_xlabel("temperature (°C)")
        ax.set_ylabel("suffering (lower is better)")
        ax.grid(alpha=0.3)
    figure.suptitle("the tea drinkers' suffering curve; the iced-tea valley is the deepest")
    save_figure(figure, path)


def _draw_success(summary: dict, stepped_summary: dict, seeds: int, path) -> None:
    names = list(summary)
    bars(
        {
            "wiggly curve": [summary[n]["success"] for n in names],
            "rated in steps": [stepped_summary[n]["success"] for n in names],
        },
        names,
        ylabel=f"share of {seeds} seeds finding iced tea",
        ylim=(0, 1.15),
        title=f"which searches find the iced tea ({seeds} seeds each)",
        path=path,
    )
