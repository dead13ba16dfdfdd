"""Datasets: indexable collections of samples, plus the batched `__getitems__` hook.

A dataset maps an index to a sample (`__getitem__`) and knows its size (`__len__`). When it can also
return a whole batch for an array of indices in one call (`__getitems__`, PyTorch 2's hook), loaders
use that instead of fetching and stacking samples one at a time in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from wright import backend
from wright.tensor import Tensor


class Dataset:
    """Base class of map-style datasets: subclasses define `__getitem__` and `__len__`.

    A subclass may also define `__getitems__(indices: np.ndarray)` that returns a whole batch (a
    tuple of arrays with len(indices) rows each); `DataLoader` then fetches a batch with one call.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


def _as_array(value) -> np.ndarray:
    return value.array if isinstance(value, Tensor) else backend.to_array(value)


class TensorDataset(Dataset):
    """Samples are the rows of the given arrays: item i is `(arrays[0][i], arrays[1][i], ...)`.

    Args:
        *tensors: arrays or wright Tensors with the same first dimension (e.g. inputs, labels).
            Tensors are kept as their arrays (no copy); Python lists become arrays (floats
            float32, ints int64).

    Example:
        >>> dataset = TensorDataset(np.zeros((100, 784), np.float32), np.arange(100) % 10)
        >>> x, y = dataset[0]
    """

    def __init__(self, *tensors) -> None:
        if not tensors:
            raise ValueError("TensorDataset: expected at least one array, got none")
        self.arrays = tuple(_as_array(t) for t in tensors)
        shapes = [a.shape for a in self.arrays]
        if any(len(shape) == 0 for shape in shapes) or len({shape[:1] for shape in shapes}) != 1:
            raise ValueError(
                "TensorDataset: all arrays need the same first dimension (the number of samples), "
                f"got shapes {shapes}"
            )

    def __getitem__(self, index: int) -> tuple[np.ndarray, ...]:
        return tuple(a[index] for a in self.arrays)

    def __getitems__(self, indices: np.ndarray) -> tuple[np.ndarray, ...]:
        """The rows at `indices` of every array: one fancy-indexing gather per array."""
        return tuple(a[indices] for a in self.arrays)

    def __len__(self) -> int:
        return len(self.arrays[0])


def default_collate(samples: Sequence) -> Any:
    """Stack a list of samples into a batch.

    Arrays, Tensors and numbers are stacked along a new first axis; tuples or lists of them are
    collated field by field into a tuple; anything else (strings, ...) is returned as a list.
    Python ints become int64, Python floats the default float dtype; arrays keep their dtype.
    """
    first = samples[0]
    if isinstance(first, tuple | list):
        widths = {len(sample) for sample in samples}
        if len(widths) != 1:
            raise ValueError(f"default_collate: samples have different numbers of fields {widths}")
        return tuple(default_collate(field) for field in zip(*samples, strict=True))
    if isinstance(first, Tensor | np.ndarray):
        arrays = [_as_array(sample) for sample in samples]
        shapes = {a.shape for a in arrays}
        if len(shapes) != 1:
            raise ValueError(f"default_collate: cannot stack samples of shapes {sorted(shapes)}")
        return np.stack(arrays)
    if isinstance(first, np.generic):
        return np.asarray(samples)
    if isinstance(first, bool | int | float):
        return backend.to_array(samples)
    return list(samples)


def fetch_batch(dataset, indices: np.ndarray) -> Any:
    """The batch at `indices`: one `dataset.__getitems__` call when the dataset has that hook,
    otherwise `dataset[i]` for each index, stacked by `default_collate`."""
    getitems = getattr(dataset, "__getitems__", None)
    if callable(getitems):
        return getitems(indices)
    return default_collate([dataset[i] for i in indices.tolist()])


class Subset(Dataset):
    """The samples of `dataset` at the given indices, in that order.

    Args:
        dataset: the dataset to draw from.
        indices: positions in `dataset` (any sequence or array of ints).
    """

    def __init__(self, dataset, indices: Sequence[int] | np.ndarray) -> None:
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64).reshape(-1)

    def __getitem__(self, index: int) -> Any:
        return self.dataset[int(self.indices[index])]

    def __getitems__(self, indices: np.ndarray) -> Any:
        """The batch at `indices` of this subset, fetched from the parent dataset in one go."""
        return fetch_batch(self.dataset, self.indices[indices])

    def __len__(self) -> int:
        return len(self.indices)


def resolve_generator(
    seed: int | None, generator: np.random.Generator | None, caller: str
) -> Callable[[], np.random.Generator]:
    """Return a function giving the generator to shuffle with.

    It gives a private generator made from `seed`, or `generator`, or (neither given) wright's
    global generator, looked up at each call so that a later `wright.manual_seed` takes effect.
    """
    if seed is not None and generator is not None:
        raise ValueError(f"{caller}: pass seed or generator, not both (got seed={seed!r} too)")
    if seed is not None:
        own = np.random.default_rng(seed)
        return lambda: own
    if generator is not None:
        return lambda: generator
    return backend.generator


def _split_lengths(lengths: Sequence[int | float], total: int) -> list[int]:
    if all(isinstance(n, float) for n in lengths) and abs(sum(lengths) - 1.0) < 1e-6:
        if any(not 0.0 <= f <= 1.0 for f in lengths):
            raise ValueError(f"random_split: fractions must lie in [0, 1], got {list(lengths)}")
        counts = [int(np.floor(total * f)) for f in lengths]
        # Hand out the samples lost to rounding down one at a time, as PyTorch does.
        for i in range(total - sum(counts)):
            counts[i % len(counts)] += 1
        return counts
    if any(isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0 for n in lengths):
        raise ValueError(
            f"random_split: lengths must be non-negative ints summing to {total} or fractions "
            f"summing to 1, got {list(lengths)}"
        )
    if sum(lengths) != total:
        raise ValueError(
            f"random_split: lengths {list(lengths)} sum to {sum(lengths)}, expected {total} "
            "(the length of the dataset)"
        )
    return [int(n) for n in lengths]


def random_split(
    dataset,
    lengths: Sequence[int | float],
    seed: int | None = None,
    generator: np.random.Generator | None = None,
) -> list[Subset]:
    """Split a dataset into non-overlapping random subsets, e.g. training and validation sets.

    Args:
        dataset: the dataset to split.
        lengths: sizes of the parts, summing to len(dataset); or fractions summing to 1.
        seed: makes the split reproducible; default: draw from wright's global generator.
        generator: a NumPy Generator to draw the permutation from, instead of `seed`.

    Returns:
        One `Subset` per entry of `lengths`.

    Example:
        >>> train, val = random_split(MNIST("train"), [50_000, 10_000], seed=0)
    """
    counts = _split_lengths(lengths, len(dataset))
    order = resolve_generator(seed, generator, "random_split")().permutation(len(dataset))
    bounds = np.cumsum([0, *counts])
    return [Subset(dataset, order[start:stop]) for start, stop in pairwise(bounds)]
