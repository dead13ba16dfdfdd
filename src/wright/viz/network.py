"""Pictures of a network itself: neurons and weighted connections, what each neuron responds to most
(its receptive field), and first-layer weights shown as images."""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from wright.autograd import no_grad
from wright.creation import as_tensor
from wright.interpret.layers import recording
from wright.nn.activation import Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from wright.nn.container import Sequential
from wright.nn.linear import Linear
from wright.nn.module import Module
from wright.nn.shape import Flatten
from wright.tensor import Tensor
from wright.viz.figure import colour_bar, new_figure, save_figure
from wright.viz.plots import image_grid

_ACTIVATIONS = (Sigmoid, Tanh, ReLU, LeakyReLU, Softmax, LogSoftmax, Identity)
_ACCEPTED = (
    "a Linear layer, or a Sequential of Linear layers, activations (Sigmoid, Tanh, ReLU, "
    "LeakyReLU, Softmax, LogSoftmax, Identity) and Flatten"
)


@dataclass
class _NeuronLayer:
    """One layer of neurons: a Linear layer and the activations applied to its sums."""

    linear: Linear
    activations: list[Module] = field(default_factory=list)

    def name(self) -> str:
        return " + ".join(type(a).__name__ for a in self.activations) or "linear"

    def last(self) -> Module:
        """The module whose output is the layer's neuron values."""
        return self.activations[-1] if self.activations else self.linear


def _flatten_modules(model: Module, prefix: str = "") -> list[tuple[str, Module]]:
    if isinstance(model, Sequential):
        # Every step in order: a module used twice is two steps (named_children lists it once).
        return [
            pair
            for name, child in model._modules.items()
            for pair in _flatten_modules(child, f"{prefix}.{name}" if prefix else name)
        ]
    return [(prefix, model)]


def neuron_layers(model: Module, caller: str = "neuron_layers") -> list[_NeuronLayer]:
    """Split a fully connected model into layers of neurons: a Linear and the activations after it.

    Raises:
        TypeError: naming the first module that is not a Linear layer, an activation or Flatten.
    """
    if not isinstance(model, Module):
        raise TypeError(f"{caller}: expected {_ACCEPTED}, got {type(model).__name__}")
    layers: list[_NeuronLayer] = []
    for name, module in _flatten_modules(model):
        where = f" at '{name}'" if name else ""
        if isinstance(module, Linear):
            layers.append(_NeuronLayer(module))
        elif isinstance(module, _ACTIVATIONS):
            if not layers:
                raise TypeError(
                    f"{caller}: {type(module).__name__}{where} comes before any Linear layer; "
                    f"expected {_ACCEPTED}"
                )
            layers[-1].activations.append(module)
        elif not isinstance(module, Flatten):
            raise TypeError(
                f"{caller} handles fully connected networks only, so not {type(module).__name__}"
                f"{where}; it accepts {_ACCEPTED}"
            )
    if not layers:
        raise TypeError(
            f"{caller}: {type(model).__name__} has no Linear layer; expected {_ACCEPTED}"
        )
    return layers


def layer_values(model: Module, inputs) -> list[np.ndarray]:
    """The value of every neuron for a batch of inputs: [inputs, layer 1, layer 2, ..., outputs].

    Args:
        model: a fully connected model (see `draw_network`).
        inputs: (N, in_features) or any shape that flattens to it per sample, e.g. (N, 2, 2) images.

    Returns:
        one (N, width) array per layer, the inputs first.
    """
    layers = neuron_layers(model, "layer_values")
    array = np.asarray(inputs.array if isinstance(inputs, Tensor) else inputs)
    width = layers[0].linear.in_features
    if array.size % width:
        raise ValueError(
            f"layer_values: inputs of shape {array.shape} do not flatten to rows of {width} "
            f"features for {layers[0].linear.describe()}"
        )
    x = as_tensor(array.reshape(-1, width).astype(layers[0].linear.weight.dtype))
    ends = [layer.last() for layer in layers]
    with no_grad(), recording(ends) as outputs:
        model(x)
    # A module shared by several layers (one activation object used twice) gives its outputs in
    # call order, one per layer.
    calls = {id(module): iter(outputs[id(module)]) for module in ends}
    return [x.array] + [next(calls[id(module)]).array for module in ends]


