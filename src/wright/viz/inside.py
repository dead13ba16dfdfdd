"""Pictures from inside a network: feature maps layer by layer, the inputs units like best, and
adversarial pairs."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np

from wright.autograd import no_grad
from wright.interpret.layers import LayerRef, find_layer, record_activations
from wright.nn.module import Module
from wright.tensor import Tensor
from wright.viz.figure import colour_bar, new_figure, save_figure

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
    output_labels: Sequence[str] | None = None,
    title: str | None = None,
    path: str | os.PathLike | None = None,
):
    """Show what one input looks like after each layer: a row of channel images, with a colour bar
    for the row, or a row of bars for a vector, per layer, the input on top.

    Args:
        model: the network, e.g. a CNN built as nn.Sequential.
        x: a batch of one input, e.g. (1, 1, 28, 28).
        layers: the layers to show (names, child positions or submodules); default: every direct
            child.
        max_channels: at most this many channels per layer are drawn.
        output_labels: names of the last layer's outputs (e.g. the classes), written under its
            bars with their values.
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
    figure, axes = new_figure(
        len(rows), cols, size=(1.3 * cols + 2.2, 1.35 * len(rows) + 0.5), layout="constrained"
    )
    axes = np.asarray(axes).reshape(len(rows), cols)
    for row, (name, values) in enumerate(rows):
        label = name.replace(": ", "\n")
        if values.ndim == 2:
            # A vector spans the whole row as bars: one bar per number the layer passes on.
            for ax in axes[row]:
                ax.remove()
            ax = figure.add_subplot(axes[0, 0].get_gridspec()[row, :])
            names = output_labels if row == len(rows) - 1 and output_labels else None
            _vector_bars(ax, values[0], names)
            ax.set_ylabel(label, fontsize=7)
            continue
        shown = min(len(values), max_channels)
        # One colour scale per layer, so the maps of a layer can be compared with each other.
        low, high = float(values[:shown].min()), float(values[:shown].max())
        image = None
        for col, ax in enumerate(axes[row]):
            _blank(ax)
            if col < shown:
                image = ax.imshow(
                    values[col],
                    cmap="gray",
                    vmin=low,
                    vmax=high or low + 1e-6,
                    interpolation="nearest",
                )
            else:
                ax.axis("off")
        count = len(values)
        axes[row, 0].set_ylabel(
            label if row == 0 else f"{label}\n{count} map{'s' if count != 1 else ''}", fontsize=7
        )
        colour_bar(figure, image, axes[row, :].tolist(), "value" if row else "pixel")
    if title:
        figure.suptitle(title)
    return save_figure(figure, path)


def _vector_bars(ax, values: np.ndarray, names: Sequence[str] | None) -> None:
    """A layer's output vector as bars; named bars (e.g. classes) get their value written on."""
    positions = np.arange(len(values))
    drawn = ax.bar(positions, values, color=np.where(values >= 0, "#4a7ab5", "#c44e52"))
    ax.axhline(0.0, color="black", linewidth=0.6)
    ax.tick_params(labelsize=7)
    ax.set_xlim(-0.6, len(values) - 0.4)
    if names is not None:
        ax.set_xticks(positions, list(names), fontsize=8)
        ax.bar_label(drawn, [f"{v:.2f}" for v in values], fontsize=7, padding=1)
        ax.margins(y=0.25)
    else:
        ax.set_xticks([])
        ax.set_xlabel(f"{len(values)} values", fontsize=7)


