"""Layers that only rearrange values: Flatten and Unflatten."""

from __future__ import annotations

from wright.nn.module import Module
from wright.tensor import Tensor


class Flatten(Module):
    """Merge dimensions start_dim..end_dim into one, e.g. (N, 1, 28, 28) images into (N, 784)
    vectors."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dimension `dim` into `sizes`, e.g. (N, 784) back into (N, 1, 28, 28)."""

    def __init__(self, dim: int, sizes: tuple[int, ...]) -> None:
        super().__init__()
        self.dim, self.sizes = dim, tuple(sizes)

    def forward(self, x: Tensor) -> Tensor:
        dim = self.dim % x.ndim
        return x.reshape(x.shape[:dim] + self.sizes + x.shape[dim + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, sizes={self.sizes}"
