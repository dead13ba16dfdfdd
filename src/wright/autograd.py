"""Reverse-mode automatic differentiation: the Function contract, the backward walk, grad modes,
`grad`, gradcheck.

Every op is a small Function with a forward pass (inputs -> output) and a backward pass (a change
wanted in the output -> the changes wanted in each input). Running ops records a graph of Function
nodes; `backward` walks it once in reverse topological order, which is the chain rule with every
shared intermediate computed only once.

Edges point at nodes, not at tensors: a Function remembers the Function that made each input (or,
for a leaf, the leaf tensor itself). So when a tensor is later changed in place and becomes the
output of a new node, graphs built from its old value still lead back through the old node.

In-place safety follows PyTorch's rule. Tensors sharing memory share a version counter, which every
in-place change bumps. `apply` notes the version of each input and of the output; when one has
changed by backward time and the Function kept that array for its backward pass, backward refuses
to run on the changed data.

This module does not import `wright.tensor`: tensor.py builds on it and registers the constructor
that `Function.apply` wraps its outputs with (`register_tensor_type`).
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from wright import backend

if TYPE_CHECKING:
    from wright.tensor import Tensor


class _GradState(threading.local):
    """Whether ops record the graph: per thread, as in PyTorch, so a `no_grad` block in one
    thread leaves another thread's training alone."""

    enabled = True
    # Inside an enabled inference_mode block (is_inference_mode_enabled).
    inference = False


_grad_state = _GradState()
_make_tensor: Callable[[np.ndarray], Tensor]


def register_tensor_type(make: Callable[[np.ndarray], Tensor]) -> None:
    """Called once by tensor.py: how `Function.apply` turns an output array into a Tensor."""
    global _make_tensor
    _make_tensor = make


class Function:
    """A differentiable op: `forward` and `backward` both work on raw arrays, never on Tensors.

    Subclasses save on `self` whatever backward needs. `backward(grad)` returns one gradient per
    input (a tuple, or a single array for one input), with None where `needs_input_grad` is False.
    Gradients may keep a broadcast shape: the engine sums them back to each input's shape.
    """

    needs_input_grad: tuple[bool, ...]
    # One per input: the Function that made it, the leaf tensor itself, or None (no gradient).
    edges: tuple | None
    input_shapes: tuple[tuple[int, ...], ...]
    # Per input and then the output: (version counter, version when the op ran, id of the array,
    # id of the memory it views). Whether the Function kept that array is worked out only when its
    # version has changed by backward time (`_check_versions`), so recording an op stays cheap.
    versions: list[tuple[list[int], int, int, int]]
    # Hooks registered on the output tensor, and the output tensor when it retains its gradient.
    hooks: list[Callable] | None = None
    retained: weakref.ref | None = None
    # Set for subclasses written PyTorch's way (static forward(ctx, ...) and backward(ctx, ...)
    # on tensors); see `_apply_pytorch_style`.
    pytorch_style = False

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "forward" in cls.__dict__:
            cls.pytorch_style = isinstance(cls.__dict__["forward"], staticmethod)

    def forward(self, *arrays, **attrs):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError

    def name(self) -> str:
        """The node's name as PyTorch prints it: 'MulBackward0'."""
        return f"{type(self).__name__}Backward0"

    @classmethod
    def apply(cls, *inputs: Tensor, **attrs) -> Tensor:
        """Run forward on the inputs' arrays and, when gradients are wanted, link the output into
        the graph."""
        if cls.pytorch_style:
            return _apply_pytorch_style(cls, inputs, attrs)
        fn = cls()
        requires = False
        if _grad_state.enabled:
            for t in inputs:
                if t._requires_grad:
                    requires = True
                    break
        # List comprehensions, not generators: this runs for every op, and tuple(generator)
        # costs half as much again on the few inputs an op has.
        if requires:
            fn.needs_input_grad = tuple([t._requires_grad for t in inputs])
        else:
            fn.needs_input_grad = (False,) * len(inputs)
        arrays = [t.array for t in inputs]
        for array in arrays:
            if type(array) is not np.ndarray:
                # Device arrays: all on one device (a CPU scalar tensor joins them).
                arrays = backend.same_device(arrays, cls.__name__)
                break
        out = fn.forward(*arrays, **attrs)
        result = _make_tensor(out)
        if result.array.base is not None:
            _share_version_with_base(result, inputs, arrays)
        if requires:
            fn.versions = _versions(inputs, arrays, result)
            fn.edges = tuple(
                [
                    (t._ctx if t._ctx is not None else t) if t._requires_grad else None
                    for t in inputs
                ]
            )
            fn.input_shapes = tuple([a.shape for a in arrays])
            result._requires_grad = True
            result._ctx = fn
        return result


