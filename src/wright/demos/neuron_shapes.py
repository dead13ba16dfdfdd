"""What shapes can a network make? Random weights for linear, logistic, tanh and ReLU networks of
one and two inputs, drawn as curves and surfaces, and the regions they carve out as classifiers.

Pictures: neuron_shapes_curves.png, neuron_shapes_surfaces.png, neuron_shapes_regions.png.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import wright
from wright import nn
from wright.demos._common import picture_path
from wright.viz import decision_regions, function_surface, new_figure, region_labels, save_figure
from wright.viz.plots import as_array_function

NAME = "neuron-shapes"
SUMMARY = "random-weight networks: linear ones stay straight however deep, others wiggle"

_ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "tanh": nn.Tanh,
    "logistic": nn.Sigmoid,
    "relu": nn.ReLU,
}
ONE_INPUT = ((-1.0, 1.0),)
TWO_INPUTS = ((-1.0, 1.0), (-1.0, 1.0))


@dataclass(frozen=True)
class Family:
    """A kind of network: its layer sizes, activation, and whether its output is squashed too."""

    title: str
    sizes: tuple[int, ...]
    activation: str | None
    squash_output: bool


CURVE_FAMILIES = {
    "linear_1": Family("linear, one layer", (1,), None, False),
    "linear_deep": Family("linear, 100 + 100 hidden", (100, 100, 1), None, False),
    "logistic_1": Family("logistic, one layer", (1,), "logistic", True),
    "tanh_1": Family("tanh, one layer", (1,), "tanh", True),
    "tanh_100": Family("tanh, 100 hidden", (100, 1), "tanh", True),
    "tanh_11_9": Family("tanh, 11 + 9 hidden", (11, 9, 1), "tanh", True),
    "relu_11_9": Family("ReLU, 11 + 9 hidden", (11, 9, 1), "relu", False),
}
SURFACE_FAMILIES = {
    key: CURVE_FAMILIES[key] for key in ("linear_deep", "logistic_1", "tanh_11_9", "relu_11_9")
}
CLASSIFIERS = {
    "one_input_cut": (1, Family("one input, one output cut at 0", (11, 9, 1), "tanh", True)),
    "one_input_2_outputs": (1, Family("one input, argmax of 2 outputs", (11, 9, 2), "tanh", True)),
    "one_input_3_outputs": (1, Family("one input, argmax of 3 outputs", (11, 9, 3), "tanh", True)),
    "two_inputs_cut": (2, Family("two inputs, one output cut at 0", (11, 9, 1), "tanh", True)),
    "two_inputs_3_outputs": (
        2,
        Family("two inputs, argmax of 3 outputs", (11, 9, 3), "tanh", True),
    ),
}


def random_network(inputs: int, family: Family, generator: np.random.Generator) -> nn.Sequential:
    """A network with random weights, scaled so that its neurons bend within the inputs' range.

    The first layer's weights and biases are large (standard deviation 3 and 1.5) so every neuron's
    bend falls inside the plotted range; later layers get standard deviation 2 / sqrt(fan-in),
    enough to keep squashing neurons out of their nearly straight middle.
    """
    layers: list[nn.Module] = []
    fan_in = inputs
    for depth, width in enumerate(family.sizes):
        linear = nn.Linear(fan_in, width)
        spread = 3.0 if depth == 0 else 2.0 / np.sqrt(fan_in)
        nn.init.normal_(linear.weight, 0.0, spread, generator=generator)
        nn.init.normal_(linear.bias, 0.0, 1.5 if depth == 0 else 0.5, generator=generator)
        layers.append(linear)
        last = depth == len(family.sizes) - 1
        if family.activation is not None and (not last or family.squash_output):
            layers.append(_ACTIVATIONS[family.activation]())
        fan_in = width
    return nn.Sequential(*layers)


def _family(
    inputs: int, family: Family, count: int, generator: np.random.Generator
) -> list[nn.Sequential]:
    return [random_network(inputs, family, generator) for _ in range(count)]


def _stacked(models: list[nn.Module]) -> Callable[[np.ndarray], np.ndarray]:
    """One function whose K outputs are K networks' single outputs: (N, D) -> (N, K)."""
    functions = [as_array_function(m) for m in models]
    return lambda points: np.concatenate(
        [f(points).reshape(len(points), -1) for f in functions], axis=1
    )


def _grid_points(bounds, resolution: int) -> np.ndarray:
    axes = [np.linspace(low, high, resolution) for low, high in bounds]
    return np.stack([m.ravel() for m in np.meshgrid(*axes, indexing="xy")], axis=-1)


