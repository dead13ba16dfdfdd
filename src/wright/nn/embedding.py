"""Embedding: a learned vector for each symbol of a vocabulary, looked up by index."""

from __future__ import annotations

import numpy as np

from wright import dtypes
from wright.nn import functional as F
from wright.nn import init
from wright.nn.module import Module, Parameter
from wright.tensor import Tensor


class Embedding(Module):
    """A table of `num_embeddings` learned vectors; integer indices pick rows.

    Equivalent to a bias-free Linear layer applied to one-hot vectors (the lectures' one-hot
    encoding of words and dinners), but it reads one row instead of multiplying by mostly zeros.

    Args:
        num_embeddings: vocabulary size (V).
        embedding_dim: length of each vector (E).
        padding_idx: a row that stays at zero and receives no gradient (for padded positions).

    Shape:
        input (*) integers in [0, V) -> output (*, E).

    Example:
        >>> embed = nn.Embedding(5, 3)
        >>> embed(wright.tensor([[0, 4], [2, 2]])).shape
        (2, 2, 3)
    """

    def __init__(
        self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None, dtype=None
    ) -> None:
        super().__init__()
        if num_embeddings <= 0 or embedding_dim <= 0:
            raise ValueError(
                f"Embedding: num_embeddings and embedding_dim must be positive, got "
                f"{num_embeddings} and {embedding_dim}"
            )
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(
                    f"Embedding: padding_idx {padding_idx} is outside [0, {num_embeddings})"
                )
            padding_idx %= num_embeddings
        self.num_embeddings, self.embedding_dim, self.padding_idx = (
            num_embeddings,
            embedding_dim,
            padding_idx,
        )
        dtype = dtype or dtypes.default_float_numpy()
        self.weight = Parameter(np.empty((num_embeddings, embedding_dim), dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw the vectors from N(0, 1) (PyTorch's default); the padding row is zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.array[self.padding_idx] = 0

    def forward(self, input) -> Tensor:
        indices = F._checked_indices(self.describe(), input, self.num_embeddings)
        return F._lookup(indices, self.weight, self.padding_idx)

    def summary_line(self) -> str:
        return f"Embedding {self.num_embeddings}x{self.embedding_dim}"

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        return text if self.padding_idx is None else text + f", padding_idx={self.padding_idx}"
