"""The array-module seam: which array library runs the maths, the default dtype, the random generator."""

from __future__ import annotations

import numpy as np

# Every op reaches arrays through `xp`, so a NumPy-compatible GPU module can stand in for NumPy later.
xp = np

float32 = np.float32
float64 = np.float64
int64 = np.int64
int32 = np.int32
uint8 = np.uint8
bool_ = np.bool_

_default_dtype = np.dtype(np.float32)
_generator = np.random.default_rng()


def get_default_dtype() -> np.dtype:
    """Return the floating dtype that new tensors get (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(dtype) -> None:
    """Set the floating dtype that new tensors get; float32 and float64 are accepted."""
    global _default_dtype
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"set_default_dtype: expected float32 or float64, got {dtype}")
    _default_dtype = dtype


def manual_seed(seed: int) -> np.random.Generator:
    """Seed wright's global random generator (weight initialisation, dropout, shuffling)."""
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def generator() -> np.random.Generator:
    """Return the global random generator that wright draws from."""
    return _generator


def to_array(data, dtype=None) -> np.ndarray:
    """Turn data into an array: Python floats get the default dtype, arrays keep theirs unless told."""
    if dtype is not None:
        return np.asarray(data, dtype=dtype)
    array = np.asarray(data)
    if array.dtype == np.float64 and not isinstance(data, np.ndarray | np.generic):
        return array.astype(_default_dtype)
    if array.dtype.kind in "iu" and not isinstance(data, np.ndarray | np.generic):
        return array.astype(np.int64)
    return array
