"""Looking at single neurons: the input that excites one the most, and knocking some out."""

from __future__ import annotations

import contextlib
from typing import Iterator, Sequence

import numpy as np

from wright import backend
from wright.interpret.gradients import input_gradient
from wright.interpret.layers import LayerRef, find_layer, intercept
from wright.nn.module import Module
from wright.tensor import Tensor


def _unit_indices(unit, caller: str) -> np.ndarray:
    units = np.atleast_1d(np.asarray(unit))
    if units.ndim != 1 or units.dtype.kind not in "iu" or units.size == 0:
        raise ValueError(f"{caller}: unit must be an int or a non-empty list of ints, got {unit!r}")
    return units.astype(np.int64)


def _check_units(units: np.ndarray, output: Tensor, where: str, caller: str) -> None:
    if output.ndim < 2:
        raise ValueError(f"{caller}: {where} gives output of shape {tuple(output.shape)}; units are counted "
                         "along axis 1, so it needs (N, units) or (N, channels, ...)")
    count = output.shape[1]
    outside = units[(units < 0) | (units >= count)]
    if outside.size:
        raise IndexError(f"{caller}: {where} has {count} units (axis 1 of its output {tuple(output.shape)}), "
                         f"so unit {int(outside[0])} does not exist")


def unit_activation(output: Tensor, units: np.ndarray) -> Tensor:
    """Row i's activation of unit units[i]; a channel's activation is its mean over positions."""
    picked = output[np.arange(len(units)), units]  # (U,) or (U, H, W)
    if picked.ndim > 1:
        picked = picked.mean(axis=tuple(range(1, picked.ndim)))
    return picked


def maximize_activation(
    model: Module,
    unit: int | Sequence[int],
    shape: tuple[int, ...],
    steps: int = 200,
    lr: float = 0.05,
    layer: LayerRef | None = None,
    bounds: tuple[float, float] | None = (0.0, 1.0),
    l2: float = 0.0,
    seed: int | None = None,
) -> Tensor:
    """Gradient ascent on the input: the input that a unit responds to most strongly.

    Starting from mid-range values plus a little noise, each step moves the input along its gradient,
    scaled to a root-mean-square size of `lr`, then clips it to `bounds`. With `l2` > 0 large values are
    penalised (l2 * x is subtracted each step), which keeps unconstrained pictures readable.

    Args:
        model: the network (or a single layer, which is a model of its own).
        unit: the unit to excite: its index along axis 1 of the layer's output (a neuron, or a channel,
            whose activation is its mean over positions); a list gives one input per unit, in one batch.
        shape: the shape of one input, without the batch axis, e.g. (1, 28, 28) or (10,).
        steps: number of ascent steps.
        lr: step size.
        layer: the layer whose unit to excite (name, child position or submodule, see `find_layer`);
            None for the model's output.
        bounds: (low, high) input range kept after every step; None for no limit.
        l2: weight of the penalty on large input values.
        seed: seed of the starting noise; None draws from wright's global generator.

    Returns:
        (len(units), *shape) Tensor: one maximally exciting input per unit.

    Example:
        >>> best = maximize_activation(net, unit=[0, 1, 2], shape=(10,), layer="1")
    """
    units = _unit_indices(unit, "maximize_activation")
    module = model if layer is None else find_layer(model, layer)[1]
    low, high = bounds if bounds is not None else (-1.0, 1.0)
    rng = backend.generator() if seed is None else np.random.default_rng(seed)
    noise = rng.standard_normal((len(units), *shape)) * 0.01 * (high - low)
    x = ((low + high) / 2 + noise).astype(backend.get_default_dtype())
    captured: dict[str, Tensor] = {}

    def keep(output: Tensor) -> Tensor:
        captured["output"] = output
        return output

    def activation(inputs: Tensor, outputs: Tensor) -> Tensor:
        output = captured["output"]
        _check_units(units, output, module.describe(), "maximize_activation")
        return unit_activation(output, units).sum()

    axes = tuple(range(1, x.ndim))
    with intercept(module, keep):
        for _ in range(steps):
            grad, _ = input_gradient(model, x, activation)
            grad = grad - l2 * x
            rms = np.sqrt(np.mean(grad * grad, axis=axes, keepdims=True)) + 1e-12
            x = x + lr * grad / rms
            if bounds is not None:
                x = np.clip(x, low, high)
    return Tensor(x.astype(backend.get_default_dtype()))


@contextlib.contextmanager
def ablate(model: Module, layer: LayerRef, units: int | Sequence[int]) -> Iterator[Module]:
    """Knock units out: inside the `with` block, the chosen units of `layer` output zero.

    This is a context manager, not a copy: the model itself is changed while the block runs and restored
    when it ends (weights are never touched). The zeroing happens in the graph, so the knocked-out units
    also pass back no gradient: training inside the block retrains the network without them. Blocks nest.

    Args:
        model: the network.
        layer: the layer whose outputs to zero (name, child position or submodule, see `find_layer`).
        units: indices along axis 1 of the layer's output (neurons or channels).

    Yields:
        The model.

    Example:
        >>> with ablate(net, "1", [0, 5]):
        ...     accuracy_without = evaluate(net, ...)
    """
    units = _unit_indices(units, "ablate")
    _, module = find_layer(model, layer)
    masks: dict[tuple[int, ...], Tensor] = {}

    def knock_out(output: Tensor) -> Tensor:
        key = output.shape[1:2] + (output.ndim,)
        if key not in masks:
            _check_units(units, output, module.describe(), "ablate")
            mask = np.ones((1, output.shape[1]) + (1,) * (output.ndim - 2), dtype=output.dtype)
            mask[:, units] = 0
            masks[key] = Tensor(mask)
        return output * masks[key]

    with intercept(module, knock_out):
        yield model
