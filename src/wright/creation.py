"""Factories for new tensors: from data, filled with constants, ranges, or random draws."""

from __future__ import annotations

import numpy as np

from wright import backend
from wright.tensor import Tensor, _shape_args


def _dtype(dtype):
    return backend.get_default_dtype() if dtype is None else np.dtype(dtype)


def tensor(data, dtype=None, requires_grad: bool = False) -> Tensor:
    """Make a tensor from data (lists, numbers, arrays); Python floats become float32 by default."""
    if isinstance(data, Tensor):
        data = data.data
    return Tensor(backend.to_array(data, dtype), requires_grad=requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """Wrap a NumPy array without copying, keeping its dtype."""
    return Tensor(array)


def zeros(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros."""
    return Tensor(np.zeros(_shape_args(shape), dtype=_dtype(dtype)), requires_grad=requires_grad)


def ones(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    return Tensor(np.ones(_shape_args(shape), dtype=_dtype(dtype)), requires_grad=requires_grad)


def full(shape, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with one value."""
    return Tensor(
        np.full(_shape_args((shape,)), fill_value, dtype=_dtype(dtype)), requires_grad=requires_grad
    )


def zeros_like(other: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    """Zeros with another tensor's shape (and dtype unless given)."""
    return zeros(other.shape, dtype=dtype or other.dtype, requires_grad=requires_grad)


def ones_like(other: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    """Ones with another tensor's shape (and dtype unless given)."""
    return ones(other.shape, dtype=dtype or other.dtype, requires_grad=requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False) -> Tensor:
    """The identity matrix (n x m)."""
    return Tensor(np.eye(n, m, dtype=_dtype(dtype)), requires_grad=requires_grad)


def arange(start, stop=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in [start, stop); integers give int64, floats the default float
    dtype."""
    values = np.arange(start, stop, step) if stop is not None else np.arange(start)
    return Tensor(backend.to_array(values.tolist(), dtype), requires_grad=requires_grad)


def linspace(
    start: float, stop: float, steps: int, dtype=None, requires_grad: bool = False
) -> Tensor:
    """`steps` evenly spaced values from start to stop inclusive."""
    return Tensor(np.linspace(start, stop, steps, dtype=_dtype(dtype)), requires_grad=requires_grad)


def randn(
    *shape, dtype=None, requires_grad: bool = False, generator: np.random.Generator | None = None
) -> Tensor:
    """Draws from the standard normal distribution N(0, 1)."""
    rng = generator or backend.generator()
    return Tensor(
        rng.standard_normal(_shape_args(shape), dtype=_dtype(dtype)), requires_grad=requires_grad
    )


def rand(
    *shape, dtype=None, requires_grad: bool = False, generator: np.random.Generator | None = None
) -> Tensor:
    """Draws from the uniform distribution on [0, 1)."""
    rng = generator or backend.generator()
    return Tensor(rng.random(_shape_args(shape), dtype=_dtype(dtype)), requires_grad=requires_grad)


def randint(low: int, high: int, shape, generator: np.random.Generator | None = None) -> Tensor:
    """Random int64 values in [low, high)."""
    rng = generator or backend.generator()
    return Tensor(rng.integers(low, high, size=_shape_args((shape,)), dtype=np.int64))
