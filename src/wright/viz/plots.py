"""Pictures of functions and data: curves and surfaces a network computes, the regions it carves out
when it classifies, and grids of small images."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence

import numpy as np

from wright import dtypes
from wright.autograd import no_grad
from wright.creation import as_tensor
from wright.nn.module import Module
from wright.tensor import Tensor
from wright.viz.figure import colour_bar, new_figure, save_figure

ArrayFunction = Callable[[np.ndarray], np.ndarray]


def as_array_function(model_or_fn: Module | Callable) -> ArrayFunction:
    """Turn a model (or any callable) into a function from a NumPy batch (N, D) to a NumPy array.

    A Module runs without recording gradients, on inputs of the default dtype.
    """
    if isinstance(model_or_fn, Module):
        model = model_or_fn

        def run_model(points: np.ndarray) -> np.ndarray:
            with no_grad():
                return model(as_tensor(points.astype(dtypes.default_float_numpy()))).array

        return run_model
    if not callable(model_or_fn):
        raise TypeError(
            f"expected a Module or a function of an (N, D) array, got {type(model_or_fn).__name__}"
        )
    return lambda points: np.asarray(model_or_fn(points))


def _bounds(bounds, name: str) -> np.ndarray:
    array = np.asarray(bounds, dtype=np.float64)
    if array.shape == (2,):
        array = array.reshape(1, 2)
    if array.ndim != 2 or array.shape[1] != 2 or array.shape[0] not in (1, 2):
        raise ValueError(
            f"{name}: bounds must be (low, high) for one input or ((low, high), (low, high)) for "
            f"two, got shape {np.shape(bounds)}"
        )
    return array


def _grid(bounds: np.ndarray, resolution: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Evenly spaced values along each input, and every grid point as an (N, D) batch."""
    axes = [np.linspace(low, high, resolution) for low, high in bounds]
    mesh = np.meshgrid(*axes, indexing="xy")
    return axes, np.stack([m.ravel() for m in mesh], axis=-1)


def _outputs(fn: ArrayFunction, points: np.ndarray) -> np.ndarray:
    values = np.asarray(fn(points), dtype=np.float64)
    return values.reshape(len(points), -1)


def _draw_target(ax, rows: int = 1, cols: int = 1, **kwargs):
    """The axes to draw on: the given one (and its figure), or a fresh figure."""
    if ax is not None:
        return ax.figure, ax
    return new_figure(rows, cols, **kwargs)


def region_labels(
    model_or_fn: Module | Callable, bounds, resolution: int = 200, threshold: float = 0.0
) -> tuple[list[np.ndarray], np.ndarray]:
    """The class a function picks at every point of a grid over one or two inputs.

    With several outputs the class is the output with the largest value (argmax); with a single
    output it is 1 where the output is above `threshold` and 0 elsewhere (the multilayer-perceptron
    cut).

    Returns:
        (axes, labels): the grid values along each input, and int labels of shape (resolution,)
        for one input or (resolution, resolution) for two (rows follow the second input).
    """
    bounds = _bounds(bounds, "region_labels")
    axes, points = _grid(bounds, resolution)
    outputs = _outputs(as_array_function(model_or_fn), points)
    labels = (
        outputs.argmax(axis=1)
        if outputs.shape[1] > 1
        else (outputs[:, 0] > threshold).astype(np.int64)
    )
    return axes, labels.reshape((resolution,) * len(bounds))


