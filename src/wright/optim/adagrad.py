"""Adagrad: per-weight step sizes that shrink with the sum of all squared gradients seen."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from wright.optim.optimizer import (
    Optimizer,
    _check_flags,
    _check_hyperparameters,
    _evaluate,
    _gradients,
    _scalar,
    _step_tensor,
)
from wright.tensor import _from_array


class Adagrad(Optimizer):
    """Adaptive gradient (Duchi et al., 2011), as PyTorch computes it.

    For each parameter p with gradient g (-g when maximizing), at step t:

        g <- g + weight_decay * p
        s <- s + g^2                                  (s starts at initial_accumulator_value)
        p <- p - lr / (1 + (t - 1) lr_decay) * g / (sqrt(s) + eps)

    Args:
        params: the tensors to optimize, or dicts defining parameter groups.
        lr: learning rate.
        lr_decay: decay of the learning rate with the step count.
        weight_decay: L2 penalty added to the gradient.
        initial_accumulator_value: starting value of the sum of squares.
        eps: added to the denominator for numerical stability.
        foreach, fused: accepted for PyTorch compatibility.
        maximize: climb the objective instead of descending it.
        differentiable: must be False (wright's autograd is first-order).

    Example:
        >>> model = nn.Linear(4, 2)
        >>> optimizer = optim.Adagrad(model.parameters(), lr=0.01)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        _check_hyperparameters(
            "Adagrad",
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        _check_flags("Adagrad", foreach=foreach, fused=fused, differentiable=differentiable)
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        # As in PyTorch, the state exists from the start (it shows in state_dict before a step).
        for group in self.param_groups:
            for param in group["params"]:
                state = self.state[param]
                state["step"] = _step_tensor()
                start = group["initial_accumulator_value"]
                state["sum"] = _from_array(np.full_like(param.array, start))

    def step(self, closure: Callable | None = None):
        """Update every parameter that has a gradient; returns the closure's loss (if given)."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, decay, lr_decay = _scalar(group["lr"]), group["weight_decay"], group["lr_decay"]
            for param, grad in _gradients(group):
                state = self.state[param]
                state["step"].array += 1
                step = float(state["step"].array)
                if decay != 0:
                    grad = grad + decay * param.array
                clr = lr / (1 + (step - 1) * lr_decay)
                total = state["sum"].array
                total += grad * grad
                denominator = np.sqrt(total)
                denominator += group["eps"]
                param.array -= clr * (grad / denominator)
        return loss
