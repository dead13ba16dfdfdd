"""Datasets: indexable (map-style) and streaming (iterable) collections of samples, their
combinations and subsets, and the batched `__getitems__` hook.

A map-style dataset maps an index to a sample (`__getitem__`) and usually knows its size
(`__len__`). It may also define `__getitems__(indices)` to read many samples in one call. Two
kinds of answer are understood:

- a list of samples (PyTorch's contract): the loader passes it to `collate_fn`;
- anything else, taken as a whole batch already collated (wright's fast path), e.g. a tuple of
  arrays or tensors with len(indices) rows each: the loader only turns its arrays into tensors,
  so no Python code runs per sample. `TensorDataset` and MNIST answer this way.
"""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate
from typing import Any

import numpy as np

from wright import backend
from wright.tensor import Tensor, _from_array


class Dataset:
    """Base class of map-style datasets: subclasses define `__getitem__` (and usually `__len__`,
    which samplers need), and may define `__getitems__` (see the module docstring).

    `dataset_a + dataset_b` is their `ConcatDataset`.
    """

    def __getitem__(self, index) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Base class of streaming datasets: subclasses define `__iter__`, yielding samples.

    With `num_workers > 0` every worker process iterates its own copy, so each sample comes once
    per worker unless `__iter__` splits the stream using `get_worker_info()`.

    `stream_a + stream_b` is their `ChainDataset`.
    """

    def __iter__(self) -> Iterator:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __add__(self, other: Dataset) -> ChainDataset:
        return ChainDataset([self, other])


def _as_tensor(value) -> Tensor:
    # Tensors are kept as they are; arrays are wrapped without a copy; lists become tensors as
    # `wright.tensor` makes them (floats in the default dtype, ints int64).
    if isinstance(value, Tensor):
        return value
    return _from_array(value if isinstance(value, np.ndarray) else backend.to_array(value))


class TensorDataset(Dataset):
    """Samples are the rows of the given tensors: item i is `(tensors[0][i], tensors[1][i], ...)`.

    Args:
        *tensors: tensors with the same first dimension (e.g. inputs and labels). NumPy arrays
            are wrapped without a copy, lists converted as `wright.tensor` does.

    Batches are fetched by `__getitems__` with one gather per tensor.

    Example:
        >>> dataset = TensorDataset(wright.randn(100, 784), wright.arange(100) % 10)
        >>> x, y = dataset[0]  # a (784,) float32 Tensor and a 0-d int64 Tensor
    """

    def __init__(self, *tensors) -> None:
        self.tensors = tuple(_as_tensor(t) for t in tensors)
        if any(t.shape[0] != self.tensors[0].shape[0] for t in self.tensors):
            raise AssertionError(
                "TensorDataset: size mismatch between tensors, their first dimensions are "
                f"{[t.shape[0] for t in self.tensors]}"
            )

    def __getitem__(self, index) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __getitems__(self, indices: Sequence[int]) -> tuple[Tensor, ...]:
        """The rows at `indices` of every tensor, as a whole batch."""
        # NumPy gathers much faster with an index array than with a list.
        rows = np.asarray(indices, dtype=np.intp)
        return tuple(
            t[_from_array(rows)] if t._requires_grad else _from_array(t.array[rows])
            for t in self.tensors
        )

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


def _samples(dataset, indices: Sequence[int]) -> list:
    """The samples at `indices` as a list: from the dataset's `__getitems__` when it answers with
    a list, otherwise one `dataset[i]` at a time."""
    getitems = getattr(dataset, "__getitems__", None)
    if getitems:
        fetched = getitems(indices)
        if isinstance(fetched, list):
            if len(fetched) != len(indices):
                raise ValueError(
                    f"{type(dataset).__name__}.__getitems__ returned {len(fetched)} samples for "
                    f"{len(indices)} indices"
                )
            return fetched
    return [dataset[i] for i in indices]


class StackDataset(Dataset):
    """Samples of several datasets of the same length side by side: item i is the tuple
    `(a[i], b[i], ...)` for positional datasets, or the dict `{"x": a[i], ...}` for keyword ones.

    Example:
        >>> pairs = StackDataset(image=wright.zeros(4, 2), label=wright.arange(4))
        >>> pairs[1]
        {'image': tensor([0., 0.]), 'label': tensor(1)}
    """

    def __init__(self, *args: Dataset, **kwargs: Dataset) -> None:
        if args and kwargs:
            raise ValueError(
                "StackDataset: give the datasets either positionally (tuple samples) or by "
                "keyword (dict samples), not both"
            )
        if not args and not kwargs:
            raise ValueError("StackDataset: at least one dataset should be passed")
        datasets = list(args or kwargs.values())
        self._length = len(datasets[0])
        if any(len(d) != self._length for d in datasets):
            raise ValueError(
                f"StackDataset: size mismatch between datasets {[len(d) for d in datasets]}"
            )
        self.datasets: tuple | dict = args or kwargs

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {key: d[index] for key, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __getitems__(self, indices: Sequence[int]) -> list:
        """The samples at `indices`, each dataset read with its own batched hook if it has one."""
        if isinstance(self.datasets, dict):
            columns = {key: _samples(d, indices) for key, d in self.datasets.items()}
            return [
                {key: column[i] for key, column in columns.items()} for i in range(len(indices))
            ]
        columns = [_samples(d, indices) for d in self.datasets]
        return list(zip(*columns, strict=True))

    def __len__(self) -> int:
        return self._length


class ConcatDataset(Dataset):
    """Several map-style datasets one after another.

    Attributes:
        datasets: the datasets, in order.
        cumulative_sizes: the running totals of their lengths.

    Example:
        >>> first, second = TensorDataset(wright.arange(3)), TensorDataset(wright.arange(10, 15))
        >>> both = ConcatDataset([first, second])
        >>> len(both), both[4]
        (8, (tensor(11),))
    """

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("ConcatDataset: datasets should not be an empty iterable")
        for dataset in self.datasets:
            if isinstance(dataset, IterableDataset):
                raise AssertionError(  # noqa: TRY004 - PyTorch's type
                    "ConcatDataset does not support IterableDataset; use ChainDataset"
                )
        self.cumulative_sizes = self.cumsum(self.datasets)

    @staticmethod
    def cumsum(sequence: Iterable) -> list[int]:
        """The running totals of the lengths of the datasets in `sequence`."""
        return list(accumulate(len(d) for d in sequence))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int):
        if index < 0:
            if -index > len(self):
                raise ValueError(
                    f"ConcatDataset: absolute value of index {index} should not exceed dataset "
                    f"length {len(self)}"
                )
            index += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


class ChainDataset(IterableDataset):
    """Several iterable datasets one after another (the chaining happens as they are iterated).

    Example:
        >>> class Count(IterableDataset):
        ...     def __init__(self, n):
        ...         self.n = n
        ...     def __iter__(self):
        ...         return iter(range(self.n))
        >>> list(ChainDataset([Count(2), Count(3)]))
        [0, 1, 0, 1, 2]
    """

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = datasets

    def _check(self, dataset) -> None:
        if not isinstance(dataset, IterableDataset):
            raise AssertionError(  # noqa: TRY004 - PyTorch's type
                f"ChainDataset only supports IterableDataset, got {type(dataset).__name__}"
            )

    def __iter__(self) -> Iterator:
        for dataset in self.datasets:
            self._check(dataset)
            yield from dataset

    def __len__(self) -> int:
        total = 0
        for dataset in self.datasets:
            self._check(dataset)
            total += len(dataset)
        return total


class Subset(Dataset):
    """The samples of `dataset` at the given indices, in that order.

    Args:
        dataset: the dataset to draw from.
        indices: positions in `dataset` (a list, array or other sequence of ints).

    Batches go through the parent's `__getitems__` when it has one (one call per batch).
    """

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices
        if (
            type(self).__getitem__ is not Subset.__getitem__
            and type(self).__getitems__ is Subset.__getitems__
        ):
            raise NotImplementedError(
                f"{type(self).__name__} overrides __getitem__ but not __getitems__, which the "
                "DataLoader calls instead; define __getitems__(self, indices) too, e.g. "
                "return [self[i] for i in indices]"
            )

    def _parent_indices(self, indices: Sequence[int]) -> list:
        if isinstance(self.indices, np.ndarray):
            # One gather instead of a Python loop; plain ints out, as from a list.
            return self.indices[np.asarray(indices, dtype=np.intp)].tolist()
        return [self.indices[i] for i in indices]

    def __getitem__(self, index):
        if isinstance(index, list):
            return self.dataset[self._parent_indices(index)]
        return self.dataset[self.indices[index]]

    def __getitems__(self, indices: Sequence[int]):
        """The samples at `indices`: the parent's batched answer when it has the hook, otherwise a
        list of samples."""
        getitems = getattr(self.dataset, "__getitems__", None)
        parent_indices = self._parent_indices(indices)
        if getitems:
            return getitems(parent_indices)
        return [self.dataset[i] for i in parent_indices]

    def __len__(self) -> int:
        return len(self.indices)


def _split_lengths(lengths: Sequence[int | float], total: int) -> list[int]:
    """Sizes of the parts: `lengths` itself, or the fractions of `total` it gives (rounded down,
    the leftover handed out one at a time from the first part on, as PyTorch does)."""
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = []
        for i, fraction in enumerate(lengths):
            if fraction < 0 or fraction > 1:
                raise ValueError(
                    f"random_split: fraction at index {i} is not between 0 and 1: {fraction}"
                )
            counts.append(math.floor(total * fraction))
        for i in range(total - sum(counts)):
            counts[i % len(counts)] += 1
        for i, count in enumerate(counts):
            if count == 0:
                warnings.warn(
                    f"random_split: length of split at index {i} is 0; this might result in an "
                    "empty dataset",
                    UserWarning,
                    stacklevel=3,
                )
        lengths = counts
    if sum(lengths) != total:
        raise ValueError(
            f"random_split: sum of input lengths {list(lengths)} does not equal the length of the "
            f"input dataset ({total})"
        )
    if any(isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0 for n in lengths):
        # PyTorch silently returns truncated or empty subsets for these.
        raise ValueError(
            f"random_split: lengths must be non-negative ints summing to {total}, or fractions "
            f"summing to 1, got {list(lengths)}"
        )
    return list(lengths)


def random_split(
    dataset: Dataset,
    lengths: Sequence[int | float],
    generator=None,
    *,
    seed: int | None = None,
) -> list[Subset]:
    """Split a dataset into non-overlapping random subsets, e.g. training and validation sets.

    Args:
        dataset: the dataset to split.
        lengths: sizes of the parts, summing to len(dataset); or fractions summing to 1.
        generator: a `wright.Generator` (or NumPy Generator) to draw the permutation from;
            default: wright's global generator (`wright.manual_seed`).
        seed: (wright) seeds a private generator instead, for a reproducible split.

    Returns:
        One `Subset` per entry of `lengths`, its indices a list.

    Example:
        >>> train, val = random_split(TensorDataset(wright.arange(10)), [0.8, 0.2], seed=0)
        >>> len(train), len(val)
        (8, 2)
    """
    generator = _own_generator(seed, generator, "random_split")
    counts = _split_lengths(lengths, len(dataset))
    order = backend.numpy_rng(generator).permutation(sum(counts)).tolist()
    return [
        Subset(dataset, order[stop - count : stop])
        for stop, count in zip(accumulate(counts), counts, strict=True)
    ]


def _own_generator(seed: int | None, generator, caller: str):
    """The generator to draw from: a private one made from `seed`, or `generator` (None: the
    global one)."""
    if seed is None:
        return generator
    if generator is not None:
        raise ValueError(f"{caller}: pass seed or generator, not both (got seed={seed!r} too)")
    return backend.Generator().manual_seed(seed)
