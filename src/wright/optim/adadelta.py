"""Adadelta: steps scaled by the ratio of running RMS of past updates to that of gradients."""

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
    _zeros_like,
)


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), as PyTorch computes it.

    For each parameter p with gradient g (-g when maximizing), each step:

        g <- g + weight_decay * p
        v <- rho v + (1 - rho) g^2
        d <- sqrt(u + eps) / sqrt(v + eps) * g
        u <- rho u + (1 - rho) d^2
        p <- p - lr d

    Args:
        params: the tensors to optimize, or dicts defining parameter groups.
        lr: scales the update (1.0 is the algorithm as published).
        rho: decay rate of the running averages.
        eps: added inside the square roots for numerical stability.
        weight_decay: L2 penalty added to the gradient.
        foreach: accepted for PyTorch compatibility.
        maximize: climb the objective instead of descending it.
        capturable, differentiable: must be False (CUDA graphs; first-order autograd).

    Example:
        >>> model = nn.Linear(4, 2)
        >>> optimizer = optim.Adadelta(model.parameters())
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_hyperparameters("Adadelta", lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Adadelta: invalid rho={rho}, expected a value in [0, 1]")
        _check_hyperparameters("Adadelta", eps=eps, weight_decay=weight_decay)
        _check_flags(
            "Adadelta", foreach=foreach, capturable=capturable, differentiable=differentiable
        )
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable | None = None):
        """Update every parameter that has a gradient; returns the closure's loss (if given)."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, rho, eps = _scalar(group["lr"]), group["rho"], group["eps"]
            decay = group["weight_decay"]
            for param, grad in _gradients(group):
                state = self.state[param]
                if not state:
                    state["step"] = _step_tensor()
                    state["square_avg"] = _zeros_like(param)
                    state["acc_delta"] = _zeros_like(param)
                state["step"].array += 1
                if decay != 0:
                    grad = grad + decay * param.array
                square_avg, acc_delta = state["square_avg"].array, state["acc_delta"].array
                square_avg *= rho
                square_avg += (1 - rho) * grad * grad
                delta = np.sqrt(acc_delta + eps)
                delta /= np.sqrt(square_avg + eps)
                delta *= grad
                acc_delta *= rho
                acc_delta += (1 - rho) * delta * delta
                param.array -= lr * delta
        return loss
