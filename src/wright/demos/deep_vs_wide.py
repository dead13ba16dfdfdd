"""Deep and narrow versus wide: a five-layer sigmoid net on the shadow animals trains slowly, then
falls off a cliff; knocking neurons out and retraining stays fast down to two per layer, yet two per
layer from scratch often gets stuck."""

from __future__ import annotations

import itertools
import os

import numpy as np

import wright
from wright import nn, optim
from wright.creation import as_tensor
from wright.data import DataLoader, TensorDataset
from wright.demos._common import picture_path
from wright.demos.autoencoder import ANIMALS, LEVELS, shadow_heights
from wright.nn.module import Parameter
from wright.tensor import Tensor
from wright.train import Callback, fit
from wright.viz.charts import bars, curves
from wright.viz.figure import new_figure, save_figure

NAME = "deep-vs-wide"
SUMMARY = (
    "five sigmoid layers on the shadow animals: the error's cliff, knock-outs down to 2 per "
    "layer, stuck nets"
)

LAYERS = 5
SOLVED_COST = (
    0.05  # the plateau sits at 1/3; a cost this low means every shadow is named confidently
)
LEARNING_RATE = 8.0


class StackedNets(nn.Module):
    """Many copies of one fully connected sigmoid network, each with its own weights, run as one
    batch.

    Copy c's hidden layer l computes `sigmoid(x @ weights[l][c] + biases[l][c]) * alive[l][c]`: a
    neuron whose `alive` entry is 0 is knocked out, passing on nothing and learning nothing.
    Stacking the copies turns a loop over random starts into batched matrix products.

    Args:
        sizes: neurons per layer, inputs first, e.g. [10, 10, 10, 10, 10, 10, 3].
        alive: for each copy, how many neurons of each hidden layer are alive at the start (the
            first ones); the rest are knocked out before any training.

    Shape:
        input (N, in) shared by all copies -> output (copies, N, out)
    """

    def __init__(self, sizes: list[int], alive: np.ndarray) -> None:
        super().__init__()
        self.depth = len(sizes) - 1
        copies = len(alive)
        rng = wright.backend.generator()
        for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
            # U(-1/sqrt(in), 1/sqrt(in)) as nn.Linear draws them, counting only the living inputs.
            live_inputs = np.full(copies, fan_in) if layer == 0 else alive
            bound = (1.0 / np.sqrt(live_inputs))[:, None, None]
            weight = rng.uniform(-1, 1, (copies, fan_in, fan_out)) * bound
            bias = rng.uniform(-1, 1, (copies, 1, fan_out)) * bound
            setattr(self, f"weight{layer}", Parameter(weight.astype(np.float32)))
            setattr(self, f"bias{layer}", Parameter(bias.astype(np.float32)))
        self.alive = [
            (np.arange(width)[None, None, :] < alive[:, None, None]).astype(np.float32)
            for width in sizes[1:-1]
        ]  # per hidden layer, (copies, 1, width)

    def forward(self, x: Tensor) -> Tensor:
        for layer in range(self.depth):
            x = (x @ getattr(self, f"weight{layer}") + getattr(self, f"bias{layer}")).sigmoid()
            if layer < self.depth - 1:
                x = x * as_tensor(self.alive[layer])  # (copies, N, width)
        return x

    def keep(self, which: np.ndarray) -> None:
        """Drop every copy but the chosen ones (a boolean mask)."""
        for layer in range(self.depth):
            for kind in ("weight", "bias"):
                name = f"{kind}{layer}"
                setattr(self, name, Parameter(getattr(self, name).array[which]))
        self.alive = [mask[which] for mask in self.alive]

    def knock_out_one_per_layer(self, rng: np.random.Generator) -> None:
        """Knock one random living neuron out of every hidden layer of every copy."""
        for mask in self.alive:
            victim = (rng.random(mask[:, 0].shape) * mask[:, 0]).argmax(axis=1)  # (copies,)
            mask[np.arange(len(mask)), 0, victim] = 0.0