class FunctionCtx:
    """What a PyTorch-style custom Function's `forward(ctx, ...)` hands its `backward(ctx, ...)`."""

    def __init__(self, needs_input_grad: tuple[bool, ...]) -> None:
        self.needs_input_grad = needs_input_grad
        self.saved_tensors: tuple = ()

    def save_for_backward(self, *tensors) -> None:
        """Keep tensors for backward, as `ctx.saved_tensors`."""
        self.saved_tensors = tensors

    def mark_dirty(self, *tensors) -> None:
        """Accepted for PyTorch's API; wright needs no notice of inputs changed in place."""

    def mark_non_differentiable(self, *tensors) -> None:
        """Accepted for PyTorch's API."""

    def set_materialize_grads(self, value: bool) -> None:
        """Accepted for PyTorch's API (gradients always arrive as tensors)."""


def _raw(value):
    # An array as it is (NumPy's or a device's); anything else as a NumPy array.
    return value if backend.is_array(value) else np.asarray(value)


class _PyTorchStyleNode(Function):
    """The graph node of a custom Function written PyTorch's way: backward calls the user's
    `backward(ctx, grad)` on tensors and keeps the gradients of the tensor arguments."""

    def backward(self, grad):
        grads = self.custom.backward(self.ctx, _make_tensor(grad))
        grads = grads if isinstance(grads, tuple) else (grads,)
        picked = (grads[i] if i < len(grads) else None for i in self.tensor_positions)
        return tuple(None if g is None else _raw(getattr(g, "array", g)) for g in picked)

    custom: type

    def name(self) -> str:
        return f"{self.custom.__name__}Backward"


def _apply_pytorch_style(cls, args, kwargs) -> Tensor:
    # forward(ctx, *args) runs on tensors without recording; one node stands for all of it.
    positions = [i for i, a in enumerate(args) if hasattr(a, "_requires_grad")]
    tensors = [args[i] for i in positions]
    ctx = FunctionCtx(tuple(hasattr(a, "_requires_grad") and a._requires_grad for a in args))
    with no_grad():
        out = cls.forward(ctx, *args, **kwargs)
    if not hasattr(out, "_requires_grad"):
        raise NotImplementedError(
            f"{cls.__name__}.forward returned {type(out).__name__}; wright's custom Functions "
            "return one tensor"
        )
    if not (_grad_state.enabled and any(ctx.needs_input_grad)):
        return out
    # One node class per custom Function, named after it, so the node prints as 'MyFnBackward'.
    node_type = cls.__dict__.get("_node_type")
    if node_type is None:
        node_type = type(cls.__name__, (_PyTorchStyleNode,), {"custom": cls})
        cls._node_type = node_type
    node = node_type()
    node.ctx, node.tensor_positions = ctx, positions
    node.needs_input_grad = tuple(t._requires_grad for t in tensors)
    node.edges = tuple(
        (t._ctx if t._ctx is not None else t) if t._requires_grad else None for t in tensors
    )
    node.input_shapes = tuple(t.array.shape for t in tensors)
    node.versions = []
    result = _make_tensor(out.array)
    result._requires_grad, result._ctx = True, node
    return result


def _owner(array: np.ndarray):
    return array if array.base is None else array.base


def _share_version_with_base(result: Tensor, inputs: Sequence[Tensor], arrays) -> None:
    # An output that is a view of an input's memory (reshape, transpose, basic indexing) shares its
    # version counter, so an in-place change through either is seen by graphs that saved the other.
    base = result.array.base
    for tensor, array in zip(inputs, arrays):
        if base is _owner(array):
            result._version_counter = tensor._version_counter
            result._base = tensor
            return


