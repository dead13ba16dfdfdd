"""Adam and AdamW: per-weight step sizes from running averages of the gradient and its square."""

from __future__ import annotations

import math

import numpy as np

from wright.optim.optimizer import Optimizer


class Adam(Optimizer):
    """Adaptive moment estimation (Kingma and Ba, 2015).

    For each parameter p with gradient g, at step t:

        m <- beta1 m + (1 - beta1) g            v <- beta2 v + (1 - beta2) g^2
        p <- p - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)

    `weight_decay` adds weight_decay * p to g (L2 penalty); AdamW decays the weights directly
    instead.
    """

    decoupled = False

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        if lr < 0 or eps < 0 or not (0 <= betas[0] < 1 and 0 <= betas[1] < 1):
            raise ValueError(f"{type(self).__name__}: invalid lr={lr}, betas={betas} or eps={eps}")
        super().__init__(
            params, {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay}
        )

    def update(self, param, grad, state, group) -> None:
        lr, (beta1, beta2), decay = group["lr"], group["betas"], group["weight_decay"]
        if decay and self.decoupled:
            param.array *= 1 - lr * decay
        elif decay:
            grad = grad + decay * param.array
        if "exp_avg" not in state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param.array)
            state["exp_avg_sq"] = np.zeros_like(param.array)
        state["step"] += 1
        m, v, t = state["exp_avg"], state["exp_avg_sq"], state["step"]
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * grad * grad
        step_size = lr / (1 - beta1**t)
        denominator = np.sqrt(v)
        denominator /= math.sqrt(1 - beta2**t)
        denominator += group["eps"]
        param.array -= step_size * m / denominator


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter): p <- p (1 - lr wd) before the Adam
    step."""

    decoupled = True

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)
