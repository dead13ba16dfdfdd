"""The array-module seam: which array library runs the maths, the default dtype, the random
generator."""

from __future__ import annotations

import ctypes
import os

import numpy as np

# Every op reaches arrays through `xp`, so a NumPy-compatible GPU module can stand in for NumPy
# later.
xp = np

float32 = np.float32
float64 = np.float64
int64 = np.int64
int32 = np.int32
uint8 = np.uint8
bool_ = np.bool_

_default_dtype = np.dtype(np.float32)
_generator = np.random.default_rng()


def keep_freed_memory() -> bool:
    """Ask glibc's malloc to keep freed arrays' memory for reuse instead of returning it to the OS.

    A training step allocates and frees the same large temporaries every time. By default glibc
    hands them back to the kernel and page-faults fresh zeroed pages in on the next step, which
    measured a third of a LeNet step's CPU time (2,900 page faults per step). Arrays over 32 MiB
    are still mapped and unmapped on their own. Called on import; set WRIGHT_KEEP_FREED_MEMORY=0 to
    leave malloc alone. Returns whether the settings were applied (only on glibc).
    """
    if os.environ.get("WRIGHT_KEEP_FREED_MEMORY", "1") == "0":
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's mallopt parameter numbers
    kept = libc.mallopt(m_trim_threshold, 256 << 20)
    return bool(kept and libc.mallopt(m_mmap_threshold, 32 << 20))


keep_freed_memory()


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
    """Turn data into an array: Python floats get the default dtype, arrays keep theirs unless
    told."""
    if dtype is not None:
        return np.asarray(data, dtype=dtype)
    array = np.asarray(data)
    if array.dtype == np.float64 and not isinstance(data, np.ndarray | np.generic):
        return array.astype(_default_dtype)
    if array.dtype.kind in "iu" and not isinstance(data, np.ndarray | np.generic):
        return array.astype(np.int64)
    return array