def function_surface(
    model_or_fn: Module | Callable,
    bounds=(-1.0, 1.0),
    resolution: int | None = None,
    ax=None,
    title: str | None = None,
    floor: bool = True,
    path: str | os.PathLike | None = None,
):
    """Plot what a function of one or two inputs computes: curves for one input, a surface for two.

    For one input, every output is drawn as its own curve (a function returning (N, K) draws K
    curves, handy for a family of random networks). For two inputs the single output is drawn as a
    surface with its contour lines projected onto the floor, where straight contours betray a linear
    classifier.

    Args:
        model_or_fn: a Module, or a function from an (N, D) array to (N,) or (N, K) values.
        bounds: (low, high) for one input, or ((low, high), (low, high)) for two.
        resolution: grid points per input (default 400 for curves, 40 for surfaces).
        ax: axes to draw on (3-D axes for two inputs); a new figure by default.
        title: title of the plot.
        floor: for two inputs, whether to project filled contours onto the floor.
        path: where to save the figure as PNG.

    Returns:
        the matplotlib Figure.
    """
    bounds = _bounds(bounds, "function_surface")
    fn = as_array_function(model_or_fn)
    if len(bounds) == 1:
        axes, points = _grid(bounds, resolution or 400)
        figure, ax = _draw_target(ax)
        ax.plot(axes[0], _outputs(fn, points), linewidth=1.2)
        ax.set_xlabel("input")
        ax.set_ylabel("output")
        ax.grid(alpha=0.3)
    else:
        resolution = resolution or 40
        axes, points = _grid(bounds, resolution)
        values = _outputs(fn, points)
        if values.shape[1] != 1:
            raise ValueError(
                f"function_surface: a surface needs one output per point, got {values.shape[1]}; "
                "use decision_regions to compare several outputs"
            )
        grid_x, grid_y = np.meshgrid(*axes, indexing="xy")
        heights = values.reshape(resolution, resolution)
        figure, ax = _draw_target(ax, subplot_kw={"projection": "3d"})
        low, high = float(heights.min()), float(heights.max())
        base = low - 0.3 * max(high - low, 1e-6)
        ax.plot_surface(
            grid_x, grid_y, heights, cmap="RdYlGn", linewidth=0, antialiased=True, alpha=0.9
        )
        if floor:
            ax.contourf(grid_x, grid_y, heights, zdir="z", offset=base, levels=12, cmap="RdYlGn")
        ax.set_zlim(base, high + 1e-6)
        ax.set_xlabel("input 1")
        ax.set_ylabel("input 2")
    if title:
        ax.set_title(title)
    return save_figure(figure, path)


_REGION_COLOURS = (
    "#4c72b0",
    "#dd8452",
    "#55a868",
    "#c44e52",
    "#8172b3",
    "#937860",
    "#da8bc3",
    "#8c8c8c",
)


def decision_regions(
    model_or_fn: Module | Callable,
    bounds=((-1.0, 1.0), (-1.0, 1.0)),
    resolution: int = 200,
    points: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    class_names: Sequence[str] | None = None,
    threshold: float = 0.0,
    ax=None,
    title: str | None = None,
    path: str | os.PathLike | None = None,
):
    """Colour the input space by the class a classifier picks there (see `region_labels`).

    For one input the outputs are drawn as curves over bands coloured by the winning output; for two
    inputs the plane is coloured, and optional data `points` are drawn on top in the colour of their
    `labels`.

    Args:
        model_or_fn: a Module, or a function from an (N, D) array to (N, K) scores.
        bounds: (low, high) for one input, or ((low, high), (low, high)) for two.
        resolution: grid points per input.
        points: optional data, (N, 2) for two inputs or (N,) for one.
        labels: the class of each point (int).
        class_names: names for the legend, one per class.
        threshold: the cut for a single-output function.
        ax: axes to draw on; a new figure by default.
        title: title of the plot.
        path: where to save the figure as PNG.

    Returns:
        the matplotlib Figure.
    """
    bounds = _bounds(bounds, "decision_regions")
    axes, grid_labels = region_labels(model_or_fn, bounds, resolution, threshold)
    figure, ax = _draw_target(ax)
    classes = max(int(grid_labels.max()) + 1, 0 if labels is None else int(np.max(labels)) + 1, 2)
    colours = [_REGION_COLOURS[k % len(_REGION_COLOURS)] for k in range(classes)]
    names = list(class_names) if class_names is not None else [f"class {k}" for k in range(classes)]
    if len(names) < classes:
        raise ValueError(f"decision_regions: {len(names)} class_names for {classes} classes")
    if len(bounds) == 1:
        xs = axes[0]
        edges = np.concatenate([[xs[0]], (xs[1:] + xs[:-1]) / 2, [xs[-1]]])
        changes = np.flatnonzero(np.diff(grid_labels)) + 1
        for start, stop in zip(
            np.concatenate([[0], changes]), np.concatenate([changes, [len(xs)]])
        ):
            ax.axvspan(
                edges[start],
                edges[stop],
                color=colours[grid_labels[start]],
                alpha=0.25,
                linewidth=0,
            )
        outputs = _outputs(as_array_function(model_or_fn), xs[:, None])
        curve_names = names if outputs.shape[1] > 1 else ["output"]
        for k in range(outputs.shape[1]):
            ax.plot(
                xs, outputs[:, k], color=colours[k % classes], linewidth=1.5, label=curve_names[k]
            )
        if outputs.shape[1] == 1:
            ax.axhline(threshold, color="black", linewidth=0.8, linestyle="--")
        if points is not None:
            point_labels = np.zeros(len(points), int) if labels is None else np.asarray(labels)
            ax.scatter(
                np.ravel(points),
                np.full(len(points), threshold),
                c=[colours[k] for k in point_labels],
                edgecolors="black",
                zorder=3,
            )
        ax.set_xlabel("input")
        ax.set_ylabel("output")
        ax.legend(fontsize=8)
    else:
        rgb = np.array([[int(c[i : i + 2], 16) / 255 for i in (1, 3, 5)] for c in colours])
        ax.imshow(
            rgb[grid_labels],
            origin="lower",
            extent=tuple(bounds.ravel()),
            aspect="auto",
            alpha=0.6,
            interpolation="nearest",
        )
        if points is not None:
            point_labels = np.zeros(len(points), int) if labels is None else np.asarray(labels)
            ax.scatter(
                points[:, 0],
                points[:, 1],
                c=[colours[k] for k in point_labels],
                edgecolors="black",
                s=18,
                zorder=3,
            )
        for k in range(classes):
            ax.scatter([], [], marker="s", color=colours[k], label=names[k])
        ax.legend(fontsize=8, loc="upper right")
        ax.set_xlabel("input 1")
        ax.set_ylabel("input 2")
    if title:
        ax.set_title(title)
    return save_figure(figure, path)


