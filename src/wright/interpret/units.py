"""Looking at single neurons: the input that excites one the most, and knocking some out."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import numpy as np

from wright import backend, dtypes
from wright.creation import as_tensor
from wright.interpret.gradients import input_gradient
from wright.interpret.layers import LayerRef, find_layer, intercept
from wright.nn.module import Module
from wright.tensor import Tensor

_UNIT_MEANING = {
    1: "units are counted along axis 1",
    2: "a unit is an index along axis 1 followed by a position, within one sample's output",
}


def _unit_indices(unit, caller: str) -> np.ndarray:
    """Units as an int array: (U,) neurons or channels, or (U, k) full positions such as
    (channel, row, col)."""
    units = np.asarray(unit)
    if units.ndim == 0 or (units.ndim == 1 and isinstance(unit, tuple)):
        units = units.reshape(1, -1) if isinstance(unit, tuple) else units.reshape(1)
    if units.ndim not in (1, 2) or units.dtype.kind not in "iu" or units.size == 0:
        raise ValueError(
            f"{caller}: unit must be an int, a tuple of ints (channel, row, col), or a non-empty "
            f"list of either, got {unit!r}"
        )
    return units.astype(np.int64)


def _check_units(units: np.ndarray, output: Tensor, where: str, caller: str) -> None:
    per_sample = output.shape[1:]
    width = 1 if units.ndim == 1 else units.shape[1]
    if len(per_sample) < width:
        raise ValueError(
            f"{caller}: {where} gives output of shape {tuple(output.shape)}, which has no unit "
            f"{tuple(units[0]) if units.ndim == 2 else int(units[0])}"
        )
    limits = np.array(per_sample[:width])
    outside = np.any(
        (units.reshape(len(units), width) < 0) | (units.reshape(len(units), width) >= limits),
        axis=1,
    )
    if outside.any():
        bad = units[np.argmax(outside)]
        raise IndexError(
            f"{caller}: {where} gives output of shape {tuple(output.shape)}, so unit "
            f"{bad.tolist()} does not exist ({_UNIT_MEANING[units.ndim]})"
        )


def unit_activation(output: Tensor, units: np.ndarray) -> Tensor:
    """Row i's activation of unit units[i]: a neuron's value, a position's value, or, for a whole
    channel, its mean over positions."""
    columns = (units,) if units.ndim == 1 else tuple(units.T)
    picked = output[(np.arange(len(units)),) + columns]  # (U,) or (U, *remaining positions)
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

    Starting from mid-range values plus a little noise, each step moves the input along its
    gradient, scaled to a root-mean-square size of `lr`, then clips it to `bounds`. With `l2` > 0
    large values are penalised (l2 * x is subtracted each step), which keeps unconstrained pictures
    readable.

    Args:
        model: the network (or a single layer, which is a model of its own).
        unit: the unit to excite: its index along axis 1 of the layer's output (a neuron, or a whole
            channel, whose activation is its mean over positions), or a tuple such as
            (channel, row, col) for one position of a feature map; a list of them gives one input
            per unit, in one batch.
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
        >>> net = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 2))
        >>> best = maximize_activation(net, unit=[0, 1, 2], shape=(10,), layer="1")
        >>> best.shape  # one input per hidden unit
        wright.Size([3, 10])
    """
    units = _unit_indices(unit, "maximize_activation")
    module = model if layer is None else find_layer(model, layer)[1]
    low, high = bounds if bounds is not None else (-1.0, 1.0)
    rng = backend.generator() if seed is None else np.random.default_rng(seed)
    noise = rng.standard_normal((len(units), *shape)) * 0.01 * (high - low)
    x = ((low + high) / 2 + noise).astype(dtypes.default_float_numpy())
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
    return as_tensor(x.astype(dtypes.default_float_numpy()))


@contextlib.contextmanager
def ablate(model: Module, layer: LayerRef, units: int | Sequence[int]) -> Iterator[Module]:
    """Knock units out: inside the `with` block, the chosen units of `layer` output zero.

    This is a context manager, not a copy: the model itself is changed while the block runs and
    restored when it ends (weights are never touched). The zeroing happens in the graph, so the
    knocked-out units also pass back no gradient: training inside the block retrains the network
    without them. Blocks nest.

    Args:
        model: the network.
        layer: the layer whose outputs to zero (name, child position or submodule, see
            `find_layer`).
        units: indices along axis 1 of the layer's output (neurons or channels).

    Yields:
        The model.

    Example:
        >>> net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
        >>> with ablate(net, "1", [0, 2]):
        ...     hidden = net[:2](wright.rand(5, 4))
        >>> hidden[:, [0, 2]].abs().sum().item()
        0.0
    """
    units = _unit_indices(units, "ablate")
    if units.ndim != 1:
        raise ValueError(
            f"ablate: units are whole neurons or channels (ints along axis 1), got {units.tolist()}"
        )
    _, module = find_layer(model, layer)
    masks: dict[tuple[int, ...], Tensor] = {}

    def knock_out(output: Tensor) -> Tensor:
        key = output.shape[1:2] + (output.ndim,)
        if key not in masks:
            _check_units(units, output, module.describe(), "ablate")
            mask = np.ones((1, output.shape[1]) + (1,) * (output.ndim - 2), dtype=output.dtype)
            mask[:, units] = 0
            masks[key] = as_tensor(mask)
        return output * masks[key]

    with intercept(module, knock_out):
        yield model