def plane_deviation(values: np.ndarray, points: np.ndarray) -> float:
    """How far values stray from the best-fitting line or plane, relative to their range."""
    design = np.column_stack([points, np.ones(len(points))]).astype(np.float64)
    coefficients, *_ = np.linalg.lstsq(design, values.astype(np.float64), rcond=None)
    spread = float(np.ptp(values)) or 1.0
    return float(np.max(np.abs(design @ coefficients - values)) / spread)


def turning_points(curve: np.ndarray) -> int:
    """Peaks plus valleys of a sampled curve (changes of direction, ignoring flat stretches)."""
    steps = np.diff(curve.astype(np.float64))
    steps = steps[np.abs(steps) > 1e-9 * max(float(np.ptp(curve)), 1e-12)]
    return int(np.sum(np.sign(steps[1:]) != np.sign(steps[:-1])))


def kink_share(curve: np.ndarray, top: float = 0.05) -> float:
    """Share of a sampled curve's total bending done at its sharpest `top` fraction of points.

    Near 1 for piecewise straight curves (all the bending is in a few kinks, as with ReLU), much
    lower for smooth ones.
    """
    bends = np.sort(np.abs(np.diff(curve.astype(np.float64), 2)))[::-1]
    total = float(bends.sum())
    return float(bends[: max(1, int(top * len(bends)))].sum() / total) if total > 0 else 0.0