def image_grid(
    images,
    labels: Sequence | None = None,
    cols: int | None = None,
    cmap: str = "gray",
    vmin: float | None = None,
    vmax: float | None = None,
    title: str | None = None,
    size: float = 1.4,
    colorbar_label: str | None = "value",
    path: str | os.PathLike | None = None,
):
    """Show small images side by side, each captioned with its label, with one colour bar for
    all of them (they share one colour scale).

    Args:
        images: (N, H, W), (N, 1, H, W) grey or (N, H, W, 3) colour images, as an array or Tensor.
        labels: optional caption per image.
        cols: images per row (default: up to 8).
        cmap: colour map for grey images.
        vmin, vmax: the values drawn black and white (default: the lowest and highest over all
            images).
        title: title of the figure.
        size: inches per image.
        colorbar_label: what the colour bar's values are (e.g. "pixel value"); None draws no
            colour bar (colour images never get one).
        path: where to save the figure as PNG.

    Returns:
        the matplotlib Figure.
    """
    array = np.asarray(images.array if isinstance(images, Tensor) else images)
    if array.ndim == 4 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim not in (3, 4) or (array.ndim == 4 and array.shape[-1] != 3):
        raise ValueError(
            f"image_grid: expected images of shape (N, H, W), (N, 1, H, W) or (N, H, W, 3), "
            f"got {array.shape}"
        )
    count = len(array)
    if count == 0:
        raise ValueError("image_grid: got no images")
    cols = cols or min(count, 8)
    rows = math.ceil(count / cols)
    vmin = float(array.min()) if vmin is None else vmin
    vmax = float(array.max()) if vmax is None else vmax
    grey = array.ndim == 3
    with_bar = grey and colorbar_label is not None
    figure, axes = new_figure(
        rows,
        cols,
        size=(size * cols + (1.0 if with_bar else 0), size * rows + (0.4 if title else 0) + 0.2),
        layout="constrained",
    )
    image = None
    for index, ax in enumerate(np.ravel(axes)):
        if index >= count:
            ax.axis("off")
            continue
        # Ticks go but the frame stays, so an all-white image still shows its edges.
        ax.set_xticks([])
        ax.set_yticks([])
        image = ax.imshow(array[index], cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
        if labels is not None:
            ax.set_title(str(labels[index]), fontsize=8)
    if with_bar:
        colour_bar(figure, image, np.ravel(axes).tolist(), colorbar_label)
    if title:
        figure.suptitle(title)
    return save_figure(figure, path)
