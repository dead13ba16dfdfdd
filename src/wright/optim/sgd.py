"""Stochastic gradient descent: step each weight a little way down its gradient."""

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
)
from wright.tensor import _from_array


class SGD(Optimizer):
    """Gradient descent on minibatches, with optional momentum, Nesterov momentum and weight decay.

    For each parameter p with gradient g (-g when maximizing), each step:

        g <- g + weight_decay * p
        b <- g at the first step, then b <- momentum * b + (1 - dampening) * g
        g <- g + momentum * b  if nesterov, else  g <- b          (when momentum != 0)
        p <- p - lr * g

    Args:
        params: the tensors to optimize, or dicts defining parameter groups.
        lr: learning rate.
        momentum: momentum factor (0 turns momentum off).
        dampening: scales down the gradient's share of the momentum buffer.
        weight_decay: L2 penalty added to the gradient.
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening 0).
        maximize: climb the objective instead of descending it.
        foreach, fused: accepted for PyTorch compatibility; every update runs vectorised anyway.
        differentiable: must be False (wright's autograd is first-order).

    Example:
        >>> model = nn.Linear(3, 1)
        >>> x, y = wright.randn(8, 3), wright.randn(8, 1)
        >>> optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> for _ in range(5):
        ...     loss = nn.functional.mse_loss(model(x), y)
        ...     optimizer.zero_grad()
        ...     loss.backward()
        ...     optimizer.step()
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        _check_hyperparameters("SGD", lr=lr, momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(
                f"SGD: Nesterov momentum needs momentum > 0 and dampening 0, got momentum="
                f"{momentum}, dampening={dampening}"
            )
        _check_flags("SGD", foreach=foreach, fused=fused, differentiable=differentiable)
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable | None = None):
        """Update every parameter that has a gradient; returns the closure's loss (if given)."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, decay = _scalar(group["lr"]), group["weight_decay"]
            momentum, dampening = group["momentum"], group["dampening"]
            for param, grad in _gradients(group):
                if decay != 0:
                    grad = grad + decay * param.array
                if momentum != 0:
                    state = self.state[param]
                    buffer = state.get("momentum_buffer")
                    if buffer is None:
                        buffer = state["momentum_buffer"] = _from_array(np.array(grad))
                    else:
                        buffer.array *= momentum
                        buffer.array += (1 - dampening) * grad
                    grad = grad + momentum * buffer.array if group["nesterov"] else buffer.array
                param.array -= lr * grad
        return loss