def draw_network(
    model: Module,
    x=None,
    show_values: bool = True,
    input_labels: Sequence[str] | None = None,
    output_labels: Sequence[str] | None = None,
    first_at_bottom: bool = False,
    ax=None,
    title: str | None = None,
    path: str | os.PathLike | None = None,
):
    """Draw a fully connected network as the lectures do: neurons as circles, weights as lines.

    Inputs are on the left and each layer to its right. A line is light for a positive weight and
    dark for a negative one, as thick as the weight is large (relative to the largest weight); zero
    weights are left out, and a key under the picture says so. Bias weights are not drawn. Given an
    input `x`, every neuron is shaded by its value (black -1, grey 0, white +1, with a colour bar)
    and, with `show_values`, labelled with it: the forward pass, step by step.

    Args:
        model: a Linear layer, or a Sequential of Linear layers, activations and Flatten.
        x: optional single input, (in_features,) or a shape that flattens to it (e.g. a 2x2 image).
        show_values: write each neuron's value next to it when `x` is given.
        input_labels: names written left of the input neurons.
        output_labels: names written right of the output neurons.
        first_at_bottom: put neuron 0 of every layer at the bottom instead of the top (e.g. for
            inputs that are heights, lowest first).
        ax: axes to draw on; a new figure by default.
        title: title of the picture.
        path: where to save the figure as PNG.

    Returns:
        the matplotlib Figure.

    Raises:
        TypeError: for a model it cannot draw, such as one with convolution layers.
    """
    from matplotlib.collections import LineCollection

    layers = neuron_layers(model, "draw_network")
    widths = [layers[0].linear.in_features] + [layer.linear.out_features for layer in layers]
    values = None
    if x is not None:
        array = np.asarray(x.array if isinstance(x, Tensor) else x)
        if array.size != widths[0]:
            raise ValueError(
                f"draw_network: x has {array.size} values but the network takes {widths[0]} inputs"
            )
        values = [v[0] for v in layer_values(model, array.reshape(1, -1))]
    order = -1.0 if first_at_bottom else 1.0
    positions = [
        np.column_stack([np.full(n, float(column)), order * ((n - 1) / 2 - np.arange(n))])
        for column, n in enumerate(widths)
    ]
    largest = max(float(np.abs(layer.linear.weight.array).max()) for layer in layers) or 1.0
    figure, ax = (
        (ax.figure, ax)
        if ax is not None
        else new_figure(size=(1.8 * len(widths) + 1, 0.55 * max(widths) + 1.2))
    )
    ax.set_facecolor("#9a9a9a")
    for column, layer in enumerate(layers):
        weights = layer.linear.weight.array  # (out, in)
        target, source = np.nonzero(weights)
        segments = np.stack([positions[column][source], positions[column + 1][target]], axis=1)
        strength = weights[target, source]
        ax.add_collection(
            LineCollection(
                segments,
                colors=np.where(strength[:, None] > 0, 1.0, 0.0).repeat(3, 1),
                linewidths=0.3 + 3.5 * np.abs(strength) / largest,
                zorder=1,
            )
        )
    neuron_size = min(300.0, 2400.0 / max(widths))
    for column, points in enumerate(positions):
        shade = (
            {"color": "#d0d0d0"}
            if values is None
            else {"c": np.clip(values[column], -1, 1), "cmap": "gray", "vmin": -1, "vmax": 1}
        )
        neurons = ax.scatter(
            points[:, 0],
            points[:, 1],
            s=neuron_size,
            edgecolors="#303030",
            linewidths=1.0,
            zorder=2,
            **shade,
        )
        if values is not None and show_values and len(points) <= 32:
            for (px, py), value in zip(points, values[column]):
                ax.annotate(
                    f"{value:.2f}",
                    (px, py),
                    xytext=(2 + math.sqrt(neuron_size) / 2, 0),
                    textcoords="offset points",
                    ha="left",
                    va="center",
                    fontsize=7,
                    zorder=4,
                    # Opaque, above the lines: the edges pass under the label, not through it.
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "linewidth": 0},
                )
        label = "input" if column == 0 else layers[column - 1].name()
        ax.text(column, (max(widths) - 1) / 2 + 0.9, label, ha="center", fontsize=8)
    for labels, column, side in (
        (input_labels, 0, "right"),
        (output_labels, len(widths) - 1, "left"),
    ):
        for (px, py), label in zip(positions[column], labels or ()):
            shift = (
                -0.25
                if side == "right"
                else 0.25 + (0.3 if values is not None and show_values else 0)
            )
            ax.text(px + shift, py, str(label), ha=side, va="center", fontsize=8, zorder=4)
    margin_left = 0.5 + (0.12 * max(map(len, map(str, input_labels))) if input_labels else 0)
    margin_right = 0.5 + (
        0.12 * max(map(len, map(str, output_labels))) + 0.3 if output_labels else 0
    )
    ax.set_xlim(-margin_left, len(widths) - 1 + margin_right)
    ax.set_ylim(-(max(widths) - 1) / 2 - 0.8, (max(widths) - 1) / 2 + 1.3)
    ax.set_xticks([])
    ax.set_yticks([])
    _weight_key(ax, largest)
    if values is not None:
        colour_bar(figure, neurons, ax, "neuron value")
    if title:
        ax.set_title(title)
    return save_figure(figure, path)


