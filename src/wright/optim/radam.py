"""RAdam: Adam whose adaptive step is switched on gradually, as the variance estimate firms up."""

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


class RAdam(Optimizer):
    """Rectified Adam (Liu et al., 2020), as PyTorch computes it.

    For each parameter p with gradient g (-g when maximizing), at step t, with
    rho_inf = 2 / (1 - beta2) - 1 and rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t):

        g <- g + weight_decay * p   (or p <- p (1 - lr weight_decay) if decoupled_weight_decay)
        m <- beta1 m + (1 - beta1) g            v <- beta2 v + (1 - beta2) g^2
        m^ <- m / (1 - beta1^t)
        p <- p - lr m^ sqrt(1 - beta2^t) / (sqrt(v) + eps) r_t    if rho_t > 5, with
             r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
        p <- p - lr m^                                            otherwise

    Args:
        params: the tensors to optimize, or dicts defining parameter groups.
        lr: learning rate.
        betas: decay rates of the running averages of g and g^2.
        eps: added to the denominator for numerical stability.
        weight_decay: L2 penalty (added to the gradient, or decoupled as in AdamW).
        decoupled_weight_decay: shrink the weights directly instead of adding to the gradient.
        foreach: accepted for PyTorch compatibility.
        maximize: climb the objective instead of descending it.
        capturable, differentiable: must be False (CUDA graphs; first-order autograd).

    Example:
        >>> model = nn.Linear(4, 2)
        >>> optimizer = optim.RAdam(model.parameters(), lr=1e-3)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_hyperparameters("RAdam", lr=lr, eps=eps)
        _check_betas("RAdam", betas)
        _check_hyperparameters("RAdam", weight_decay=weight_decay)
        _check_flags("RAdam", foreach=foreach, capturable=capturable, differentiable=differentiable)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable | None = None):
        """Update every parameter that has a gradient; returns the closure's loss (if given)."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, (beta1, beta2) = _scalar(group["lr"]), group["betas"]
            eps, decay = group["eps"], group["weight_decay"]
            rho_inf = 2 / (1 - beta2) - 1
            for param, grad in _gradients(group):
                state = self.state[param]
                if not state:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _zeros_like(param)
                    state["exp_avg_sq"] = _zeros_like(param)
                state["step"].array += 1
                step = float(state["step"].array)
                if decay != 0:
                    if group["decoupled_weight_decay"]:
                        param.array *= 1 - lr * decay
                    else:
                        grad = grad + decay * param.array
                exp_avg, exp_avg_sq = state["exp_avg"].array, state["exp_avg_sq"].array
                _lerp_(exp_avg, grad, 1 - beta1)
                exp_avg_sq *= beta2
                exp_avg_sq += (1 - beta2) * grad * grad
                bias_correction2 = 1 - beta2**step
                corrected = exp_avg / (1 - beta1**step)
                rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
                if rho_t > 5.0:
                    rectification = (
                        (rho_t - 4)
                        * (rho_t - 2)
                        * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                    ) ** 0.5
                    root = np.sqrt(exp_avg_sq)
                    root += eps
                    adaptive = bias_correction2**0.5 / root
                    param.array -= corrected * lr * adaptive * rectification
                else:
                    param.array -= corrected * lr
        return loss
