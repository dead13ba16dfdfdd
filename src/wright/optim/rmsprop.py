"""RMSprop: divide each step by a running root-mean-square of recent gradients."""

from __future__ import annotations

import numpy as np

from wright.optim.optimizer import Optimizer


class RMSprop(Optimizer):
    """Root-mean-square propagation (Hinton's lecture notes), as PyTorch computes it.

    v <- alpha v + (1 - alpha) g^2
    (centered) v~ <- v - avg_g^2, with avg_g a running mean of g
    b <- momentum b + g / (sqrt(v~) + eps);  p <- p - lr b      (momentum > 0)
    p <- p - lr g / (sqrt(v~) + eps)                             (otherwise)
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        if lr < 0 or eps < 0 or not 0 <= alpha <= 1:
            raise ValueError(f"RMSprop: invalid lr={lr}, alpha={alpha} or eps={eps}")
        super().__init__(
            params,
            {
                "lr": lr,
                "alpha": alpha,
                "eps": eps,
                "weight_decay": weight_decay,
                "momentum": momentum,
                "centered": centered,
            },
        )

    def update(self, param, grad, state, group) -> None:
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param.array
        if "square_avg" not in state:
            state["square_avg"] = np.zeros_like(param.array)
        alpha = group["alpha"]
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state.setdefault("grad_avg", np.zeros_like(param.array))
            grad_avg *= alpha
            grad_avg += (1 - alpha) * grad
            denominator = np.sqrt(square_avg - grad_avg * grad_avg) + group["eps"]
        else:
            denominator = np.sqrt(square_avg) + group["eps"]
        if group["momentum"]:
            buffer = state.setdefault("momentum_buffer", np.zeros_like(param.array))
            buffer *= group["momentum"]
            buffer += grad / denominator
            param.array -= group["lr"] * buffer
        else:
            param.array -= group["lr"] * grad / denominator
