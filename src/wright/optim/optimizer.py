"""Optimizer base: parameter groups with their hyperparameters, per-parameter state, zero_grad,
step hooks and state dicts in PyTorch's layout."""

from __future__ import annotations

import copy
import functools
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import Any

import numpy as np

from wright import backend, dtypes
from wright.autograd import enable_grad
from wright.tensor import Tensor, _from_array, _RemovableHook


class _RequiredParameter:
    """The default of a hyperparameter that every parameter group must set itself."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _with_step_hooks(step: Callable) -> Callable:
    """Wrap a subclass's `step` so that registered pre- and post-hooks run around it once."""

    @functools.wraps(step)
    def hooked_step(self, *args, **kwargs):
        # An override that calls super().step() reaches a second wrapper: run the hooks only in
        # the outermost one.
        if getattr(self, "_inside_step", False):
            return step(self, *args, **kwargs)
        self._inside_step = True
        try:
            for hook in list(getattr(self, "_step_pre_hooks", ())):
                changed = hook(self, args, kwargs)
                if changed is not None:
                    if not (isinstance(changed, tuple) and len(changed) == 2):
                        raise RuntimeError(
                            f"{type(self).__name__}.step: a pre-hook must return None or a tuple "
                            f"(new_args, new_kwargs), got {changed!r}"
                        )
                    args, kwargs = changed
            result = step(self, *args, **kwargs)
            self._opt_called = True
            for hook in list(getattr(self, "_step_post_hooks", ())):
                hook(self, args, kwargs)
            return result
        finally:
            self._inside_step = False

    return hooked_step


