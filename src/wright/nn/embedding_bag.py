"""EmbeddingBag: the sum, mean or max of bags of embedding vectors, computed without building
the per-position embeddings of a padded batch."""

from __future__ import annotations

import numpy as np

from wright.autograd import no_grad
from wright.nn import functional as F
from wright.nn import init
from wright.nn.module import Module, Parameter
from wright.tensor import Tensor


class EmbeddingBag(Module):
    """A table of learned vectors reduced over bags of indices (a bag-of-words layer).

    Args:
        num_embeddings: vocabulary size (V).
        embedding_dim: length of each vector (E).
        max_norm, norm_type, scale_grad_by_freq: as for Embedding.
        mode: 'sum', 'mean' (the default) or 'max' over each bag.
        sparse: sparse gradients are not supported (True raises).
        _weight: a (V, E) tensor to start from instead of N(0, 1) draws.
        include_last_offset: offsets has one more entry, the end of the last bag.
        padding_idx: a row that starts at zero, is left out of every bag and gets no gradient.
        device: only the CPU.
        dtype: the weight's dtype.

    Shape:
        input (B, N) (B bags of N indices) or (T,) with offsets (B,) -> output (B, E).

    Example:
        >>> bag = nn.EmbeddingBag(10, 3, mode="sum")
        >>> bag(wright.tensor([1, 2, 4, 5, 4]), wright.tensor([0, 2])).shape
        wright.Size([2, 3])
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        _weight: Tensor | None = None,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        if sparse:
            raise NotImplementedError(
                "EmbeddingBag: sparse gradients are not supported; use sparse=False"
            )
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.mode, self.sparse = scale_grad_by_freq, mode, sparse
        self.include_last_offset = include_last_offset
        self.padding_idx = F._padding_row("EmbeddingBag", padding_idx, num_embeddings)
        if _weight is None:
            dtype = init.parameter_dtype(device, dtype)
            self.weight = Parameter(np.empty((num_embeddings, embedding_dim), dtype=dtype))
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(
                    f"EmbeddingBag: _weight has shape {tuple(_weight.shape)}, expected "
                    f"({num_embeddings}, {embedding_dim})"
                )
            self.weight = Parameter(_weight)

    def reset_parameters(self) -> None:
        """Draw the vectors from N(0, 1); the padding row is zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
    ) -> EmbeddingBag:
        """An EmbeddingBag over the table `embeddings` (V, E), shared; frozen unless told."""
        if embeddings.ndim != 2:
            raise ValueError("EmbeddingBag.from_pretrained: embeddings must be 2-D")
        rows, columns = embeddings.shape
        bag = cls(
            rows,
            columns,
            max_norm,
            norm_type,
            scale_grad_by_freq,
            mode,
            sparse,
            embeddings,
            include_last_offset,
            padding_idx,
        )
        bag.weight.requires_grad_(not freeze)
        return bag

    def forward(
        self, input: Tensor, offsets: Tensor | None = None, per_sample_weights=None
    ) -> Tensor:
        return F.embedding_bag(
            input,
            self.weight,
            offsets,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.mode,
            self.sparse,
            per_sample_weights,
            self.include_last_offset,
            self.padding_idx,
        )

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += ", scale_grad_by_freq=True"
        text += f", mode='{self.mode}'"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        return text
