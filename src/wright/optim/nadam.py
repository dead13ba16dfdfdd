"""NAdam: Adam with Nesterov momentum, looking one step ahead along the running average."""

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


class NAdam(Optimizer):
    """Nesterov-accelerated Adam (Dozat, 2016), as PyTorch computes it.

    For each parameter p with gradient g (-g when maximizing), at step t, with
    mu_t = beta1 (1 - 0.96^(t momentum_decay) / 2) and P_t = mu_1 ... mu_t:

        g <- g + weight_decay * p   (or p <- p (1 - lr weight_decay) if decoupled_weight_decay)
        m <- beta1 m + (1 - beta1) g            v <- beta2 v + (1 - beta2) g^2
        s <- sqrt(v / (1 - beta2^t)) + eps
        p <- p - lr (1 - mu_t) / (1 - P_t) g / s - lr mu_(t+1) / (1 - P_t mu_(t+1)) m / s

    Args:
        params: the tensors to optimize, or dicts defining parameter groups.
        lr: learning rate.
        betas: decay rates of the running averages of g and g^2.
        eps: added to the denominator for numerical stability.
        weight_decay: L2 penalty (added to the gradient, or decoupled as in AdamW).
        momentum_decay: how fast mu_t rises towards beta1.
        decoupled_weight_decay: shrink the weights directly instead of adding to the gradient.
        foreach: accepted for PyTorch compatibility.
        maximize: climb the objective instead of descending it.
        capturable, differentiable: must be False (CUDA graphs; first-order autograd).

    Example:
        >>> model = nn.Linear(4, 2)
        >>> optimizer = optim.NAdam(model.parameters(), lr=2e-3)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_hyperparameters("NAdam", lr=lr, eps=eps)
        _check_betas("NAdam", betas)
        _check_hyperparameters("NAdam", weight_decay=weight_decay, momentum_decay=momentum_decay)
        _check_flags("NAdam", foreach=foreach, capturable=capturable, differentiable=differentiable)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable | None = None):
        """Update every parameter that has a gradient; returns the closure's loss (if given)."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, (beta1, beta2) = _scalar(group["lr"]), group["betas"]
            eps, decay, momentum_decay = (
                group["eps"],
                group["weight_decay"],
                group["momentum_decay"],
            )
            for param, grad in _gradients(group):
                state = self.state[param]
                if not state:
                    state["step"] = _step_tensor()
                    state["mu_product"] = _step_tensor(1.0)
                    state["exp_avg"] = _zeros_like(param)
                    state["exp_avg_sq"] = _zeros_like(param)
                state["step"].array += 1
                step = float(state["step"].array)
                if decay != 0:
                    if group["decoupled_weight_decay"]:
                        param.array *= 1 - lr * decay
                    else:
                        grad = grad + decay * param.array
                mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
                # The product of the mu's lives in a scalar of the default dtype, as in PyTorch,
                # and is rounded to it at every step.
                state["mu_product"].array *= mu
                mu_product = float(state["mu_product"].array)
                exp_avg, exp_avg_sq = state["exp_avg"].array, state["exp_avg_sq"].array
                _lerp_(exp_avg, grad, 1 - beta1)
                exp_avg_sq *= beta2
                exp_avg_sq += (1 - beta2) * grad * grad
                denominator = np.sqrt(exp_avg_sq / (1 - beta2**step))
                denominator += eps
                param.array += (-lr * (1.0 - mu) / (1.0 - mu_product)) * (grad / denominator)
                param.array += (-lr * mu_next / (1.0 - mu_product * mu_next)) * (
                    exp_avg / denominator
                )
        return loss
