"""Embedding: a learned vector for each symbol of a vocabulary, looked up by index."""

from __future__ import annotations

import numpy as np

from wright.autograd import no_grad
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
        padding_idx: a row that starts at zero and receives no gradient (for padded positions).
        max_norm: rows looked up whose norm exceeds it are scaled down to it, in place.
        norm_type: the p of that norm.
        scale_grad_by_freq: divide each row's gradient by how often the batch uses the row.
        sparse: sparse gradients are not supported (True raises).
        _weight: a (V, E) tensor to start from instead of N(0, 1) draws.
        _freeze: the weight does not require grad.
        device: only the CPU.
        dtype: the weight's dtype.

    Shape:
        input (*) integers in [0, V) -> output (*, E).

    Example:
        >>> embed = nn.Embedding(5, 3)
        >>> embed(wright.tensor([[0, 4], [2, 2]])).shape
        wright.Size([2, 2, 3])
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        if num_embeddings <= 0 or embedding_dim <= 0:
            raise ValueError(
                f"Embedding: num_embeddings and embedding_dim must be positive, got "
                f"{num_embeddings} and {embedding_dim}"
            )
        if sparse:
            raise NotImplementedError(
                "Embedding: sparse gradients are not supported; use sparse=False (dense gradients)"
            )
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = F._padding_row("Embedding", padding_idx, num_embeddings)
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        dtype = init.parameter_dtype(device, dtype)
        if _weight is None:
            self.weight = Parameter(np.empty((num_embeddings, embedding_dim), dtype=dtype))
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(
                    f"Embedding: _weight has shape {tuple(_weight.shape)}, expected "
                    f"({num_embeddings}, {embedding_dim})"
                )
            self.weight = Parameter(_weight)
        self.weight.requires_grad_(not _freeze)

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding whose table is `embeddings` (V, E), shared, not copied; frozen unless
        `freeze=False`."""
        if embeddings.ndim != 2:
            raise ValueError(
                f"Embedding.from_pretrained: embeddings must be 2-D, got shape "
                f"{tuple(embeddings.shape)}"
            )
        rows, columns = embeddings.shape
        return cls(
            rows,
            columns,
            padding_idx,
            max_norm,
            norm_type,
            scale_grad_by_freq,
            sparse,
            _weight=embeddings,
            _freeze=freeze,
        )

    def reset_parameters(self) -> None:
        """Draw the vectors from N(0, 1) (PyTorch's default); the padding row is zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0

    def forward(self, input) -> Tensor:
        return F._embed(
            self.describe(),
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
        )

    def summary_line(self) -> str:
        return f"Embedding {self.num_embeddings}x{self.embedding_dim}"

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += ", scale_grad_by_freq=True"
        return text