def _weight_key(ax, largest: float) -> None:
    """The key to the lines under the picture: colour gives a weight's sign, width its size."""
    from matplotlib.lines import Line2D

    def line(colour: str, size: float, label: str) -> Line2D:
        return Line2D([], [], color=colour, linewidth=0.3 + 3.5 * size, label=label)

    handles = [
        line("white", 1.0, f"weight +{largest:.2g}"),
        line("white", 0.25, f"+{largest / 4:.2g}"),
        line("black", 0.25, f"-{largest / 4:.2g}"),
        line("black", 1.0, f"-{largest:.2g}"),
    ]
    ax.legend(
        handles=handles,
        title="lines: light positive, dark negative, width = size (0 not drawn)",
        title_fontsize=7,
        fontsize=7,
        ncol=4,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.01),
        facecolor="#9a9a9a",
        framealpha=1.0,
    )


def receptive_field_images(
    model: Module, input_shape: tuple[int, ...], levels: tuple[float, ...] = (-1.0, 0.0, 1.0)
) -> list[np.ndarray]:
    """For every neuron, the input that makes its value as high as possible: its receptive field.

    Every input whose pixels take values from `levels` is tried (3^inputs of them with the default
    levels, so this is meant for small inputs such as the four-pixel camera). Among equally good
    inputs the one with the most middle-grey (zero) pixels wins, so pixels a neuron ignores come out
    grey.

    Args:
        model: a fully connected model (see `draw_network`).
        input_shape: shape of one input, e.g. (2, 2).
        levels: the pixel values to try.

    Returns:
        one (width, *input_shape) array per layer of neurons, the input layer first.
    """
    layers = neuron_layers(model, "receptive_field_images")
    size = int(np.prod(input_shape))
    if size != layers[0].linear.in_features:
        raise ValueError(
            f"receptive_field_images: input_shape {tuple(input_shape)} has {size} values but "
            f"{layers[0].linear.describe()} takes {layers[0].linear.in_features}"
        )
    if len(levels) ** size > 2_000_000:
        raise ValueError(
            f"receptive_field_images: {len(levels)}^{size} candidate inputs is too many; it is "
            "meant for tiny inputs (use weights_as_images for larger ones)"
        )
    candidates = np.array(list(itertools.product(levels, repeat=size)))  # (C, size)
    plainness = -np.abs(candidates).sum(axis=1)  # more grey pixels rank higher among ties
    fields = []
    for values in layer_values(model, candidates):
        values = values.astype(np.float64)  # (C, width)
        best = values.max(axis=0, keepdims=True)
        ties = values >= best - 1e-6 * np.maximum(1.0, np.abs(best))
        winner = np.where(ties, plainness[:, None], -np.inf).argmax(axis=0)  # (width,)
        fields.append(candidates[winner].reshape(-1, *input_shape))
    return fields


