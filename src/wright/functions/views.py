"""Function forms of the reshaping methods that Tensor defines itself: `wright.flatten(x)` is
`x.flatten()`, and so on, as in PyTorch."""

from __future__ import annotations

from wright.tensor import Tensor


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions start_dim..end_dim into one."""
    return input.flatten(start_dim, end_dim)


def ravel(input: Tensor) -> Tensor:
    """The elements as one dimension."""
    return input.ravel()


def reshape(input: Tensor, shape) -> Tensor:
    """Same values in a new shape; one dimension may be -1."""
    return input.reshape(shape)


def permute(input: Tensor, dims) -> Tensor:
    """Reorder the dimensions."""
    return input.permute(dims)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions."""
    return input.transpose(dim0, dim1)


swapaxes = swapdims = transpose


def t(input: Tensor) -> Tensor:
    """Transpose a matrix (a vector or scalar comes back unchanged)."""
    return input.t()


def squeeze(input: Tensor, dim=None) -> Tensor:
    """Remove dimensions of size 1 (only `dim` when given)."""
    return input.squeeze(dim)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a dimension of size 1 at `dim`."""
    return input.unsqueeze(dim)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into `chunks` nearly equal pieces along `dim`."""
    return input.chunk(chunks, dim)


def clone(input: Tensor, *, memory_format=None) -> Tensor:
    """A copy that keeps the graph link."""
    return input.clone()


def detach(input: Tensor) -> Tensor:
    """The same values, cut off from the graph."""
    return input.detach()


__all__ = [
    "chunk",
    "clone",
    "detach",
    "flatten",
    "permute",
    "ravel",
    "reshape",
    "squeeze",
    "swapaxes",
    "swapdims",
    "t",
    "transpose",
    "unsqueeze",
]