class Optimizer:
    """Base class of optimizers: holds the parameters to update, grouped with their
    hyperparameters, and the state each update rule keeps between steps.

    Subclasses define `step(closure=None)`; parameter groups, `zero_grad`, `state_dict` and
    `load_state_dict` come from here.

    Args:
        params: an iterable of tensors; or of `(name, tensor)` pairs (`model.named_parameters()`,
            the names are kept in the state dict); or of dicts `{"params": ..., "lr": ...}`, one
            per group with its own hyperparameters.
        defaults: hyperparameters used where a group does not set its own.

    Attributes:
        param_groups: list of dicts, each with "params" (a list of tensors) and every
            hyperparameter; writable (learning-rate schedules change "lr" here).
        state: per-parameter dict of the update rule's buffers, keyed by the parameter tensor.
        defaults: the hyperparameters given to the constructor.
    """

    def __init__(self, params: Iterable, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._step_pre_hooks: list[Callable] = []
        self._step_post_hooks: list[Callable] = []
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of Tensors or dicts, "
                "got a single Tensor (wrap it in a list)"
            )
        self.state: defaultdict[Tensor, dict] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __getstate__(self) -> dict[str, Any]:
        # Hooks (often lambdas) are left out, as in PyTorch, so optimizers pickle and deep-copy.
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._step_pre_hooks = []
        self._step_post_hooks = []

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:
            cls.step = _with_step_hooks(cls.__dict__["step"])

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (e.g. a layer unfrozen during
        fine-tuning); hyperparameters it does not set take the optimizer's defaults."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{name}.add_param_group: expected a dict, got {type(param_group).__name__}"
            )
        params = param_group["params"]
        if isinstance(params, set):
            raise TypeError(
                f"{name}: parameters must be in an ordered collection such as a list, got a set "
                "(its order changes between runs)"
            )
        params = [params] if isinstance(params, Tensor) else list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        tensors = [p[1] if isinstance(p, tuple) else p for p in params]
        if names and len(names) != len(tensors):
            raise ValueError(f"{name}: either every parameter has a name or none has")
        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError(
                    f"{name}: can only optimize Tensors, but one of the params is "
                    f"{type(param).__name__}"
                )
            if not param.is_leaf:
                raise ValueError(
                    f"{name}: can't optimize a non-leaf Tensor (one computed by an op that records "
                    "the graph); optimize the leaf it comes from, or a detach()ed copy"
                )
        param_group["params"] = tensors
        if names:
            param_group["param_names"] = names
        for key, default in self.defaults.items():
            if default is required and key not in param_group:
                raise ValueError(
                    f"{name}: parameter group didn't specify a value of required optimization "
                    f"parameter {key}"
                )
            param_group.setdefault(key, default)
        ids = {id(p) for p in tensors}
        if len(ids) != len(tensors):
            warnings.warn(
                f"{name}: a parameter group holds the same parameter more than once",
                UserWarning,
                stacklevel=2,
            )
        for group in self.param_groups:
            if ("param_names" in group) != ("param_names" in param_group):
                raise ValueError(
                    f"{name}: all parameter groups must be given with names or all without; "
                    "cannot mix them"
                )
            if any(id(p) in ids for p in group["params"]):
                raise ValueError(f"{name}: some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of the last backward pass (they accumulate otherwise).

        Args:
            set_to_none: drop the gradients (`p.grad = None`, the default), or fill them with
                zeros in place. Optimizers skip parameters whose grad is None but step those
                with a zero gradient (momentum and weight decay still move them).
        """
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                else:
                    param.grad.detach_()
                    param.grad.fill_(0)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once from their gradients; subclasses define the rule.

        Args:
            closure: re-evaluates the model and returns the loss (needed by LBFGS, optional
                elsewhere); its loss is returned.
        """
        raise NotImplementedError(f"{type(self).__name__} must define step()")

    def register_step_pre_hook(self, hook: Callable) -> _RemovableHook:
        """Run `hook(optimizer, args, kwargs)` before each `step`; it may return new
        `(args, kwargs)`. Returns a handle whose `remove()` unregisters it."""
        self._step_pre_hooks.append(hook)
        return _RemovableHook(self._step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable) -> _RemovableHook:
        """Run `hook(optimizer, args, kwargs)` after each `step`. Returns a removable handle."""
        self._step_post_hooks.append(hook)
        return _RemovableHook(self._step_post_hooks, hook)

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state, with parameters referred to by position.

        Returns:
            `{"state": {index: {buffer name: value}}, "param_groups": [{hyperparameters...,
            "params": [indices]}]}`, PyTorch's layout. The buffers are the optimizer's own tensors
            (not copies); `wright.save` writes it to a file.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            start = len(index)
            for offset, param in enumerate(group["params"]):
                index.setdefault(id(param), start + offset)
            packed["params"] = [index[id(param)] for param in group["params"]]
            groups.append(packed)
        state = {
            (index[id(key)] if isinstance(key, Tensor) else key): value
            for key, value in self.state.items()
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and buffers saved by `state_dict`.

        The saved groups must have as many parameters as this optimizer's, in the same order.
        Floating-point buffers are copied and cast to their parameter's dtype (the step count
        keeps its own dtype).
        """
        name = type(self).__name__
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{name}.load_state_dict: the state dict has {len(saved_groups)} parameter "
                f"groups, this optimizer {len(self.param_groups)}"
            )
        for i, (saved, own) in enumerate(zip(saved_groups, self.param_groups, strict=True)):
            if len(saved["params"]) != len(own["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: parameter group {i} of the state dict has "
                    f"{len(saved['params'])} parameters, this optimizer's has "
                    f"{len(own['params'])}"
                )
        by_id = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in self.param_groups),
                strict=True,
            )
        )
        state: defaultdict[Any, dict] = defaultdict(dict)
        for key, values in state_dict["state"].items():
            param = by_id.get(key)
            if param is None:
                state[key] = values
            else:
                state[param] = {k: _restore(param, v, k) for k, v in values.items()}
        for saved, own in zip(saved_groups, self.param_groups, strict=True):
            saved["params"] = own["params"]
            if "param_names" in own and "param_names" not in saved:
                saved["param_names"] = own["param_names"]
        self.state = state
        self.param_groups = saved_groups

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"


def _restore(param: Tensor, value, key=None):
    """A private copy of one saved buffer, ready for in-place updates: tensors (and arrays) are
    copied, floating ones cast to the parameter's dtype; a step count stays a scalar tensor of
    its own dtype."""
    if isinstance(value, Tensor) or backend.is_array(value):
        array = value.array if isinstance(value, Tensor) else value
        if key == "step":
            # Step counts stay on the host, as PyTorch keeps them.
            return _from_array(np.array(backend.to_numpy(array)))
        array = backend.to_device(array, param.device)
        if array.dtype.kind == "f" and param.array.dtype.kind == "f":
            return _from_array(array.astype(param.array.dtype))
        return _from_array(array.copy())
    if key == "step" and isinstance(value, int | float) and not isinstance(value, bool):
        # Checkpoints from older wright versions kept the step count as a plain number.
        return _step_tensor(value)
    if isinstance(value, dict):
        return {k: _restore(param, v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_restore(param, v) for v in value)
    return value


# ----- helpers shared by the update rules -----


def _step_tensor(value: float = 0.0) -> Tensor:
    """A 0-d tensor counting steps, float32 (float64 when that is the default dtype), as PyTorch
    keeps it."""
    return _from_array(np.array(value, dtype=dtypes.default_float_numpy()))


def _zeros_like(param: Tensor) -> Tensor:
    """A zero buffer with the parameter's shape and dtype."""
    return _from_array(backend.array_module(param.array).zeros_like(param.array))


def _evaluate(closure: Callable[[], Any] | None) -> Any:
    """The closure's loss, computed with the graph recorded (optimizers may run under no_grad)."""
    if closure is None:
        return None
    with enable_grad():
        return closure()


def _gradients(group: dict[str, Any]) -> Iterator[tuple[Tensor, np.ndarray]]:
    """Yield (parameter, gradient array) for each parameter of the group that has a gradient; the
    gradient is negated when the group maximizes.

    The caller updates the parameter's array in place; when it asks for the next one, the
    parameter's version is bumped, so a graph that saved the old weights raises at backward.
    """
    maximize = group.get("maximize", False)
    for param in group["params"]:
        if param.grad is None:
            continue
        grad = param.grad.array
        yield param, -grad if maximize else grad
        param._version_counter[0] += 1


def _lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """start += weight * (end - start), in place, with the two-sided form PyTorch's lerp uses
    (from `end` when weight >= 0.5) so the roundings match."""
    if abs(weight) < 0.5:
        difference = end - start
        difference *= weight
        start += difference
    else:
        difference = end - start
        difference *= 1 - start.dtype.type(weight)
        backend.array_module(start).subtract(end, difference, out=start)


def _scalar(value) -> float:
    """A hyperparameter as a Python number (PyTorch allows 1-element tensors for lr)."""
    return value.item() if isinstance(value, Tensor) else value


def _check_hyperparameters(name: str, **values) -> None:
    """Raise ValueError for a negative hyperparameter (each must be >= 0)."""
    for key, value in values.items():
        if not 0.0 <= _scalar(value):
            raise ValueError(f"{name}: invalid {key}={value}, expected a value >= 0")


def _check_betas(name: str, betas) -> None:
    for i, beta in enumerate(betas):
        if not 0.0 <= _scalar(beta) < 1.0:
            raise ValueError(
                f"{name}: invalid beta parameter at index {i}: {beta}, expected [0, 1)"
            )


def _check_flags(
    name: str,
    *,
    foreach: bool | None = None,
    fused: bool | None = None,
    capturable: bool = False,
    differentiable: bool = False,
) -> None:
    """Accept the implementation flags that change nothing here (foreach, fused: every update
    runs as vectorised NumPy); refuse those that would change what a step means."""
    if fused and foreach:
        raise RuntimeError(f"{name}: `fused` and `foreach` cannot be `True` together")
    if differentiable:
        raise RuntimeError(
            f"{name}: differentiable=True is not supported; wright's autograd is first-order, "
            "so gradients cannot flow through an optimizer step"
        )
    if capturable:
        raise RuntimeError(
            f"{name}: capturable=True needs CUDA graphs; wright computes on the CPU "
            "(leave capturable=False)"
        )
