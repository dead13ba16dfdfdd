"""Pictures from inside a network: feature maps layer by layer, the inputs units like best,
adversarial pairs, and curves of how training went."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np

from wright.autograd import no_grad
from wright.interpret.layers import LayerRef, find_layer, record_activations
from wright.nn.module import Module
from wright.tensor import Tensor
from wright.viz.figure import new_figure, save_figure

_FEATURE_SHAPES = "(1, channels, height, width) feature maps or (1, features) vectors"


def _array(values) -> np.ndarray:
    return np.asarray(values.array if isinstance(values, Tensor) else values)


def _blank(ax) -> None:
    ax.set_xticks([])
    ax.set_yticks([])


def feature_maps(
    model: Module,
    x,
    layers: Sequence[LayerRef] | None = None,
    max_channels: int = 8,
    title: str | None = None,
    path: str | os.PathLike | None = None,
):
    """Show what one input looks like after each layer: a row of channel images (or a strip of
    values) per layer, the input on top.

    Args:
        model: the network, e.g. a CNN built as nn.Sequential.
        x: a batch of one input, e.g. (1, 1, 28, 28).
        layers: the layers to show (names, child positions or submodules); default: every direct
            child.
        max_channels: at most this many channels per layer are drawn.
        title: title of the figure.
        path: where to save the figure as PNG.

    Returns:
        the matplotlib Figure.

    Raises:
        ValueError: when x is not a single input, or a layer's output is neither feature maps
            (1, C, H, W) nor a vector (1, F), naming the layer and what it gives.
    """
    array = _array(x)
    if array.ndim not in (2, 3, 4) or array.shape[0] != 1:
        raise ValueError(
            f"feature_maps: x must be a batch of one input: an image (1, C, H, W) or (1, H, W), "
            f"or a vector (1, F); got shape {array.shape}"
        )
    with no_grad():
        outputs = {
            name: out.array for name, out in record_activations(model, array, layers).items()
        }
    for name, out in outputs.items():
        if out.ndim not in (2, 4):
            raise ValueError(
                f"feature_maps cannot draw layer {name!r}: it gives output of shape {out.shape}, "
                f"and feature_maps draws {_FEATURE_SHAPES}"
            )
    rows = [
        ("input", array[0] if array.ndim == 4 else array[0][None] if array.ndim == 3 else array)
    ]
    rows += [
        (f"{name}: {find_layer(model, name)[1].summary_line()}", out[0] if out.ndim == 4 else out)
        for name, out in outputs.items()
    ]
    cols = max(min(len(values), max_channels) if values.ndim == 3 else 1 for _, values in rows)
    figure, axes = new_figure(len(rows), cols, size=(1.3 * cols + 1.0, 1.3 * len(rows) + 0.3))
    axes = np.asarray(axes).reshape(len(rows), cols)
    for row, (name, values) in enumerate(rows):
        for col in range(cols):
            ax = axes[row, col]
            _blank(ax)
            if values.ndim == 3 and col < min(len(values), max_channels):
                ax.imshow(values[col], cmap="gray", interpolation="nearest")
            elif values.ndim == 2 and col == 0:
                ax.imshow(values, cmap="gray", aspect="auto", interpolation="nearest")
                if values.shape[1] <= 4:
                    for i, value in enumerate(values[0]):
                        ax.text(
                            i,
                            0,
                            f"{value:.2f}",
                            ha="center",
                            va="center",
                            fontsize=7,
                            color="tab:red",
                        )
            else:
                ax.axis("off")
        label = name if values.ndim == 2 else f"{name}\n{len(values)} maps"
        axes[row, 0].set_ylabel(label.replace(": ", "\n"), fontsize=7)
    if title:
        figure.suptitle(title)
    return save_figure(figure, path)


def preferred_inputs(
    inputs,
    titles: Sequence[str] | None = None,
    image_shape: tuple[int, int] | None = None,
    value_range: tuple[float, float] = (0.0, 1.0),
    title: str | None = None,
    path: str | os.PathLike | None = None,
):
    """Draw the input each unit responds to most (as `wright.interpret.maximize_activation` finds
    them).

    Vectors are drawn as horizontal bars, input 0 at the bottom, like levels of a shadow on a wall;
    images as images.

    Args:
        inputs: (units, features) vectors, or (units, H, W) / (units, 1, H, W) images.
        titles: a caption per unit.
        image_shape: (H, W) to show (units, features) vectors as images instead of bars.
        value_range: the range of the input values (the bars' axis, the images' black and white).
        title: title of the figure.
        path: where to save the figure as PNG.

    Returns:
        the matplotlib Figure.
    """
    array = _array(inputs).astype(np.float64)
    if image_shape is not None:
        array = array.reshape(len(array), *image_shape)
    if array.ndim == 4 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim not in (2, 3) or len(array) == 0:
        raise ValueError(
            f"preferred_inputs: expected (units, features) vectors or (units, H, W) images, got "
            f"shape {array.shape}"
        )
    titles = list(titles) if titles is not None else [f"unit {i}" for i in range(len(array))]
    figure, axes = new_figure(
        1, len(array), size=(1.9 * len(array), 2.4 if array.ndim == 2 else 2.0)
    )
    for ax, values, caption in zip(np.ravel(axes), array, titles):
        if values.ndim == 1:
            ax.barh(np.arange(len(values)), values, color="#4a7ab5")
            ax.set_xlim(*value_range)
            ax.set_yticks(range(len(values)))
            ax.tick_params(labelsize=6)
        else:
            ax.imshow(
                values,
                cmap="gray",
                vmin=value_range[0],
                vmax=value_range[1],
                interpolation="nearest",
            )
            _blank(ax)
        ax.set_title(caption, fontsize=8)
    if title:
        figure.suptitle(title)
    return save_figure(figure, path)


def adversarial_examples(
    clean,
    adversarial,
    clean_labels: Sequence,
    adversarial_labels: Sequence,
    title: str | None = None,
    path: str | os.PathLike | None = None,
):
    """Images before and after an attack, with the change between them and the answers given.

    Args:
        clean: (N, H, W) or (N, 1, H, W) original images.
        adversarial: the attacked images, same shape.
        clean_labels: the network's answer on each original.
        adversarial_labels: its answer on each attacked image.
        title: title of the figure.
        path: where to save the figure as PNG.

    Returns:
        the matplotlib Figure: originals on top, the change (red +, blue -) in the middle, attacked
        below.
    """
    before, after = _array(clean).astype(np.float64), _array(adversarial).astype(np.float64)
    if before.shape != after.shape:
        raise ValueError(
            f"adversarial_examples: clean images {before.shape} and adversarial images "
            f"{after.shape} differ in shape"
        )
    before, after = (
        before.reshape(len(before), *before.shape[-2:]),
        after.reshape(len(after), *after.shape[-2:]),
    )
    change = after - before
    limit = float(np.abs(change).max()) or 1.0
    count = len(before)
    figure, axes = new_figure(3, count, size=(1.4 * count + 0.6, 4.6))
    axes = np.asarray(axes).reshape(3, count)
    for i in range(count):
        for ax in axes[:, i]:
            _blank(ax)
        axes[0, i].imshow(before[i], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        axes[0, i].set_title(f"says {clean_labels[i]}", fontsize=8)
        axes[1, i].imshow(change[i], cmap="bwr", vmin=-limit, vmax=limit, interpolation="nearest")
        axes[2, i].imshow(after[i], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        axes[2, i].set_title(f"says {adversarial_labels[i]}", fontsize=8)
    for ax, label in zip(axes[:, 0], ("original", f"change\n(max {limit:.2f})", "attacked")):
        ax.set_ylabel(label, fontsize=8)
    if title:
        figure.suptitle(title)
    return save_figure(figure, path)


def curves(
    series: Mapping[str, Sequence[float] | tuple[Sequence[float], Sequence[float]]],
    xlabel: str = "epoch",
    ylabel: str = "",
    logy: bool = False,
    ax=None,
    title: str | None = None,
    path: str | os.PathLike | None = None,
):
    """Several named curves on one set of axes, e.g. training and test accuracy against the epoch.

    Args:
        series: {label: y values} (x = 1, 2, ...) or {label: (x values, y values)}.
        xlabel, ylabel: axis labels.
        logy: a logarithmic y axis (errors that fall by orders of magnitude).
        ax: axes to draw on (to build a figure of several panels); a new figure by default.
        title: title of the axes.
        path: where to save the figure as PNG.

    Returns:
        the matplotlib Figure.
    """
    figure, ax = (ax.figure, ax) if ax is not None else new_figure()
    for label, values in series.items():
        if isinstance(values, tuple) and len(values) == 2 and np.ndim(values[0]) == 1:
            x, y = values
        else:
            x, y = np.arange(1, len(values) + 1), values
        ax.plot(x, y, label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return save_figure(figure, path)