def _versions(inputs, arrays, result: Tensor) -> list[tuple[list[int], int, int, int]]:
    # Ids stay valid for comparing with the arrays a Function keeps: those were all made while the
    # inputs were alive, so none can have reused the id of an input freed later.
    versions = [
        (t._version_counter, t._version_counter[0], id(a), id(_owner(a)))
        for t, a in zip(inputs, arrays)
    ]
    counter = result._version_counter
    # 0 is no object's id: only the output array itself, not another view of its memory, counts.
    versions.append((counter, counter[0], id(result.array), 0))
    return versions


def _kept(fn: Function, array_id: int, owner_id: int) -> bool:
    # Whether the Function kept that array on itself, or a view of the memory it views.
    array_types = backend.ARRAY_TYPES
    for value in vars(fn).values():
        if type(value) in array_types and (
            id(value) == array_id or (value.base is not None and id(value.base) == owner_id)
        ):
            return True
    return False


def _check_versions(fn: Function) -> None:
    last = len(fn.versions) - 1
    for position, (counter, version, array_id, owner_id) in enumerate(fn.versions):
        if counter[0] != version and _kept(fn, array_id, owner_id):
            what = (
                "its output"
                if position == last
                else f"input {position} (shape {fn.input_shapes[position]})"
            )
            raise RuntimeError(
                f"backward: one of the tensors needed for gradient computation has been modified "
                f"by an inplace operation: {what} of {fn.name()} is at version {counter[0]}; "
                f"expected version {version} instead. Clone it before changing it in place "
                "(x = x.clone()), or change it after backward()"
            )


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


_FREED = (
    "backward: this graph was already used by an earlier backward() and its saved values are "
    "freed; call backward(retain_graph=True) the first time to go through it twice"
)


def _topological_order(roots: Sequence[Function]) -> list:
    """Nodes that lead to the roots, each before the nodes that consume it; iterative, so deep
    graphs are fine.

    Leaf tensors are nodes too, placed after every Function that uses them: a leaf's gradient is
    complete when its turn comes, so its hooks see the whole gradient once (as PyTorch's do), and
    a leaf comes right after its last consumer, so it is ready as early as possible (data-parallel
    training starts sending it while the backward pass goes on).
    """
    order: list = []
    seen: set[int] = set()
    stack: list[tuple[Function | Tensor, bool]] = [(root, False) for root in roots]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        if not isinstance(node, Function):
            continue
        if node.edges is None:
            raise RuntimeError(_FREED)
        # Leaves first on the stack, so they come off it last: each lands just after its consumer.
        for edge in node.edges:
            if edge is not None and not isinstance(edge, Function) and id(edge) not in seen:
                stack.append((edge, False))
        for edge in node.edges:
            if isinstance(edge, Function) and id(edge) not in seen:
                stack.append((edge, False))
    return order


def _run_hooks(hooks, grad: np.ndarray) -> np.ndarray:
    for hook in hooks:
        changed = hook(_make_tensor(grad))
        if changed is not None:
            grad = changed.array
    return grad


def run_backward(
    roots: Sequence[Tensor],
    grads: Sequence[np.ndarray],
    retain_graph: bool = False,
    capture: dict[int, int] | None = None,
) -> list[np.ndarray | None]:
    """Propagate each root's gradient (d loss / d root) through the graph.

    Without `capture`, gradients reaching leaves are added to their `.grad`. With it (a map from
    id(leaf tensor) or id(Function) to a slot), gradients are collected into the returned slots
    instead and no `.grad` is touched: that is `wright.autograd.grad`.

    Each array in `grads` must be one the caller no longer uses: leaves' gradients may be views of
    it.
    """
    results: list[np.ndarray | None] = [None] * (len(set(capture.values())) if capture else 0)
    handed: set[int] = set()
    accumulated: dict[int, Tensor] = {}

    def reach_leaf(leaf: Tensor, grad: np.ndarray) -> None:
        if leaf._hooks:
            grad = _run_hooks(leaf._hooks, grad)
        if capture is None:
            _accumulate(leaf, grad, handed)
            if _post_hooks_registered and getattr(leaf, "_post_accumulate_hooks", None):
                accumulated[id(leaf)] = leaf
        elif id(leaf) in capture:
            slot = capture[id(leaf)]
            results[slot] = grad if results[slot] is None else results[slot] + grad

    pending: dict[int, np.ndarray] = {}
    nodes = []
    for root, grad in zip(roots, grads):
        if root._ctx is None:
            reach_leaf(root, grad)
            continue
        key = id(root._ctx)
        pending[key] = grad if key not in pending else pending[key] + grad
        nodes.append(root._ctx)
    anomaly_checks = _anomaly_state.enabled
    for node in reversed(_topological_order(nodes)):
        grad = pending.pop(id(node), None)
        if grad is None:
            continue
        if not isinstance(node, Function):
            reach_leaf(node, grad)
            continue
        _check_versions(node)
        if node.hooks:
            grad = _run_hooks(node.hooks, grad)
        if node.retained is not None and (tensor := node.retained()) is not None:
            _accumulate(tensor, grad, handed)
        if capture is not None and id(node) in capture:
            slot = capture[id(node)]
            results[slot] = grad if results[slot] is None else results[slot] + grad
        input_grads = node.backward(grad)
        if not isinstance(input_grads, tuple):
            input_grads = (input_grads,)
        if anomaly_checks:
            _check_finite(node, input_grads)
        for edge, edge_grad, shape in zip(node.edges, input_grads, node.input_shapes):
            if edge is None or edge_grad is None:
                continue
            if edge_grad.shape != shape:
                edge_grad = unbroadcast(edge_grad, shape)
            key = id(edge)
            earlier = pending.get(key)
            pending[key] = edge_grad if earlier is None else earlier + edge_grad
        if not retain_graph:
            vars(node).clear()
            node.edges = None
    _run_post_accumulate_hooks(accumulated)
    return results