def preferred_inputs(
    inputs,
    titles: Sequence[str] | None = None,
    image_shape: tuple[int, int] | None = None,
    value_range: tuple[float, float] = (0.0, 1.0),
    value_label: str = "input value",
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
        value_label: what the input values are (the bars' axis label, the colour bar's label).
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
        1,
        len(array),
        size=(1.9 * len(array) + (0.8 if array.ndim == 3 else 0), 2.8 if array.ndim == 2 else 2.4),
        layout="constrained",
    )
    axes = np.ravel(axes)
    image = None
    for ax, values, caption in zip(axes, array, titles):
        if values.ndim == 1:
            ax.barh(np.arange(len(values)), values, color="#4a7ab5")
            ax.set_xlim(*value_range)
            ax.set_yticks(range(len(values)))
            ax.tick_params(labelsize=6)
            ax.set_xlabel(value_label, fontsize=7)
        else:
            image = ax.imshow(
                values,
                cmap="gray",
                vmin=value_range[0],
                vmax=value_range[1],
                interpolation="nearest",
            )
            _blank(ax)
        ax.set_title(caption, fontsize=8)
    if array.ndim == 2:
        axes[0].set_ylabel("input (0 at the bottom)", fontsize=7)
    else:
        colour_bar(figure, image, axes.tolist(), value_label)
    if title:
        figure.suptitle(title)
    return save_figure(figure, path)


def adversarial_examples(
    clean,
    adversarial,
    clean_labels: Sequence,
    adversarial_labels: Sequence | Mapping[str, Sequence],
    title: str | None = None,
    path: str | os.PathLike | None = None,
):
    """Images before and after one or more attacks, with the change each made and the answers
    given; colour bars give the pixel scale and the change's scale.

    Args:
        clean: (N, H, W) or (N, 1, H, W) original images, pixels in [0, 1].
        adversarial: the attacked images, same shape; or {attack name: attacked images} to show
            several attacks (e.g. FGSM and PGD) on the same originals.
        clean_labels: the network's answer on each original.
        adversarial_labels: its answer on each attacked image ({attack name: answers} alongside a
            dict of attacks).
        title: title of the figure.
        path: where to save the figure as PNG.

    Returns:
        the matplotlib Figure: originals on top, then for each attack the change (red +, blue -)
        and the attacked images.
    """
    attacks = adversarial if isinstance(adversarial, Mapping) else {"attacked": adversarial}
    answers = (
        adversarial_labels
        if isinstance(adversarial_labels, Mapping)
        else {name: adversarial_labels for name in attacks}
    )
    before = _array(clean).astype(np.float64)
    before = before.reshape(len(before), *before.shape[-2:])
    afters = {}
    for name, images in attacks.items():
        after = _array(images).astype(np.float64)
        if after.reshape(len(after), *after.shape[-2:]).shape != before.shape:
            raise ValueError(
                f"adversarial_examples: clean images {before.shape} and {name} images "
                f"{after.shape} differ in shape"
            )
        afters[name] = after.reshape(before.shape)
    limit = max(float(np.abs(after - before).max()) for after in afters.values()) or 1.0
    count, rows = len(before), 1 + 2 * len(afters)
    figure, axes = new_figure(
        rows, count, size=(1.3 * count + 2.4, 1.45 * rows + 0.5), layout="constrained"
    )
    axes = np.asarray(axes).reshape(rows, count)
    for ax in axes.ravel():
        _blank(ax)
    pixels = change = None
    for i in range(count):
        pixels = axes[0, i].imshow(before[i], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        axes[0, i].set_title(f"says {clean_labels[i]}", fontsize=8)
    axes[0, 0].set_ylabel("original", fontsize=8)
    for k, (name, after) in enumerate(afters.items()):
        moved, attacked = axes[1 + 2 * k], axes[2 + 2 * k]
        for i in range(count):
            change = moved[i].imshow(
                after[i] - before[i], cmap="bwr", vmin=-limit, vmax=limit, interpolation="nearest"
            )
            attacked[i].imshow(after[i], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            attacked[i].set_title(f"says {answers[name][i]}", fontsize=8)
        moved[0].set_ylabel(f"{name}:\nchange", fontsize=8)
        attacked[0].set_ylabel(f"{name}:\nattacked", fontsize=8)
    # One bar per scale, beside the first row that uses it: every grey row shares the first's.
    colour_bar(figure, pixels, axes[0].tolist(), "pixel value")
    colour_bar(figure, change, axes[1].tolist(), "change")
    if title:
        figure.suptitle(title)
    return save_figure(figure, path)
