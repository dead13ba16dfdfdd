"""One sigmoid neuron, z = 1 / (1 + e^-(w x - t)), fitted by maximum likelihood: as positive and
negative examples arrive, gradient ascent on their probability moves the curve.

Pictures: sigmoid_fit.png, sigmoid_likelihood.png.
"""

from __future__ import annotations

import os

import numpy as np

import wright
from wright import nn
from wright.demos._common import descend, picture_path
from wright.viz import curves, new_figure, save_figure

NAME = "sigmoid-fit"
SUMMARY = "a sigmoid's weight and threshold fitted by maximum likelihood as examples are added"

# (what happens, positive examples added, negative examples added), in the order they arrive.
STAGES = (
    ("two positives and a negative", (6.0, 7.0), (3.0,)),
    ("more positives on the right", (8.0, 9.0), ()),
    ("a negative far to the left", (), (0.5,)),
    ("a positive among the negatives", (2.0,), ()),
    ("more negatives around it", (), (1.5, 2.5, 3.5)),
)
X_RANGE = (0.0, 10.0)


def log_likelihood(weight: float, threshold: float, x: np.ndarray, positive: np.ndarray) -> float:
    """Mean log probability of the examples: log z for positives, log(1 - z) for negatives."""
    score = weight * x - threshold
    # log sigmoid(s) = -log(1 + e^-s), written with logaddexp to stay finite for large |s|
    return float(np.mean(np.where(positive, -np.logaddexp(0.0, -score), -np.logaddexp(0.0, score))))


def fit_stage(
    weight: nn.Parameter,
    threshold: nn.Parameter,
    x: np.ndarray,
    positive: np.ndarray,
    steps: int,
    lr: float,
) -> np.ndarray:
    """Gradient ascent on the mean log-likelihood of the examples (as descent on its negative).

    Returns:
        the mean log-likelihood before each step, (steps,).
    """
    inputs, targets = wright.tensor(x), wright.tensor(positive.astype(np.float32))

    def negative_log_likelihood():
        # Binary cross-entropy is exactly the negative mean log-likelihood of the labels.
        return nn.functional.binary_cross_entropy_with_logits(weight * inputs - threshold, targets)

    return -descend([weight, threshold], negative_log_likelihood, steps, lr)


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Add the examples stage by stage, refitting the neuron after each.

    The fit is deterministic (it starts from w = 1, t = 5); `seed` is accepted for the common
    interface.

    Returns:
        for each stage k = 1..5: stage_k_weight, stage_k_threshold, stage_k_boundary (t / w, where
        z = 0.5) and stage_k_log_likelihood; likelihood_rose (1.0 if every stage's fit raised its
        likelihood), and boundary_shift_far_negative / boundary_shift_noisy_positive (how far each
        of those additions moved the boundary) with weight_drop_noisy_positive (how much the curve
        flattened).
    """
    steps = 400 if quick else 1500
    weight = nn.Parameter(np.array(1.0, dtype=np.float32))
    threshold = nn.Parameter(np.array(5.0, dtype=np.float32))
    x, positive = np.empty(0, np.float32), np.empty(0, bool)
    results: dict[str, float] = {}
    stages, likelihoods, rose = [], [], True
    for k, (story, positives, negatives) in enumerate(STAGES, start=1):
        before = (float(weight.item()), float(threshold.item()))
        x = np.concatenate([x, np.array(positives + negatives, dtype=np.float32)])
        positive = np.concatenate(
            [positive, np.arange(len(positives) + len(negatives)) < len(positives)]
        )
        history = fit_stage(weight, threshold, x, positive, steps, lr=0.5)
        w, t = float(weight.item()), float(threshold.item())
        fitted = log_likelihood(w, t, x, positive)
        rose &= fitted >= history[0]
        likelihoods.extend(history.tolist())
        stages.append(
            (story, before, (w, t), x.copy(), positive.copy(), len(positives) + len(negatives))
        )
        results.update(
            {
                f"stage_{k}_weight": w,
                f"stage_{k}_threshold": t,
                f"stage_{k}_boundary": t / w,
                f"stage_{k}_log_likelihood": fitted,
            }
        )
        print(
            f"stage {k}, {story}: w {before[0]:.2f} -> {w:.2f}, t {before[1]:.2f} -> {t:.2f}, "
            f"boundary {before[1] / before[0]:.2f} -> {t / w:.2f}, likelihood of the {len(x)} "
            f"examples {np.exp(history[0] * len(x)):.3g} -> {np.exp(fitted * len(x)):.3g}"
        )
    results["likelihood_rose"] = float(rose)
    results["boundary_shift_far_negative"] = abs(
        results["stage_3_boundary"] - results["stage_2_boundary"]
    )
    results["boundary_shift_noisy_positive"] = abs(
        results["stage_4_boundary"] - results["stage_3_boundary"]
    )
    results["weight_drop_noisy_positive"] = results["stage_3_weight"] - results["stage_4_weight"]

    if path := picture_path(out_dir, "sigmoid_fit.png"):
        _draw_stages(stages, path)
    if path := picture_path(out_dir, "sigmoid_likelihood.png"):
        figure = curves(
            {"mean log-likelihood": likelihoods},
            xlabel="gradient ascent step (dotted: new examples arrive)",
            ylabel="mean log-likelihood",
            title="the examples' likelihood climbs after each new batch of examples",
        )
        for k in range(1, len(STAGES)):
            figure.axes[0].axvline(k * steps, color="gray", linestyle=":")
        save_figure(figure, path)
    return results


def _draw_stages(stages: list, path) -> None:
    xs = np.linspace(*X_RANGE, 300)
    figure, axes = new_figure(1, len(stages), size=(3.8 * len(stages), 3.6), layout="constrained")
    for ax, (story, before, after, x, positive, added) in zip(axes.ravel(), stages):
        for (w, t), style, label in ((before, "--", "before"), (after, "-", "fitted")):
            ax.plot(xs, 1 / (1 + np.exp(-(w * xs - t))), style, color="#4c72b0", label=label)
        new = np.arange(len(x)) >= len(x) - added
        for mask, colour in ((positive, "#55a868"), (~positive, "#c44e52")):
            ax.scatter(x[mask & ~new], positive[mask & ~new].astype(float), color=colour, zorder=3)
            ax.scatter(
                x[mask & new],
                positive[mask & new].astype(float),
                color=colour,
                edgecolors="black",
                s=80,
                zorder=3,
            )
        ax.set_title(story, fontsize=9)
        ax.set_xlabel("x")
        ax.set_ylim(-0.08, 1.08)
        ax.grid(alpha=0.3)
    axes.ravel()[0].set_ylabel("z: probability of the class")
    axes.ravel()[0].legend(fontsize=8, loc="center left")
    figure.suptitle("one sigmoid neuron refitted as examples arrive (green positive, red negative)")
    save_figure(figure, path)