def _check_finite(node: Function, grads) -> None:
    for index, grad in enumerate(grads):
        if (
            grad is not None
            and grad.dtype.kind == "f"
            and backend.array_module(grad).isnan(grad).any()
        ):
            raise RuntimeError(
                f"Function '{node.name()}' returned nan values in its {index}th output."
            )


class _AnomalyState(threading.local):
    enabled = False


_anomaly_state = _AnomalyState()


class set_detect_anomaly:
    """Check every gradient the backward pass computes for NaN and name the op that made it:
    `with wright.autograd.set_detect_anomaly(True): loss.backward()`. Slow; for debugging."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.before = _anomaly_state.enabled
        _anomaly_state.enabled = bool(mode) and check_nan

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        _anomaly_state.enabled = self.before


def detect_anomaly(check_nan: bool = True) -> set_detect_anomaly:
    """`with wright.autograd.detect_anomaly():` turns on the NaN checks of set_detect_anomaly."""
    return set_detect_anomaly(True, check_nan)


def Variable(data: Tensor, requires_grad: bool = False, volatile: bool = False) -> Tensor:
    """PyTorch's old wrapper: the same memory as a new tensor, cut off from the graph, requiring
    grad when asked."""
    result = data.detach()
    result.requires_grad = requires_grad
    return result


def _run_post_accumulate_hooks(leaves: dict[int, Tensor]) -> None:
    # After the whole backward pass, so that each hook sees the leaf's gradient summed over all
    # the paths that reach it, once.
    for leaf in leaves.values():
        for hook in list(leaf._post_accumulate_hooks):
            hook(leaf)


def _accumulate(leaf: Tensor, grad: np.ndarray, handed: set[int]) -> None:
    # `.grad` must own its memory: an op may pass one array (or views of it) to two inputs, as
    # d(a+b)/da = d(a+b)/db, or hand back a read-only broadcast view; those are copied, fresh arrays
    # kept.
    dtype = leaf.array.dtype
    if leaf.grad is not None:
        leaf.grad = _make_tensor(leaf.grad.array + grad.astype(dtype, copy=False))
        return
    memory = id(_owner(grad))
    if memory in handed or grad.dtype != dtype or _shared_elements(grad):
        grad = grad.astype(dtype)
        memory = id(grad)
    handed.add(memory)
    leaf.grad = _make_tensor(grad)


# Set once any leaf gets a post-accumulate-grad hook: until then the backward pass skips looking
# for them (a missing attribute costs a caught exception per leaf).
_post_hooks_registered = False


def post_accumulate_grad_hooks(tensor: Tensor, create: bool = False) -> list[Callable] | None:
    """The hooks `register_post_accumulate_grad_hook` gave a leaf (a new list when `create`)."""
    global _post_hooks_registered
    hooks = getattr(tensor, "_post_accumulate_hooks", None)
    if hooks is None and create:
        hooks = tensor._post_accumulate_hooks = []
        _post_hooks_registered = True
    return hooks


def _shared_elements(array) -> bool:
    # A broadcast view, whose elements alias each other. NumPy marks those read-only; GPU arrays
    # have no such flag, so their strides tell.
    if type(array) is np.ndarray:
        return not array.flags.writeable
    return any(stride == 0 and n > 1 for stride, n in zip(array.strides, array.shape))


def _as_tuple(value) -> tuple:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def _root_gradients(outputs: tuple, grad_outputs: tuple) -> list[np.ndarray]:
    grads = []
    for index, output in enumerate(outputs):
        given = grad_outputs[index] if index < len(grad_outputs) else None
        if given is None:
            if output.array.size != 1:
                raise RuntimeError(
                    "grad can be implicitly created only for scalar outputs; output "
                    f"{index} has shape {tuple(output.shape)}"
                )
            grads.append(backend.array_module(output.array).ones_like(output.array))
            continue
        # A copy, because the leaves' gradients may end up as views of it.
        given = getattr(given, "array", given)
        if not backend.is_array(given):
            given = np.asarray(given)
        grad = backend.array_like(given, output.array).astype(output.array.dtype)
        if grad.shape != output.array.shape:
            raise RuntimeError(
                f"backward: gradient of shape {grad.shape} given for output {index} of shape "
                f"{tuple(output.shape)}; they must match"
            )
        grads.append(grad)
    return grads


def _check_first_order(create_graph: bool) -> None:
    if create_graph:
        raise NotImplementedError(
            "create_graph=True: wright computes first-order gradients only (no gradients of "
            "gradients); see the README's table of differences from PyTorch"
        )


def backward(
    tensors,
    grad_tensors=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs=None,
) -> None:
    """Add d(sum of tensors * grad_tensors)/d(leaf) to every leaf's `.grad` (PyTorch's
    `torch.autograd.backward`)."""
    _check_first_order(create_graph)
    outputs = _as_tuple(tensors)
    for index, output in enumerate(outputs):
        if not output.requires_grad:
            raise RuntimeError(
                f"backward: output {index} does not require grad and has no graph to go back "
                "through"
            )
    grads = _root_gradients(outputs, _as_tuple(grad_tensors))
    if inputs is None:
        run_backward(outputs, grads, bool(retain_graph))
        return
    wanted = _as_tuple(inputs)
    found = run_backward(outputs, grads, bool(retain_graph), _capture_map(wanted))
    accumulated = {}
    for tensor, grad in zip(wanted, found):
        if grad is not None:
            _accumulate(tensor, grad, set())
            if _post_hooks_registered and getattr(tensor, "_post_accumulate_hooks", None):
                accumulated[id(tensor)] = tensor
    _run_post_accumulate_hooks(accumulated)


def _capture_map(inputs: tuple) -> dict[int, int]:
    capture = {}
    for slot, tensor in enumerate(inputs):
        if not tensor.requires_grad:
            raise RuntimeError(f"grad: input {slot} does not require grad")
        capture[id(tensor._ctx if tensor._ctx is not None else tensor)] = slot
    return capture


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of outputs with respect to inputs, returned rather than added to `.grad`.

    Example:
        >>> x = wright.tensor([1.0, 2.0], requires_grad=True)
        >>> wright.autograd.grad((x * x).sum(), x)
        (tensor([2., 4.]),)
    """
    _check_first_order(create_graph)
    outputs, wanted = _as_tuple(outputs), _as_tuple(inputs)
    grads = _root_gradients(outputs, _as_tuple(grad_outputs))
    found = run_backward(outputs, grads, bool(retain_graph), _capture_map(wanted))
    result = []
    for slot, (tensor, value) in enumerate(zip(wanted, found)):
        if value is None:
            if materialize_grads:
                value = backend.array_module(tensor.array).zeros_like(tensor.array)
            elif not allow_unused:
                raise RuntimeError(
                    f"grad: input {slot} was not used to compute the outputs; pass "
                    "allow_unused=True to get None for it"
                )
        result.append(None if value is None else _make_tensor(value.copy()))
    return tuple(result)


