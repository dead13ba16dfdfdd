"""The array-module seam: which array library runs the maths, devices, turning data into arrays,
and the random generators."""

from __future__ import annotations

import ctypes
import os

import numpy as np

from wright import dtypes

# Every op reaches arrays through `xp`, so a NumPy-compatible GPU module can stand in for NumPy.
xp = np


# ----- devices -----


class device:
    """Where a tensor's memory lives. wright computes on the CPU; `wright.device("cpu")`.

    Compares equal to its string form, so `x.device == "cpu"` works as in PyTorch.
    """

    __slots__ = ("index", "type")

    def __init__(self, type: str | device, index: int | None = None) -> None:
        if isinstance(type, device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string such as 'cpu', got {type!r}")
        name, _, number = type.partition(":")
        if number:
            if index is not None:
                raise ValueError(f"device: index given twice in {type!r} and index={index}")
            index = int(number)
        self.type, self.index = name, index

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def resolve_device(value) -> device:
    """The device named by `value` (a device, a string, or None for the CPU); errors for devices
    wright cannot compute on."""
    if value is None:
        return CPU
    if isinstance(value, int):
        value = f"cuda:{value}"
    found = device(value)
    if found.type == "cpu":
        return CPU
    if found.type in ("cuda", "mps", "xpu", "meta"):
        raise RuntimeError(
            f"device {str(found)!r} is not available: wright computes on the CPU "
            "(wright.cuda.is_available() is False)"
        )
    raise RuntimeError(f"device: unknown device type {found.type!r}; expected 'cpu'")


# ----- arrays -----


def to_array(data, dtype=None) -> np.ndarray:
    """Turn data into an array as `wright.tensor` does: Python floats get the default float dtype,
    Python ints int64, bools bool; NumPy arrays and scalars keep their dtype unless `dtype` is
    given."""
    if dtype is not None:
        return np.asarray(data, dtype=dtypes.to_numpy_dtype(dtype))
    array = np.asarray(data)
    if isinstance(data, np.ndarray | np.generic):
        return array
    if array.dtype == np.float64:
        return array.astype(dtypes.default_float_numpy())
    if array.dtype.kind in "iu":
        return array.astype(np.int64)
    if array.dtype.kind not in "bf":
        raise TypeError(
            f"tensor: expected numbers (or nested lists of numbers), got data of type "
            f"{type(data).__name__} that NumPy reads as {array.dtype}"
        )
    return array


# ----- random numbers -----


class Generator:
    """A seeded source of random numbers, as `wright.Generator().manual_seed(42)`.

    Factories (`randn`, `randperm`, ...), initialisers, dropout and data loaders take one through
    `generator=`; without it they draw from the default generator that `wright.manual_seed` seeds.
    """

    def __init__(self, device=None) -> None:
        resolve_device(device)
        self._seed = int(np.random.SeedSequence().entropy % (2**63))
        self.rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from `seed`; returns the generator."""
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Seed from fresh entropy and return the seed."""
        self.manual_seed(int(np.random.SeedSequence().entropy % (2**63)))
        return self._seed

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        return self._seed

    def get_state(self) -> dict:
        """The generator's full state (a dict NumPy's bit generator understands)."""
        return self.rng.bit_generator.state

    def set_state(self, state: dict) -> None:
        """Restore a state from `get_state`."""
        self.rng.bit_generator.state = state

    @property
    def device(self) -> device:
        return CPU


_default_generator = Generator()


def default_generator() -> Generator:
    """The generator that draws happen from when none is given."""
    return _default_generator


def manual_seed(seed: int) -> Generator:
    """Seed wright's default generator (weight initialisation, dropout, shuffling, `randn`)."""
    return _default_generator.manual_seed(seed)


def generator() -> np.random.Generator:
    """The NumPy generator behind the default wright generator."""
    return _default_generator.rng


def numpy_rng(source=None) -> np.random.Generator:
    """The NumPy generator to draw from: the default one, a wright Generator's, or a NumPy one."""
    if source is None:
        return _default_generator.rng
    if isinstance(source, Generator):
        return source.rng
    if isinstance(source, np.random.Generator):
        return source
    raise TypeError(f"generator: expected a wright.Generator, got {type(source).__name__}")


# ----- threads and process-wide tuning -----

_thread_limit = None


def set_num_threads(count: int) -> None:
    """Use `count` threads for the matrix products (the BLAS pool), as `torch.set_num_threads`."""
    global _thread_limit
    if int(count) < 1:
        raise ValueError(f"set_num_threads: expected a positive number of threads, got {count}")
    from threadpoolctl import threadpool_limits

    # threadpoolctl applies the limit until the returned object is restored; keep it alive.
    _thread_limit = threadpool_limits(limits=int(count))


def get_num_threads() -> int:
    """The number of threads the matrix products use."""
    from threadpoolctl import threadpool_info

    pools = threadpool_info()
    return max((pool["num_threads"] for pool in pools), default=1)


def keep_freed_memory() -> bool:
    """Ask glibc's malloc to keep freed arrays' memory for reuse instead of returning it to the OS.

    A training step allocates and frees the same large temporaries every time. By default glibc
    hands them back to the kernel and page-faults fresh zeroed pages in on the next step, which
    measured a third of a LeNet step's CPU time (2,900 page faults per step). Arrays over 32 MiB
    are still mapped and unmapped on their own. This changes the whole process, so importing wright
    does not do it: the `wright` command and the benchmarks call it, and a program may too. Set
    WRIGHT_KEEP_FREED_MEMORY=0 to leave malloc alone. Returns whether the settings were applied
    (only on glibc).
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
