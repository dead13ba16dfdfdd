"""Helpers used while training: gradient clipping and parameters as one vector (PyTorch's
`torch.nn.utils`); `wright.nn.utils.rnn` pads sequences."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from wright.autograd import no_grad
from wright.creation import as_tensor
from wright.nn.utils import rnn
from wright.tensor import Tensor, cat


def _as_list(parameters) -> list[Tensor]:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def clip_grad_norm_(
    parameters: Iterable[Tensor] | Tensor,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale all gradients together so their combined norm is at most `max_norm`.

    Returns the total norm before clipping, as a 0-d tensor. With `error_if_nonfinite`, a NaN or
    infinite norm raises RuntimeError instead of being applied.
    """
    grads = [p.grad.array for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return as_tensor(np.zeros((), dtype=np.float32))
    norm_type = float(norm_type)
    if norm_type == np.inf:
        norms = [np.abs(g).max(initial=0) for g in grads]
        total = np.max(norms)
    else:
        norms = [np.sum(np.abs(g) ** norm_type) ** (1.0 / norm_type) for g in grads]
        total = np.sum(np.asarray(norms) ** norm_type) ** (1.0 / norm_type)
    total = np.asarray(total, dtype=grads[0].dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is {total}, "
            "so it cannot be clipped; pass error_if_nonfinite=False to clip anyway"
        )
    # Always multiplied (by at most 1), as in PyTorch: a NaN norm spreads into the gradients.
    scale = min(float(max_norm) / (float(total) + 1e-6), 1.0) if np.isfinite(total) else np.nan
    for g in grads:
        g *= g.dtype.type(scale)
    return as_tensor(total)


def clip_grad_value_(
    parameters: Iterable[Tensor] | Tensor, clip_value: float, foreach: bool | None = None
) -> None:
    """Clip every gradient element to [-clip_value, clip_value], in place."""
    for p in _as_list(parameters):
        if p.grad is not None:
            np.clip(p.grad.array, -clip_value, clip_value, out=p.grad.array)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and joined into one vector (gradients flow back to them)."""
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive pieces of `vec` into the parameters (the inverse of
    parameters_to_vector)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, got {type(vec).__name__}")
    start = 0
    with no_grad():
        for p in parameters:
            p.copy_(vec[start : start + p.numel()].reshape(p.shape))
            start += p.numel()


__all__ = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "parameters_to_vector",
    "rnn",
    "vector_to_parameters",
]
