"""Optimizer base: parameter groups with their hyperparameters, per-parameter state, zero_grad,
state dicts."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from wright.creation import as_tensor
from wright.tensor import Tensor


class Optimizer:
    """Holds the parameters to update and the state each update rule keeps between steps.

    Args:
        params: an iterable of parameters, or of dicts {"params": [...], "lr": ...} for groups with
            their own hyperparameters.
        defaults: hyperparameters used where a group does not set its own.
    """

    def __init__(self, params: Iterable, defaults: dict) -> None:
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(params[0], dict):
            params = [{"params": params}]
        self.defaults = defaults
        self.param_groups: list[dict] = []
        self.state: dict[Tensor, dict] = {}
        for group in params:
            self.add_param_group(group)

    def add_param_group(self, group: dict) -> None:
        """Add parameters with their own hyperparameters (e.g. a new layer during fine-tuning)."""
        group = dict(group)
        group["params"] = list(group["params"])
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        for param in group["params"]:
            if not isinstance(param, Tensor) or not param.requires_grad:
                raise ValueError(
                    f"{type(self).__name__}: can only optimize tensors that require grad, "
                    f"got {type(param).__name__}"
                )
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients from the last backward pass (they accumulate otherwise)."""
        for group in self.param_groups:
            for param in group["params"]:
                if set_to_none or param.grad is None:
                    param.grad = None
                else:
                    param.grad = as_tensor(np.zeros_like(param.array))

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is not None:
                    self.update(param, param.grad.array, self.state.setdefault(param, {}), group)

    def update(self, param: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        """Apply the update rule to one parameter in place; subclasses define it."""
        raise NotImplementedError

    def state_dict(self) -> dict:
        """Hyperparameters and per-parameter state, with parameters referred to by position."""
        index = {}
        groups = []
        for group in self.param_groups:
            saved = {k: v for k, v in group.items() if k != "params"}
            saved["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(saved)
        params = [p for group in self.param_groups for p in group["params"]]
        state = {index[id(p)]: dict(self.state[p]) for p in params if p in self.state}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore hyperparameters and state saved by `state_dict` (the same parameters, in the same
        order)."""
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups) or any(
            len(g["params"]) != len(own["params"]) for g, own in zip(groups, self.param_groups)
        ):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: the saved parameter groups do not match "
                "this optimizer's"
            )
        params = [p for group in self.param_groups for p in group["params"]]
        for saved, own in zip(groups, self.param_groups):
            own.update({k: v for k, v in saved.items() if k != "params"})
        self.state = {}
        for key, values in state_dict["state"].items():
            param = params[int(key)]
            self.state[param] = {name: _restore(v, param.dtype) for name, v in values.items()}

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines + [")"])


def _restore(value, dtype):
    """Make a saved state entry ready for in-place updates: arrays copied, numbers kept."""
    value = value.array if isinstance(value, Tensor) else value
    return np.array(value, dtype=dtype) if np.ndim(value) else value
