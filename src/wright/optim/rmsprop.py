"""RMSprop: divide each step by a running root-mean-square of recent gradients."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from wright.optim.optimizer import (
    Optimizer,
    _check_flags,
    _check_hyperparameters,
    _evaluate,
    _gradients,
    _lerp_,
    _scalar,
    _step_tensor,
    _zeros_like,
)


class RMSprop(Optimizer):
    """Root-mean-square propagation (Hinton's lecture notes), as PyTorch computes it.

    For each parameter p with gradient g (-g when maximizing), each step:

        g <- g + weight_decay * p
        v <- alpha v + (1 - alpha) g^2
        s <- sqrt(v - a^2) + eps  with a <- alpha a + (1 - alpha) g  (centered),
             else  s <- sqrt(v) + eps
        b <- momentum b + g / s;  p <- p - lr b       (momentum > 0)
        p <- p - lr g / s                             (otherwise)

    Args:
        params: the tensors to optimize, or dicts defining parameter groups.
        lr: learning rate.
        alpha: decay rate of the running average of g^2.
        eps: added to the denominator for numerical stability.
        weight_decay: L2 penalty added to the gradient.
        momentum: momentum factor.
        centered: divide by an estimate of the gradient's variance instead of its second moment.
        maximize: climb the objective instead of descending it.
        foreach: accepted for PyTorch compatibility.
        capturable, differentiable: must be False (CUDA graphs; first-order autograd).

    Example:
        >>> model = nn.Linear(4, 2)
        >>> optimizer = optim.RMSprop(model.parameters(), lr=1e-3)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_hyperparameters(
            "RMSprop", lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha
        )
        _check_flags(
            "RMSprop", foreach=foreach, capturable=capturable, differentiable=differentiable
        )
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable | None = None):
        """Update every parameter that has a gradient; returns the closure's loss (if given)."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, alpha, decay = _scalar(group["lr"]), group["alpha"], group["weight_decay"]
            momentum, centered = group["momentum"], group["centered"]
            for param, grad in _gradients(group):
                state = self.state[param]
                if not state:
                    state["step"] = _step_tensor()
                    state["square_avg"] = _zeros_like(param)
                    if momentum > 0:
                        state["momentum_buffer"] = _zeros_like(param)
                    if centered:
                        state["grad_avg"] = _zeros_like(param)
                state["step"].array += 1
                if decay != 0:
                    grad = grad + decay * param.array
                square_avg = state["square_avg"].array
                square_avg *= alpha
                square_avg += (1 - alpha) * grad * grad
                if centered:
                    grad_avg = state["grad_avg"].array
                    _lerp_(grad_avg, grad, 1 - alpha)
                    denominator = np.sqrt(square_avg - grad_avg * grad_avg)
                else:
                    denominator = np.sqrt(square_avg)
                denominator += group["eps"]
                if momentum > 0:
                    buffer = state["momentum_buffer"].array
                    buffer *= momentum
                    buffer += grad / denominator
                    param.array -= lr * buffer
                else:
                    param.array -= lr * (grad / denominator)
        return loss
