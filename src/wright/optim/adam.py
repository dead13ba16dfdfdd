"""Adam and AdamW: per-weight step sizes from running averages of the gradient and its square."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from wright.backend import array_module
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


class Adam(Optimizer):
    """Adaptive moment estimation (Kingma and Ba, 2015), as PyTorch computes it.

    For each parameter p with gradient g (-g when maximizing), at step t:

        g <- g + weight_decay * p      (or p <- p (1 - lr weight_decay) if decoupled_weight_decay)
        m <- beta1 m + (1 - beta1) g            v <- beta2 v + (1 - beta2) g^2
        v_max <- max(v_max, v)  and v_max replaces v below    (amsgrad)
        p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    Args:
        params: the tensors to optimize, or dicts defining parameter groups.
        lr: learning rate.
        betas: decay rates of the running averages of g and g^2.
        eps: added to the denominator for numerical stability.
        weight_decay: L2 penalty (added to the gradient, or decoupled as in AdamW).
        amsgrad: use the largest v seen so far (Reddi et al., 2018).
        maximize: climb the objective instead of descending it.
        decoupled_weight_decay: shrink the weights directly instead (this makes it AdamW).
        foreach, fused: accepted for PyTorch compatibility; every update runs vectorised anyway.
        capturable, differentiable: must be False (CUDA graphs; first-order autograd).

    Example:
        >>> model = nn.Linear(4, 2)
        >>> optimizer = optim.Adam(model.parameters(), lr=1e-3)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        name = type(self).__name__
        _check_hyperparameters(name, lr=lr, eps=eps)
        _check_betas(name, betas)
        _check_hyperparameters(name, weight_decay=weight_decay)
        _check_flags(
            name,
            foreach=foreach,
            fused=fused,
            capturable=capturable,
            differentiable=differentiable,
        )
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable | None = None):
        """Update every parameter that has a gradient; returns the closure's loss (if given)."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, (beta1, beta2) = _scalar(group["lr"]), group["betas"]
            decay, eps, amsgrad = group["weight_decay"], group["eps"], group["amsgrad"]
            for param, grad in _gradients(group):
                xp = array_module(grad)
                state = self.state[param]
                if not state:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _zeros_like(param)
                    state["exp_avg_sq"] = _zeros_like(param)
                    if amsgrad:
                        state["max_exp_avg_sq"] = _zeros_like(param)
                state["step"].array += 1
                if decay != 0:
                    if group["decoupled_weight_decay"]:
                        param.array *= 1 - lr * decay
                    else:
                        grad = grad + decay * param.array
                exp_avg, exp_avg_sq = state["exp_avg"].array, state["exp_avg_sq"].array
                _lerp_(exp_avg, grad, 1 - beta1)
                exp_avg_sq *= beta2
                # In place where the roundings allow: each temporary is a parameter-sized array.
                squared = grad * (1 - beta2)
                squared *= grad
                exp_avg_sq += squared
                step = float(state["step"].array)
                step_size = lr / (1 - beta1**step)
                if amsgrad:
                    largest = state["max_exp_avg_sq"].array
                    xp.maximum(largest, exp_avg_sq, out=largest)
                    exp_avg_sq = largest
                # out=: an array even for a 0-d parameter (the division below writes into it)
                denominator = xp.sqrt(exp_avg_sq, out=xp.empty_like(exp_avg_sq))
                denominator /= (1 - beta2**step) ** 0.5
                denominator += eps
                update = xp.divide(exp_avg, denominator, out=denominator)
                update *= step_size
                param.array -= update
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019): each step first shrinks the
    weights, p <- p (1 - lr weight_decay), then takes the Adam step without the penalty in g.

    Takes Adam's arguments (with weight_decay defaulting to 0.01); see `Adam`.

    Example:
        >>> model = nn.Linear(4, 2)
        >>> optimizer = optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a state dict; the groups keep decoupled weight decay (what makes this AdamW)."""
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
