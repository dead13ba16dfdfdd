"""Reverse-mode automatic differentiation: the Function contract, the backward walk, no_grad,
gradcheck.

Every op is a small Function with a forward pass (inputs -> output) and a backward pass (a change
wanted in the output -> the changes wanted in each input). Running ops records a graph; `backward`
walks it once in reverse topological order, which is the chain rule with every shared intermediate
computed only once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from wright.tensor import Tensor

_grad_enabled = True


class Function:
    """A differentiable op: `forward` and `backward` both work on raw arrays, never on Tensors.

    Subclasses save on `self` whatever backward needs. `backward(grad)` returns one gradient per
    input (a tuple, or a single array for one input), with None where `needs_input_grad` is False.
    Gradients may keep a broadcast shape: the engine sums them back to each input's shape.
    """

    needs_input_grad: tuple[bool, ...]
    parents: tuple[Tensor, ...] | None

    def forward(self, *arrays, **attrs):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Tensor, **attrs) -> Tensor:
        """Run forward on the inputs' arrays and, when gradients are wanted, link the output into
        the graph."""
        fn = cls()
        requires = _grad_enabled and any(t.requires_grad for t in inputs)
        if requires:
            fn.needs_input_grad = tuple(t.requires_grad for t in inputs)
        else:
            fn.needs_input_grad = (False,) * len(inputs)
        out = fn.forward(*[t.data for t in inputs], **attrs)
        result = _tensor.Tensor(out)
        if requires:
            fn.parents = inputs
            result.requires_grad = True
            result._ctx = fn
        return result


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a gradient over the axes that broadcasting added or stretched, giving it `shape`."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape)


def _topological_order(root: Tensor) -> list[Tensor]:
    """Nodes that lead to `root`, each before the nodes that consume it; iterative, so deep graphs
    are fine."""
    order: list[Tensor] = []
    seen: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        ctx = node._ctx
        if ctx.parents is None:
            raise RuntimeError(
                "backward: this graph was already used by an earlier backward() and its saved "
                "values are freed; call backward(retain_graph=True) the first time to go through "
                "it twice"
            )
        for parent in ctx.parents:
            if parent._ctx is not None and id(parent) not in seen:
                stack.append((parent, False))
    return order


def run_backward(root: Tensor, grad: np.ndarray, retain_graph: bool = False) -> None:
    """Propagate `grad` (d loss / d root) through the graph, accumulating into the leaves' `.grad`.

    `grad` must be an array the caller no longer uses: the leaves' gradients may be views of it.
    """
    Tensor = _tensor.Tensor
    handed: set[int] = set()
    if root._ctx is None:
        _accumulate(root, grad, Tensor, handed)
        return
    grads: dict[int, np.ndarray] = {id(root): grad}
    for node in reversed(_topological_order(root)):
        node_grad = grads.pop(id(node), None)
        if node_grad is None:
            continue
        if node._retains_grad:
            _accumulate(node, node_grad, Tensor, handed)
        ctx = node._ctx
        input_grads = ctx.backward(node_grad)
        if not isinstance(input_grads, tuple):
            input_grads = (input_grads,)
        for parent, parent_grad, needed in zip(ctx.parents, input_grads, ctx.needs_input_grad):
            if not needed or parent_grad is None:
                continue
            if parent_grad.shape != parent.data.shape:
                parent_grad = unbroadcast(parent_grad, parent.data.shape)
            if parent._ctx is None:
                _accumulate(parent, parent_grad, Tensor, handed)
            else:
                key = id(parent)
                earlier = grads.get(key)
                grads[key] = parent_grad if earlier is None else earlier + parent_grad
        if not retain_graph:
            vars(ctx).clear()
            ctx.parents = None


def _accumulate(leaf: Tensor, grad: np.ndarray, tensor_cls, handed: set[int]) -> None:
    # `.grad` must own its memory: an op may pass one array (or views of it) to two inputs, as
    # d(a+b)/da = d(a+b)/db, or hand back a read-only broadcast view; those are copied, fresh arrays
    # kept.
    if leaf.grad is not None:
        leaf.grad = tensor_cls(leaf.grad.data + grad.astype(leaf.data.dtype, copy=False))
        return
    memory = id(grad if grad.base is None else grad.base)
    if memory in handed or not grad.flags.writeable or grad.dtype != leaf.data.dtype:
        grad = np.array(grad, dtype=leaf.data.dtype)
        memory = id(grad)
    handed.add(memory)
    leaf.grad = tensor_cls(grad)


def is_grad_enabled() -> bool:
    """Return whether ops currently record the graph."""
    return _grad_enabled


class set_grad_enabled(contextlib.ContextDecorator):
    """Turn graph recording on or off inside a `with` block (or for a decorated function)."""

    def __init__(self, mode: bool) -> None:
        self.mode = mode
        # A stack rather than one slot: a decorated function that calls itself re-enters this
        # instance.
        self.previous: list[bool] = []

    def __enter__(self) -> None:
        global _grad_enabled
        self.previous.append(_grad_enabled)
        _grad_enabled = self.mode

    def __exit__(self, *exc) -> None:
        global _grad_enabled
        _grad_enabled = self.previous.pop()


class no_grad(set_grad_enabled):
    """Stop recording the graph, for evaluation and for updating weights:
    `with wright.no_grad(): ...`."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Record the graph again inside a `no_grad` block."""

    def __init__(self) -> None:
        super().__init__(True)


class GradcheckError(AssertionError):
    """Raised when analytic and finite-difference gradients disagree."""


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Sequence[Tensor],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> bool:
    """Check backward against central finite differences, in float64.

    The output is reduced to a scalar with fixed random weights r, so the check compares the
    analytic vector-Jacobian product r.J with (L(x + eps) - L(x - eps)) / (2 eps) for every element
    of every input that requires grad. Returns True, or raises GradcheckError naming the input and
    the worst element.
    """
    for t in inputs:
        if t.requires_grad and t.data.dtype != np.float64:
            raise ValueError(
                f"gradcheck: inputs must be float64 for accurate differences, got {t.dtype}"
            )
    out = fn(*inputs)
    weights = np.random.default_rng(seed).standard_normal(out.shape)

    def scalar_loss() -> float:
        with no_grad():
            return float(np.sum(fn(*inputs).data * weights))

    for t in inputs:
        t.grad = None
    out.backward(weights.astype(out.data.dtype))
    for index, t in enumerate(inputs):
        if not t.requires_grad:
            continue
        analytic = np.zeros_like(t.data) if t.grad is None else t.grad.data
        numeric = np.zeros_like(t.data)
        # Index the array itself: a reshaped view of a non-contiguous input would be a copy.
        for i in np.ndindex(t.data.shape):
            original = t.data[i]
            t.data[i] = original + eps
            plus = scalar_loss()
            t.data[i] = original - eps
            minus = scalar_loss()
            t.data[i] = original
            numeric[i] = (plus - minus) / (2 * eps)
        if not np.allclose(analytic, numeric, atol=atol, rtol=rtol):
            worst = np.unravel_index(np.argmax(np.abs(analytic - numeric)), numeric.shape)
            raise GradcheckError(
                f"gradcheck: input {index} of shape {t.shape}: analytic {analytic[worst]!r} vs "
                f"numeric {numeric[worst]!r} at index {worst}"
            )
    return True


# At the bottom because tensor.py builds on Function; the module is looked up when ops run.
from wright import tensor as _tensor