# ----- grad modes -----


def is_grad_enabled() -> bool:
    """Return whether ops currently record the graph."""
    return _grad_state.enabled


def _set_mode(mode: bool) -> None:
    _grad_state.enabled = mode


class _GradMode(contextlib.ContextDecorator):
    """Set grad mode inside a `with` block, or for every call of a decorated function.

    Usable as `@no_grad()` and, as in PyTorch, as a bare `@no_grad` too.
    """

    mode: bool

    def __new__(cls, *args, **kwargs):
        if cls is not set_grad_enabled and len(args) == 1 and callable(args[0]) and not kwargs:
            return cls()(args[0])
        return super().__new__(cls)

    def __init__(self) -> None:
        # A stack rather than one slot: a decorated function that calls itself re-enters this
        # instance.
        self.previous: list[bool] = []

    def __enter__(self) -> None:
        self.previous.append(_grad_state.enabled)
        _set_mode(self.mode)

    def __exit__(self, *exc) -> None:
        _set_mode(self.previous.pop())

    def clone(self):
        return type(self)()


class no_grad(_GradMode):
    """Stop recording the graph, for evaluation and for updating weights:
    `with wright.no_grad(): ...`."""

    mode = False


class enable_grad(_GradMode):
    """Record the graph again inside a `no_grad` block."""

    mode = True