def count_regions(labels: np.ndarray) -> int:
    """Connected regions of equal label: intervals on a line, 4-connected patches on a grid."""
    if labels.ndim == 1:
        return int(1 + np.count_nonzero(np.diff(labels)))
    height, width = labels.shape
    ids = np.arange(height * width).reshape(height, width)
    same_across = labels[:, 1:] == labels[:, :-1]
    same_down = labels[1:, :] == labels[:-1, :]
    while True:
        # Every pixel takes the smallest id among itself and its same-label neighbours, then jumps
        # to the id its id points at; ids only ever name pixels of the same region, so this ends
        # with one id per region.
        merged = ids.copy()
        np.minimum(
            merged[:, :-1], np.where(same_across, ids[:, 1:], merged[:, :-1]), out=merged[:, :-1]
        )
        np.minimum(
            merged[:, 1:], np.where(same_across, ids[:, :-1], merged[:, 1:]), out=merged[:, 1:]
        )
        np.minimum(
            merged[:-1, :], np.where(same_down, ids[1:, :], merged[:-1, :]), out=merged[:-1, :]
        )
        np.minimum(
            merged[1:, :], np.where(same_down, ids[:-1, :], merged[1:, :]), out=merged[1:, :]
        )
        merged = merged.ravel()[merged]
        if np.array_equal(merged, ids):
            return int(np.unique(ids).size)
        ids = merged


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Draw families of random networks and measure their shapes.

    Returns:
        linear_deviation (deep linear nets' largest distance from a straight line or plane,
        relative to their range: ~0); logistic_logit_deviation (logistic surfaces are a squashed
        plane: ~0); for each curve family the mean turning_points_<family> and, for nonlinear
        ones, kink_share_<family> (share of the bending done at the sharpest 5% of points: ~1 for
        ReLU's corners); tanh_max_abs (tanh nets never leave -1..1); parameter counts of the
        100-hidden and 11+9-hidden nets; and mean regions_<classifier> counts for classifiers over
        one input (1, 2 and 3 outputs) and two inputs (1 and 3 outputs).
    """
    generator = np.random.default_rng(seed)
    wright.manual_seed(seed)
    count = 6 if quick else 20
    resolution = 80 if quick else 200
    results: dict[str, float] = {}

    line_points = _grid_points(ONE_INPUT, 1000)
    curves = {
        key: _stacked(_family(1, family, count, generator))(line_points)
        for key, family in CURVE_FAMILIES.items()
    }  # each (1000, count)
    plane_points = _grid_points(TWO_INPUTS, 60)
    planes = _stacked(_family(2, CURVE_FAMILIES["linear_deep"], count, generator))(plane_points)
    squashed = _stacked(_family(2, CURVE_FAMILIES["logistic_1"], count, generator))(plane_points)
    squashed = np.clip(squashed.astype(np.float64), 1e-6, 1 - 1e-6)
    logits = np.log(squashed) - np.log1p(-squashed)
    results["linear_deviation"] = max(
        max(plane_deviation(c, line_points) for c in curves["linear_deep"].T),
        max(plane_deviation(p, plane_points) for p in planes.T),
    )
    results["logistic_logit_deviation"] = max(plane_deviation(v, plane_points) for v in logits.T)
    deviation = results["linear_deviation"]
    print(f"deep linear networks: farthest from a straight line/plane by {deviation:.1e} of range")
    print(
        f"logistic surfaces: logit is a plane to within {results['logistic_logit_deviation']:.1e} "
        "(straight contour lines: a linear classifier)"
    )
    print(f"{'family (one input)':28s} {'turning points':>15s} {'bending in kinks':>17s}")
    for key, values in curves.items():
        turns = float(np.mean([turning_points(c) for c in values.T]))
        print(f"{CURVE_FAMILIES[key].title:28s} {turns:15.2f}", end="")
        results[f"turning_points_{key}"] = turns
        if CURVE_FAMILIES[key].activation is not None:
            kinks = float(np.mean([kink_share(c) for c in values.T]))
            results[f"kink_share_{key}"] = kinks
            print(f" {kinks:17.2f}", end="")
        print()
    results["tanh_max_abs"] = float(
        max(np.abs(curves[k]).max() for k in curves if k.startswith("tanh"))
    )
    wide, narrow = (
        random_network(1, CURVE_FAMILIES[k], generator) for k in ("tanh_100", "tanh_11_9")
    )
    results.update(
        parameters_tanh_100=wide.num_parameters(), parameters_tanh_11_9=narrow.num_parameters()
    )
    print(
        f"100 hidden neurons ({wide.num_parameters()} weights) vs 11 + 9 "
        f"({narrow.num_parameters()} weights): curves of similar richness"
    )

    examples = {}
    for key, (inputs, family) in CLASSIFIERS.items():
        models = _family(inputs, family, count, generator)
        bounds = ONE_INPUT if inputs == 1 else TWO_INPUTS
        regions = [count_regions(region_labels(m, bounds, resolution)[1]) for m in models]
        results[f"regions_{key}"] = float(np.mean(regions))
        examples[family.title] = models[int(np.argmax(regions))]
        print(f"{family.title:34s} mean regions {np.mean(regions):5.2f}  (most {max(regions)})")

    if path := picture_path(out_dir, "neuron_shapes_curves.png"):
        _draw_curves(curves, line_points[:, 0], path)
    if path := picture_path(out_dir, "neuron_shapes_surfaces.png"):
        _draw_surfaces(generator, path, 30 if quick else 45)
    if path := picture_path(out_dir, "neuron_shapes_regions.png"):
        _draw_regions(examples, path, resolution)
    return results


def _draw_curves(curves: dict[str, np.ndarray], xs: np.ndarray, path) -> None:
    figure, axes = new_figure(2, 4, size=(15, 6.5), layout="constrained")
    for ax, (key, values) in zip(axes.ravel(), curves.items()):
        ax.plot(xs, values[:, :6], linewidth=1.2)
        ax.set_title(CURVE_FAMILIES[key].title, fontsize=9)
        ax.grid(alpha=0.3)
    axes.ravel()[-1].axis("off")
    figure.suptitle("random weights, one input: the shapes each kind of network can make")
    save_figure(figure, path)


def _draw_surfaces(generator: np.random.Generator, path, resolution: int) -> None:
    figure, axes = new_figure(
        1,
        len(SURFACE_FAMILIES),
        size=(4.2 * len(SURFACE_FAMILIES), 4.2),
        subplot_kw={"projection": "3d"},
    )
    for ax, family in zip(np.ravel(axes), SURFACE_FAMILIES.values()):
        network = random_network(2, family, generator)
        function_surface(network, TWO_INPUTS, resolution=resolution, ax=ax, title=family.title)
    figure.suptitle("random weights, two inputs (contours projected on the floor)")
    save_figure(figure, path)


def _draw_regions(examples: dict[str, nn.Module], path, resolution: int) -> None:
    figure, axes = new_figure(2, 3, size=(15, 8), layout="constrained")
    for ax, (name, model) in zip(axes.ravel(), examples.items()):
        bounds = ONE_INPUT[0] if name.startswith("one") else TWO_INPUTS
        decision_regions(model, bounds, resolution=resolution, ax=ax, title=name)
    axes.ravel()[-1].axis("off")
    figure.suptitle("classifying by a cut at zero or by the largest output: regions of each class")
    save_figure(figure, path)