def receptive_fields(
    model: Module,
    input_shape: tuple[int, ...],
    levels: tuple[float, ...] = (-1.0, 0.0, 1.0),
    title: str | None = None,
    path: str | os.PathLike | None = None,
):
    """Draw every neuron's receptive field (see `receptive_field_images`), one row per layer.

    Returns:
        the matplotlib Figure.
    """
    fields = receptive_field_images(model, input_shape, levels)
    names = ["input"] + [layer.name() for layer in neuron_layers(model, "receptive_fields")]
    cols = max(len(f) for f in fields)
    figure, axes = new_figure(
        len(fields),
        cols,
        size=(0.9 * cols + 1.8, 0.95 * len(fields) + 0.6),
        layout="constrained",
    )
    axes = np.asarray(axes).reshape(len(fields), cols)
    image = None
    # Images show as they are; a flat input shows as one row of pixels.
    picture_shape = (
        tuple(input_shape[-2:]) if len(input_shape) >= 2 else (1, int(np.prod(input_shape)))
    )
    for row, (images, name) in enumerate(zip(fields, names)):
        for col in range(cols):
            ax = axes[row, col]
            ax.set_xticks([])
            ax.set_yticks([])
            if col >= len(images):
                ax.axis("off")
                continue
            image = ax.imshow(
                images[col].reshape(picture_shape),
                cmap="gray",
                vmin=min(levels),
                vmax=max(levels),
                interpolation="nearest",
            )
        axes[row, 0].set_ylabel(f"{row}: {name}", fontsize=7)
    colour_bar(figure, image, axes.ravel().tolist(), "input value")
    if title:
        figure.suptitle(title)
    return save_figure(figure, path)


def weights_as_images(
    weights,
    image_shape: tuple[int, int] | None = None,
    cols: int | None = None,
    cmap: str = "gray",
    title: str | None = None,
    path: str | os.PathLike | None = None,
):
    """Show each neuron's incoming weights arranged as the image they look at (light +, dark -).

    Args:
        weights: a Linear layer, a model (its first Linear layer is used), or a (neurons, inputs)
            array or Tensor.
        image_shape: (height, width) of the input image; by default the square root of the input
            count.
        cols: images per row (default: up to 8).
        cmap: colour map; the scale is symmetric, so zero is always the middle colour.
        title: title of the figure.
        path: where to save the figure as PNG.

    Returns:
        the matplotlib Figure.
    """
    if isinstance(weights, Module):
        weights = neuron_layers(weights, "weights_as_images")[0].linear.weight
    array = np.asarray(weights.array if isinstance(weights, Tensor) else weights, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(
            f"weights_as_images: expected (neurons, inputs) weights, got shape {array.shape}"
        )
    if image_shape is None:
        side = math.isqrt(array.shape[1])
        if side * side != array.shape[1]:
            raise ValueError(
                f"weights_as_images: {array.shape[1]} inputs do not make a square image; "
                "pass image_shape"
            )
        image_shape = (side, side)
    if int(np.prod(image_shape)) != array.shape[1]:
        raise ValueError(
            f"weights_as_images: image_shape {tuple(image_shape)} does not hold "
            f"{array.shape[1]} inputs"
        )
    limit = float(np.abs(array).max()) or 1.0
    return image_grid(
        array.reshape(-1, *image_shape),
        labels=[f"neuron {i}" for i in range(len(array))],
        cols=cols,
        cmap=cmap,
        vmin=-limit,
        vmax=limit,
        title=title,
        colorbar_label="weight",
        path=path,
    )
