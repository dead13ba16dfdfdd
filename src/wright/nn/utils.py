"""Helpers used while training: gradient clipping."""

from __future__ import annotations

import math
from collections.abc import Iterable

from wright.backend import array_module
from wright.tensor import Tensor


def clip_grad_norm_(parameters: Iterable[Tensor], max_norm: float, norm_type: float = 2.0) -> float:
    """Scale all gradients together so their combined norm is at most `max_norm`; returns the norm
    before."""
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return 0.0
    if norm_type == float("inf"):
        total = max(float(abs(g.array).max()) for g in grads)
    else:
        total = float(sum((abs(g.array) ** norm_type).sum() for g in grads) ** (1.0 / norm_type))
    if not math.isfinite(total):
        raise FloatingPointError(
            f"clip_grad_norm_: the gradient norm is {total}; training has diverged"
        )
    scale = max_norm / (total + 1e-6)
    if scale < 1:
        for g in grads:
            g.array = g.array * scale
    return total


def clip_grad_value_(parameters: Iterable[Tensor], clip_value: float) -> None:
    """Clip every gradient element to [-clip_value, clip_value]."""
    for p in parameters:
        if p.grad is not None:
            p.grad.array = array_module(p.grad.array).clip(p.grad.array, -clip_value, clip_value)
