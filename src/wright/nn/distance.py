"""Distance layers: cosine similarity and p-norm distance between pairs of vectors."""

from __future__ import annotations

from wright.nn import functional as F
from wright.nn.module import Module
from wright.tensor import Tensor


class CosineSimilarity(Module):
    """The cosine of the angle between x1 and x2 along `dim`.

    Args:
        dim: the dimension holding the vectors' components.
        eps: the smallest norm divided by (keeps zero vectors finite).

    Shape: x1 and x2 broadcastable, (*, D, *) -> (*, *) without `dim`.
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, eps={self.eps}"


class PairwiseDistance(Module):
    """The p-norm of x1 - x2 + eps over the last dimension.

    Args:
        p: the norm's degree.
        eps: added to the difference so the gradient stays finite when x1 == x2.
        keepdim: keep the last dimension (as size 1).

    Shape: x1 and x2 broadcastable, (*, D) -> (*) (or (*, 1) with keepdim).
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)

    def extra_repr(self) -> str:
        return f"p={self.norm}, eps={self.eps}, keepdim={self.keepdim}"
