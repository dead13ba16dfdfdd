"""Reaching inside a model: find a layer by name, watch or rewrite its output, record every layer's
output."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import numpy as np

from wright.creation import as_tensor
from wright.nn.module import Module
from wright.tensor import Tensor

LayerRef = str | int | Module


def find_layer(model: Module, layer: LayerRef) -> tuple[str, Module]:
    """The submodule of `model` that `layer` names, with its dotted name.

    Args:
        model: the network.
        layer: a dotted name as `model.named_modules()` lists it ("0", "features.3"), an integer
            position among the model's direct children (negative counts from the end), or the
            submodule itself.

    Returns:
        (name, module); the model itself is ("", model).
    """
    named = dict(model.named_modules())
    if isinstance(layer, Module):
        for name, module in named.items():
            if module is layer:
                return name, module
        raise ValueError(f"find_layer: {layer.describe()} is not a part of {type(model).__name__}")
    if isinstance(layer, int | np.integer) and not isinstance(layer, bool):
        children = list(model.named_children())
        if not -len(children) <= layer < len(children):
            raise IndexError(
                f"find_layer: {type(model).__name__} has {len(children)} direct children, "
                f"so layer index {layer} is out of range"
            )
        return children[layer]
    if isinstance(layer, str) and layer in named:
        return layer, named[layer]
    choices = ", ".join(repr(n) for n in named if n)
    raise KeyError(
        f"find_layer: {type(model).__name__} has no layer {layer!r}; its layers are: {choices}"
    )


@contextlib.contextmanager
def intercept(module: Module, transform: Callable[[Tensor], Tensor]) -> Iterator[Module]:
    """While the block runs, every output of `module` is replaced by `transform(output)`.

    The transform runs inside the graph, so gradients flow through it (a mask also masks gradients).
    It is a forward hook, removed on exit; intercepts nest, the innermost one seeing the output of
    the others.
    """
    with module.register_forward_hook(lambda _, args, output: transform(output)):
        yield module


@contextlib.contextmanager
def recording(modules: list[Module]) -> Iterator[dict[int, list[Tensor]]]:
    """While the block runs, keep every output of each module, in call order.

    Yields:
        {id(module): [output of the first call, of the second, ...]}, filled as the model runs.
    """
    outputs: dict[int, list[Tensor]] = {id(module): [] for module in modules}
    with contextlib.ExitStack() as stack:
        for module in {id(m): m for m in modules}.values():
            keep = outputs[id(module)].append
            stack.enter_context(
                module.register_forward_hook(lambda _, args, out, keep=keep: keep(out))
            )
        yield outputs


def default_layers(model: Module) -> list[str]:
    """The layers worth looking at by default: the direct children of the model, in order."""
    names = [name for name, _ in model.named_children()]
    if not names:
        raise ValueError(
            f"{type(model).__name__} has no layers inside it; pass the model itself as a layer "
            "or a model built from submodules (e.g. nn.Sequential)"
        )
    return names


def record_activations(model: Module, x, layers: list[LayerRef] | None = None) -> dict[str, Tensor]:
    """Run `model(x)` and return the output of each listed layer, by dotted name.

    Args:
        model: the network.
        x: its input (a Tensor or array).
        layers: names, child positions or submodules (see `find_layer`); default: every direct
            child.

    Returns:
        {name: output Tensor}, in the order given. The outputs keep their graph when `x` requires
        grad.
    """
    found = [
        find_layer(model, layer) for layer in (default_layers(model) if layers is None else layers)
    ]
    with recording([module for _, module in found]) as outputs:
        model(x if isinstance(x, Tensor) else as_tensor(x))
    # A module called more than once (a shared layer) gives its last output.
    return {name: outputs[id(module)][-1] for name, module in found if outputs[id(module)]}
