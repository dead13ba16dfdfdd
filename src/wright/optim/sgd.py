"""Stochastic gradient descent: step each weight a little way down its gradient."""

from __future__ import annotations

import numpy as np

from wright.optim.optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent on minibatches, with optional momentum, Nesterov momentum and weight decay.

    The update for each parameter p with gradient g:

        g <- g + weight_decay * p
        b <- momentum * b + g           (b starts as g)
        g <- g + momentum * b  if nesterov, else  g <- b
        p <- p - lr * g

    Example:
        >>> optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> optimizer.zero_grad(); loss.backward(); optimizer.step()
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError(
                "SGD: lr, momentum and weight_decay must be >= 0, "
                f"got {lr}, {momentum}, {weight_decay}"
            )
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: nesterov needs momentum > 0 and dampening 0")
        super().__init__(
            params,
            {
                "lr": lr,
                "momentum": momentum,
                "dampening": dampening,
                "weight_decay": weight_decay,
                "nesterov": nesterov,
            },
        )

    def update(self, param, grad, state, group) -> None:
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param.array
        momentum = group["momentum"]
        if momentum:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = state["momentum_buffer"] = np.array(grad, dtype=param.dtype)
            else:
                buffer *= momentum
                buffer += (1 - group["dampening"]) * grad
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        param.array -= group["lr"] * grad