class inference_mode(_GradMode):
    """Like `no_grad` (wright has no separate inference tensors): `with wright.inference_mode():`."""

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self.mode = not mode
        self.inference: list[bool] = []

    def __enter__(self) -> None:
        super().__enter__()
        self.inference.append(_grad_state.inference)
        _grad_state.inference = not self.mode

    def __exit__(self, *exc) -> None:
        _grad_state.inference = self.inference.pop()
        super().__exit__(*exc)


def is_inference_mode_enabled() -> bool:
    """Whether code runs inside an enabled `inference_mode` block."""
    return _grad_state.inference


class set_grad_enabled(_GradMode):
    """Turn graph recording on or off: at once when called, restored at the end of a `with` block
    (or around each call of a decorated function)."""

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self.mode = bool(mode)
        # As in PyTorch, calling it sets the mode straight away; the block restores the old one.
        self.before = _grad_state.enabled
        self.switched = True
        _set_mode(self.mode)

    def __call__(self, function):
        # Used as a decorator: undo the immediate switch; the mode applies inside calls only.
        _set_mode(self.before)
        self.switched = False
        return super().__call__(function)

    def __enter__(self) -> None:
        self.previous.append(self.before if self.switched else _grad_state.enabled)
        self.switched = False
        _set_mode(self.mode)

    def clone(self):
        return set_grad_enabled(self.mode)


# ----- gradcheck -----


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
    inputs = list(inputs) if isinstance(inputs, list | tuple) else [inputs]
    for t in inputs:
        if getattr(t, "requires_grad", False) and t.array.dtype != np.float64:
            raise ValueError(
                f"gradcheck: inputs must be float64 for accurate differences, got {t.dtype}"
            )
    out = fn(*inputs)
    host_weights = np.random.default_rng(seed).standard_normal(out.shape)
    weights = backend.array_like(host_weights, out.array)

    def scalar_loss() -> float:
        with no_grad():
            return float((fn(*inputs).array * weights).sum())

    for t in inputs:
        t.grad = None
    out.backward(weights.astype(out.array.dtype))
    for index, t in enumerate(inputs):
        if not getattr(t, "requires_grad", False):
            continue
        analytic = np.zeros(t.array.shape) if t.grad is None else backend.to_numpy(t.grad.array)
        numeric = np.zeros(t.array.shape)
        # Index the array itself: a reshaped view of a non-contiguous input would be a copy.
        for i in np.ndindex(t.array.shape):
            # A Python number: indexing a device array gives a view, which the writes would change.
            original = t.array[i].item()
            t.array[i] = original + eps
            plus = scalar_loss()
            t.array[i] = original - eps
            minus = scalar_loss()
            t.array[i] = original
            numeric[i] = (plus - minus) / (2 * eps)
        if not np.allclose(analytic, numeric, atol=atol, rtol=rtol):
            worst = np.unravel_index(np.argmax(np.abs(analytic - numeric)), numeric.shape)
            raise GradcheckError(
                f"gradcheck: input {index} of shape {t.array.shape}: analytic {analytic[worst]} vs "
                f"numeric {numeric[worst]} at index {tuple(int(i) for i in worst)}"
            )
    return True