def train_until_solved(
    nets: StackedNets, x: np.ndarray, labels: np.ndarray, max_iterations: int, watch: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient descent on the quadratic cost (the whole training set each iteration) until every
    watched copy's cost is below SOLVED_COST with every shadow named right, or the budget runs out.

    Args:
        watch: boolean mask of the copies whose success ends training (all copies keep learning).

    Returns:
        the iteration at which each copy was solved (-1 if never), and the cost of each copy at
        every iteration run, (iterations, copies).
    """
    wanted = np.eye(len(ANIMALS), dtype=np.float32)[labels]
    costs: list[np.ndarray] = []
    solved_at = np.full(len(watch), -1)

    def cost_of_each_copy(outputs, wanted):
        miss = outputs - wanted
        cost = (miss * miss).sum(axis=(1, 2)) * (0.5 / len(x))  # (copies,) the quadratic costs
        costs.append(cost.array)
        solved = (cost.array < SOLVED_COST) & np.all(outputs.array.argmax(axis=2) == labels, axis=1)
        solved_at[(solved_at < 0) & solved] = len(costs)
        return cost.sum()  # each copy's gradient is its own cost's

    class UntilSolved(Callback):
        def on_epoch_end(self, epoch: int, logs: dict) -> None:
            self.state.stop_training = bool(np.all(solved_at[watch] >= 0))

    # The whole training set is one batch, so each epoch of fit is one iteration.
    fit(
        nets,
        cost_of_each_copy,
        optim.SGD(nets.parameters(), lr=LEARNING_RATE),
        DataLoader(TensorDataset(x, wanted), batch_size=len(x)),
        epochs=max_iterations,
        metrics=(),
        callbacks=[UntilSolved()],
        verbose=0,
    )
    return solved_at, np.array(costs)


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Train wide and narrow nets, knock neurons out of the wide ones; print and return iteration
    counts."""
    wright.manual_seed(seed)
    rng = np.random.default_rng(seed)
    starts, budget, retrain_budget = (6, 6000, 2000) if quick else (16, 8000, 2000)
    x, labels = shadow_heights(30, seed=seed)
    width = 10
    # The first half of the copies are wide; the second half keep only 2 neurons per layer from the
    # start.
    wide = np.arange(2 * starts) < starts
    nets = StackedNets([LEVELS] + [width] * LAYERS + [len(ANIMALS)], np.where(wide, width, 2))
    solved_at, costs = train_until_solved(nets, x, labels, budget, watch=np.ones_like(wide))
    wide_solved, narrow_solved = solved_at[wide], solved_at[~wide]
    found = wide_solved[wide_solved > 0]
    cliff = float(np.median(found)) if found.size else float("nan")
    plateau = float(np.median(costs[min(200, len(costs) - 1), wide]))
    print(
        f"{LAYERS} hidden layers of {width} sigmoid neurons, {starts} random starts, "
        f"{budget} iterations at most"
    )
    print(
        f"  the cost sits at {plateau:.3f} (every answer 'no') and then falls off a cliff: solved "
        f"after a median of {cliff:.0f} iterations ({len(found)}/{starts} solved)"
    )

    retrain_iterations, retrain_solved = {}, {}
    solved_wide = wide & (solved_at > 0)  # knock neurons out of the nets that found a solution
    nets.keep(solved_wide)  # and train only those from now on
    for narrower in range(width - 1, 1, -1):
        nets.knock_out_one_per_layer(rng)
        solved, _ = train_until_solved(
            nets, x, labels, retrain_budget, watch=np.ones(solved_wide.sum(), dtype=bool)
        )
        retrain_iterations[narrower] = float(
            np.median(np.where(solved > 0, solved, retrain_budget))
        )
        retrain_solved[narrower] = float(np.mean(solved > 0))
    print(
        f"  knock one neuron out of every layer of the {solved_wide.sum()} solved nets and "
        f"retrain, again and again (median iterations to re-solve; nets not re-solved within "
        f"{retrain_budget} iterations count as {retrain_budget}):"
    )
    print(
        "    "
        + ", ".join(
            f"{w} per layer: {retrain_iterations[w]:.0f}"
            + ("" if retrain_solved[w] == 1 else f" ({100 * retrain_solved[w]:.0f}% re-solved)")
            for w in retrain_iterations
        )
    )

    wide_rate, narrow_rate = float(np.mean(wide_solved > 0)), float(np.mean(narrow_solved > 0))
    print(
        f"  2 per layer from scratch: {100 * narrow_rate:.0f}% of starts solved within {budget} "
        f"iterations, against {100 * wide_rate:.0f}% for {width} per layer; the rest are stuck"
    )

    _draw(
        out_dir,
        costs[:, wide],
        costs[:, ~wide],
        (retrain_iterations, retrain_solved, retrain_budget),
        width,
        wide_rate,
        narrow_rate,
    )
    return {
        "cliff_iterations": cliff,
        "plateau_cost": plateau,
        "retrain_iterations_two_per_layer": retrain_iterations[2],
        "retrain_iterations_max": max(retrain_iterations.values()),
        "retrain_solved_two_per_layer": retrain_solved[2],
        "wide_success_rate": wide_rate,
        "narrow_success_rate": narrow_rate,
        "starts": starts,
    }


def _draw(out_dir, wide_costs, narrow_costs, retraining, width, wide_rate, narrow_rate) -> None:
    path = picture_path(out_dir, "deep-vs-wide.png")
    if path is None:
        return
    figure, axes = new_figure(1, 3, size=(16, 4.0), layout="constrained")
    axes = np.ravel(axes)
    steps = np.arange(1, len(wide_costs) + 1)
    curves(
        {f"start {c}": (steps, wide_costs[:, c]) for c in range(min(4, wide_costs.shape[1]))},
        xlabel="iteration",
        ylabel="quadratic cost",
        logy=True,
        ax=axes[0],
        title=f"{width} per layer: a plateau, then a cliff",
    )
    retrain_iterations, retrain_solved, retrain_budget = retraining
    widths = list(retrain_iterations)
    bars(
        {"median iterations": [retrain_iterations[w] for w in widths]},
        [
            f"{w}" if retrain_solved[w] == 1 else f"{w}\n{100 * retrain_solved[w]:.0f}%"
            for w in widths
        ],
        ylabel="iterations to re-solve (median)",
        value_format="{:.0f}",
        ax=axes[1],
        title="retraining after each knock-out is fast",
    )
    axes[1].set_xlabel(
        "neurons per layer after knocking one out\n"
        f"(under it, the share re-solved within {retrain_budget} iterations when not all were)",
        fontsize=9,
    )
    steps = np.arange(1, len(narrow_costs) + 1)
    curves(
        {f"start {c}": (steps, narrow_costs[:, c]) for c in range(min(6, narrow_costs.shape[1]))},
        xlabel="iteration",
        ylabel="quadratic cost",
        logy=True,
        ax=axes[2],
        title=(
            f"2 per layer from scratch: {100 * narrow_rate:.0f}% solved (vs {100 * wide_rate:.0f}%)"
        ),
    )
    figure.suptitle("five sigmoid layers on the shadow animals: deep and narrow versus wide")
    save_figure(figure, path)
