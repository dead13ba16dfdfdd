"""Module hooks: hook records and their handles, the hooks every module runs (global hooks), and the
graph nodes that hand full backward hooks the gradients of a module's inputs and outputs."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from wright.autograd import Function, is_grad_enabled
from wright.tensor import Tensor, _from_array, _RemovableHook


@dataclass(eq=False)
class Hook:
    """One registered hook with its options (compared by identity, so a handle removes its own)."""

    fn: Callable
    with_kwargs: bool = False
    always_call: bool = False


def add_hook(hooks: list[Hook], fn: Callable, prepend: bool = False, **options) -> _RemovableHook:
    """Register `fn` in `hooks` (first when `prepend`) and return its handle."""
    entry = Hook(fn, **options)
    if prepend:
        hooks.insert(0, entry)
    else:
        hooks.append(entry)
    return _RemovableHook(hooks, entry)


# Hooks that run for every module, before the module's own (PyTorch's global module hooks).
global_forward_pre_hooks: list[Hook] = []
global_forward_hooks: list[Hook] = []
global_backward_pre_hooks: list[Hook] = []
global_backward_hooks: list[Hook] = []


def any_global_hooks() -> bool:
    """Whether some global hook is registered (modules then take the slower path through hooks)."""
    return bool(
        global_forward_pre_hooks
        or global_forward_hooks
        or global_backward_pre_hooks
        or global_backward_hooks
    )


def register_module_forward_pre_hook(hook: Callable) -> _RemovableHook:
    """Call `hook(module, args)` before every module's forward; see
    `Module.register_forward_pre_hook`."""
    return add_hook(global_forward_pre_hooks, hook)


def register_module_forward_hook(
    hook: Callable, *, with_kwargs: bool = False, always_call: bool = False
) -> _RemovableHook:
    """Call `hook(module, args, output)` after every module's forward; see
    `Module.register_forward_hook`."""
    return add_hook(global_forward_hooks, hook, with_kwargs=with_kwargs, always_call=always_call)


def register_module_full_backward_pre_hook(hook: Callable) -> _RemovableHook:
    """Call `hook(module, grad_output)` for every module; see
    `Module.register_full_backward_pre_hook`."""
    return add_hook(global_backward_pre_hooks, hook)


def register_module_full_backward_hook(hook: Callable) -> _RemovableHook:
    """Call `hook(module, grad_input, grad_output)` for every module; see
    `Module.register_full_backward_hook`."""
    return add_hook(global_backward_hooks, hook)


# ----- full backward hooks -----
#
# A module's tensor inputs (and outputs) are passed on through one `_Gate` node and a `_Pass` node
# per tensor: each pass hands its gradient to the shared `BackwardHook` and sends a zero to the
# gate, so the gate's backward runs once, after every pass, with the gradients of all the tensors
# together. That is where the hooks run, and what they return is what flows on.


class _Gate(Function):
    def forward(self, *arrays, state, side):
        self.state, self.side = state, side
        return np.zeros(())

    def backward(self, grad):
        return self.state.gate_backward(self.side)


class _Pass(Function):
    def forward(self, token, array, state, side, slot):
        self.state, self.side, self.slot = state, side, slot
        return array.view()

    def backward(self, grad):
        self.state.arrive(self.side, self.slot, grad)
        return np.zeros(())


def _as_array(grad):
    return None if grad is None else getattr(grad, "array", grad)


def _as_tensor(grad):
    return None if grad is None else _from_array(grad)


class BackwardHook:
    """The gradients one call of a module needs for its full backward (pre-)hooks."""

    def __init__(self, module, hooks: list[Callable], pre_hooks: list[Callable]) -> None:
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.arrived: dict[str, dict[int, np.ndarray]] = {"input": {}, "output": {}}
        self.grad_outputs: tuple | None = None
        self.inputs: tuple = ()
        self.input_slots: list[int] | None = None
        self.outputs: tuple = ()
        self.output_slots: list[int] = []

    def _wrap(self, values: tuple, side: str) -> tuple[tuple, list[int] | None]:
        # Only tensors that require grad are passed through the gate: the others stay as they are
        # (so they still do not require grad), as PyTorch marks them non-differentiable.
        slots = [i for i, v in enumerate(values) if isinstance(v, Tensor) and v.requires_grad]
        if not slots or not is_grad_enabled():
            return values, None
        token = _Gate.apply(*(values[i] for i in slots), state=self, side=side)
        wrapped = list(values)
        for i in slots:
            passed = _Pass.apply(token, array=values[i].array, state=self, side=side, slot=i)
            # Same memory, so an in-place change of either is a change of both.
            passed._version_counter = values[i]._version_counter
            wrapped[i] = passed
        return tuple(wrapped), slots

    def setup_input_hook(self, args: tuple) -> tuple:
        """The module's positional arguments, with its tensors passed through the input gate."""
        self.inputs = args
        wrapped, self.input_slots = self._wrap(args, "input")
        return wrapped

    def setup_output_hook(self, result):
        """The module's output (a Tensor or a tuple), passed through the output gate."""
        if not isinstance(result, Tensor | tuple):
            warnings.warn(
                "For backward hooks to be called, module output should be a Tensor or a tuple of "
                f"Tensors but received {type(result)}",
                stacklevel=3,
            )
            return result
        single = isinstance(result, Tensor)
        values = (result,) if single else result
        self.outputs = values
        wrapped, slots = self._wrap(values, "output")
        self.output_slots = slots or []
        return wrapped[0] if single else wrapped

    def arrive(self, side: str, slot: int, grad: np.ndarray) -> None:
        """A pass's gradient (summed when a tensor is used more than once)."""
        found = self.arrived[side]
        found[slot] = grad if slot not in found else found[slot] + grad

    def gate_backward(self, side: str) -> tuple:
        """Run the hooks for one side; the gradients to send on, one per gated tensor."""
        found, self.arrived[side] = self.arrived[side], {}
        if side == "output":
            return self._outputs_done(found)
        return self._inputs_done(found)

    def _outputs_done(self, found: dict[int, np.ndarray]) -> tuple:
        grad_outputs = tuple(_as_tensor(found.get(i)) for i in range(len(self.outputs)))
        for hook in self.pre_hooks:
            replaced = hook(self.module, grad_outputs)
            if replaced is None:
                continue
            if len(replaced) != len(grad_outputs):
                raise RuntimeError(
                    "Backward pre hook returned an invalid number of grad_output, got "
                    f"{len(replaced)}, but expected {len(grad_outputs)}"
                )
            grad_outputs = tuple(replaced)
        self.grad_outputs = grad_outputs
        if self.input_slots is None:
            # No input requires grad, so no input gate will run: the hooks run here.
            grad_inputs = (None,) * len(self.inputs)
            for hook in self.hooks:
                answer = hook(self.module, grad_inputs, grad_outputs)
                if answer is not None and not all(g is None for g in answer):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires gradient should "
                        "always return None or None for all gradients."
                    )
            self.grad_outputs = None
        return tuple(_as_array(grad_outputs[i]) for i in self.output_slots)

    def _inputs_done(self, found: dict[int, np.ndarray]) -> tuple:
        slots = self.input_slots
        if self.grad_outputs is None:
            # The gradient reached the inputs without passing through the outputs.
            return tuple(found.get(i) for i in slots)
        grad_inputs = []
        for i, value in enumerate(self.inputs):
            if not isinstance(value, Tensor):
                grad_inputs.append(None)
            elif i in found:
                grad_inputs.append(_from_array(found[i]))
            else:
                # PyTorch hands the hooks zeros for tensors that got no gradient.
                grad_inputs.append(_from_array(np.zeros_like(value.array)))
        grad_inputs = tuple(grad_inputs)
        for hook in self.hooks:
            answer = hook(self.module, grad_inputs, self.grad_outputs)
            if answer is None:
                continue
            if len(answer) != len(grad_inputs):
                raise RuntimeError(
                    "Backward hook returned an invalid number of grad_input, got "
                    f"{len(answer)}, but expected {len(grad_inputs)}"
                )
            grad_inputs = tuple(answer)
        self.grad_outputs = None
        return tuple(_as_array(grad_inputs[i]) for i in slots)
