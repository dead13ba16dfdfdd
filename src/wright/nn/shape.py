"""Layers that only rearrange values: Flatten and Unflatten."""

from __future__ import annotations

import math

from wright.functions.reduction import dims
from wright.nn.module import Module
from wright.tensor import Tensor


class Flatten(Module):
    """Merge dimensions start_dim..end_dim into one, e.g. (N, 1, 28, 28) images into (N, 784)
    vectors.

    Args:
        start_dim: the first dimension to merge.
        end_dim: the last dimension to merge.
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dimension `dim` into `unflattened_size`, e.g. (N, 784) back into (N, 1, 28, 28); one
    size may be -1 (inferred).

    Args:
        dim: the dimension to split.
        unflattened_size: the sizes it is split into (a tuple or list of ints).
    """

    def __init__(self, dim: int, unflattened_size: tuple[int, ...] | list[int]) -> None:
        super().__init__()
        if not isinstance(unflattened_size, tuple | list):
            raise TypeError(
                "Unflatten: unflattened_size must be a tuple or list of ints, got "
                f"{type(unflattened_size).__name__}"
            )
        self.dim, self.unflattened_size = dim, unflattened_size

    def forward(self, input: Tensor) -> Tensor:
        dim = dims(input, self.dim)
        sizes = tuple(self.unflattened_size)
        known = math.prod(n for n in sizes if n != -1)
        length = input.shape[dim]
        fits = (known and length % known == 0) if -1 in sizes else known == length
        if not fits:
            raise RuntimeError(
                f"Unflatten: sizes {list(sizes)} don't multiply up to the size of dim {self.dim} "
                f"({length}) of the input"
            )
        return input.reshape(input.shape[:dim] + sizes + input.shape[dim + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
