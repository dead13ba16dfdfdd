"""Adamax: Adam with the running RMS of gradients replaced by a running maximum of |g|."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from wright.optim.optimizer import (
    Optimizer,
    _check_betas,
    _check_flags,
    _check_hyperparameters,
    _evaluate,
    _gradients,
    _lerp_,
    _scalar,
    _step_tensor,
    _zeros_like,
)


class Adamax(Optimizer):
    """Adamax, the infinity-norm variant of Adam (Kingma and Ba, 2015), as PyTorch computes it.

    For each parameter p with gradient g (-g when maximizing), at step t:

        g <- g + weight_decay * p
        m <- beta1 m + (1 - beta1) g
        u <- max(beta2 u, |g| + eps)
        p <- p - lr / (1 - beta1^t) * m / u

    Args:
        params: the tensors to optimize, or dicts defining parameter groups.
        lr: learning rate.
        betas: decay rates of the running average of g and of the running maximum.
        eps: added to |g| for numerical stability.
        weight_decay: L2 penalty added to the gradient.
        foreach: accepted for PyTorch compatibility.
        maximize: climb the objective instead of descending it.
        differentiable, capturable: must be False (first-order autograd; CUDA graphs).

    Example:
        >>> model = nn.Linear(4, 2)
        >>> optimizer = optim.Adamax(model.parameters(), lr=2e-3)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check_hyperparameters("Adamax", lr=lr, eps=eps)
        _check_betas("Adamax", betas)
        _check_hyperparameters("Adamax", weight_decay=weight_decay)
        _check_flags(
            "Adamax", foreach=foreach, capturable=capturable, differentiable=differentiable
        )
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable | None = None):
        """Update every parameter that has a gradient; returns the closure's loss (if given)."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, (beta1, beta2) = _scalar(group["lr"]), group["betas"]
            eps, decay = group["eps"], group["weight_decay"]
            for param, grad in _gradients(group):
                state = self.state[param]
                if not state:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _zeros_like(param)
                    state["exp_inf"] = _zeros_like(param)
                state["step"].array += 1
                if decay != 0:
                    grad = grad + decay * param.array
                exp_avg, exp_inf = state["exp_avg"].array, state["exp_inf"].array
                _lerp_(exp_avg, grad, 1 - beta1)
                exp_inf *= beta2
                bound = np.abs(grad)
                bound += eps
                np.maximum(exp_inf, bound, out=exp_inf)
                clr = lr / (1 - beta1 ** float(state["step"].array))
                param.array -= clr * (exp_avg / exp_inf)
        return loss
