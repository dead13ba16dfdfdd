"""Ready-made parametrizations (PyTorch's `torch.nn.utils.parametrizations`): `weight_norm`
splits a weight into a magnitude and a direction."""

from __future__ import annotations

from wright.nn.module import Module
from wright.nn.utils.parametrize import register_parametrization
from wright.tensor import Tensor


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """The pow-norm of v over every dim but `dim`, keeping v's rank; -1 (or None) means over
    all dims, a 0-d norm (PyTorch's convention here, not the last dim)."""
    if dim is None or dim == -1:
        return v.norm(pow)
    dim = dim % max(v.ndim, 1)
    others = tuple(d for d in range(v.ndim) if d != dim)
    return v.norm(pow, dim=others, keepdim=True) if others else v.abs()


class _WeightNorm(Module):
    """w = g * v / ||v||, the norm over every dim but `dim`."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_v * (weight_g / norm_except_dim(weight_v, 2, self.dim))

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrize `module.<name>` as g * v / ||v|| with g (the norms, original0) and v (the
    direction, original1) learned separately (Salimans and Kingma's weight normalization)."""
    return register_parametrization(module, name, _WeightNorm(dim), unsafe=True)


__all__ = ["weight_norm"]
