"""Samplers: the order in which a DataLoader visits a dataset's indices, and their grouping into
batches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence, Sized
from itertools import islice

import numpy as np

from wright import backend
from wright.tensor import Tensor


class Sampler:
    """Base class of samplers: subclasses define `__iter__` (yielding indices, or lists of
    indices for batch samplers) and usually `__len__`."""

    def __iter__(self) -> Iterator:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


def _iterate_order(sampler) -> Iterator[int]:
    """`__iter__` of samplers that draw a whole pass as one array (`_order()`); BatchSampler slices
    that array directly instead of collecting the indices one by one."""
    return iter(sampler._order().tolist())


class SequentialSampler(Sampler):
    """Indices 0, 1, ..., len(data_source) - 1, in order.

    Example:
        >>> list(SequentialSampler(range(3)))
        [0, 1, 2]
    """

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    __iter__ = _iterate_order

    def _order(self) -> np.ndarray:
        return np.arange(len(self.data_source))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """Indices in a random order: a new permutation on every pass, or draws with replacement.

    Args:
        data_source: the dataset (only its length is used).
        replacement: draw each index independently (repeats possible).
        num_samples: how many indices per pass (default len(data_source)); without replacement
            more than the length goes through several permutations.
        generator: a `wright.Generator` (or NumPy Generator) to draw from; default: wright's global
            generator, read at the start of every pass (`wright.manual_seed`).

    Example:
        >>> sampler = RandomSampler(range(5), generator=wright.Generator().manual_seed(0))
        >>> sorted(sampler)  # every index once per pass, in a new order each pass
        [0, 1, 2, 3, 4]
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator=None,
    ) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(
                f"RandomSampler: replacement should be a boolean value, got {replacement!r}"
            )
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(
                "RandomSampler: num_samples should be a positive integer value, got "
                f"num_samples={self.num_samples}"
            )

    @property
    def num_samples(self) -> int:
        """The number of indices one pass yields."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    __iter__ = _iterate_order

    def _order(self) -> np.ndarray:
        count = len(self.data_source)
        rng = backend.numpy_rng(self.generator)
        if self.replacement:
            return rng.integers(0, count, size=self.num_samples)
        passes = [rng.permutation(count) for _ in range(self.num_samples // count)]
        return np.concatenate([*passes, rng.permutation(count)[: self.num_samples % count]])

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a new random order on every pass.

    Example:
        >>> sampler = SubsetRandomSampler(range(50_000, 60_000))  # a validation part
    """

    def __init__(self, indices: Sequence[int], generator=None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for i in backend.numpy_rng(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """Indices 0..len(weights)-1 drawn with probabilities proportional to `weights` (e.g. to
    balance classes).

    Args:
        weights: one non-negative weight per index (need not sum to 1).
        num_samples: how many indices per pass.
        replacement: draw with replacement (the default); without it an index appears at most
            once (so num_samples can't exceed len(weights)).
        generator: a `wright.Generator` (or NumPy Generator) to draw from.

    Example:
        >>> labels = wright.tensor([0, 0, 0, 1])  # class 1 is rare: draw it as often as class 0
        >>> class_counts = wright.bincount(labels)
        >>> sampler = WeightedRandomSampler(1.0 / class_counts[labels], num_samples=len(labels))
        >>> len(list(sampler))
        4
    """

    def __init__(
        self,
        weights: Sequence[float],
        num_samples: int,
        replacement: bool = True,
        generator=None,
    ) -> None:
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(
                "WeightedRandomSampler: num_samples should be a positive integer value, got "
                f"num_samples={num_samples}"
            )
        if not isinstance(replacement, bool):
            raise ValueError(  # noqa: TRY004 - PyTorch's type
                f"WeightedRandomSampler: replacement should be a boolean value, got {replacement!r}"
            )
        array = weights.array if isinstance(weights, Tensor) else weights
        weights_array = np.asarray(array, dtype=np.float64)
        if weights_array.ndim != 1:
            raise ValueError(
                "WeightedRandomSampler: weights should be a 1d sequence but given weights have "
                f"shape {weights_array.shape}"
            )
        self.weights = weights_array
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        weights = self.weights
        if not np.isfinite(weights).all() or (weights < 0).any():
            raise RuntimeError(
                "WeightedRandomSampler: invalid multinomial distribution, the weights must be "
                "finite and non-negative"
            )
        total = weights.sum()
        if total <= 0:
            raise RuntimeError(
                "WeightedRandomSampler: invalid multinomial distribution (sum of weights <= 0)"
            )
        if not self.replacement and self.num_samples > len(weights):
            raise RuntimeError(
                f"WeightedRandomSampler: cannot draw {self.num_samples} samples without "
                f"replacement from {len(weights)} indices"
            )
        rng = backend.numpy_rng(self.generator)
        if self.replacement:
            yield from rng.choice(len(weights), self.num_samples, p=weights / total).tolist()
            return
        # An exponential race: the largest weight / Exp(1) keys win, which draws without
        # replacement with probabilities proportional to the weights; as in PyTorch, indices of
        # zero weight come last rather than never.
        keys = weights / rng.exponential(size=len(weights))
        yield from np.argsort(-keys, kind="stable")[: self.num_samples].tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Group the indices of another sampler into lists of batch_size (the last one shorter unless
    drop_last).

    Example:
        >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int, drop_last: bool) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(
                "BatchSampler: batch_size should be a positive integer value, got "
                f"batch_size={batch_size!r}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(  # noqa: TRY004 - PyTorch's type
                f"BatchSampler: drop_last should be a boolean value, got drop_last={drop_last!r}"
            )
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list]:
        if type(self.sampler).__iter__ is _iterate_order:
            # The whole pass is one array: slice it rather than collect indices one by one.
            order = self.sampler._order()
            stop = len(order) - len(order) % self.batch_size if self.drop_last else len(order)
            for start in range(0, stop, self.batch_size):
                yield order[start : start + self.batch_size].tolist()
            return
        indices = iter(self.sampler)
        while batch := list(islice(indices, self.batch_size)):
            if self.drop_last and len(batch) < self.batch_size:
                return
            yield batch

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size


class _InfiniteConstantSampler(Sampler):
    """None forever: the index stream for iterable datasets, which ignore indices."""

    def __iter__(self) -> Iterator[None]:
        while True:
            yield None


class DistributedSampler(Sampler):
    """Each process's share of a dataset for data-parallel training: with K processes, rank r
    takes every K-th index of one common order, starting at r.

    Every rank computes the same order (a permutation drawn from `seed + epoch` when shuffling), so
    the shares are disjoint and together cover the dataset. Without drop_last, the order is padded
    with its own first indices up to a multiple of K so that all ranks get the same number of
    samples (and take the same number of steps); with drop_last, its tail is dropped instead. Call
    `set_epoch(epoch)` before each epoch for a new order (`fit` does this). The order is NumPy's
    `default_rng(seed + epoch).permutation`, as `wright.randperm` draws it; PyTorch's generator
    gives a different one.

    A global batch of K * b samples is then split in the order a single process would see it:
    batch t of rank r holds the samples t*K*b + r, t*K*b + r + K, ... of the common order.

    Args:
        dataset: the dataset (only its length is used).
        num_replicas: K, the number of processes (default: the distributed world size).
        rank: this process's rank (default: from wright.distributed).
        shuffle: draw a new order each epoch; False keeps 0, 1, 2, ...
        seed: the same on every rank.
        drop_last: drop the tail that does not divide evenly, rather than pad.

    Example:
        >>> sampler = DistributedSampler(train_set, shuffle=True, seed=0)
        >>> loader = DataLoader(train_set, batch_size=32, sampler=sampler)
    """

    def __init__(
        self,
        dataset: Sized,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        if num_replicas is None or rank is None:
            from wright import distributed

            num_replicas = distributed.get_world_size() if num_replicas is None else num_replicas
            rank = distributed.get_rank() if rank is None else rank
        if not isinstance(num_replicas, int) or num_replicas < 1:
            raise ValueError(
                f"DistributedSampler: num_replicas must be a positive int, got {num_replicas!r}"
            )
        if not isinstance(rank, int) or not 0 <= rank < num_replicas:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas, self.rank = num_replicas, rank
        self.shuffle, self.seed, self.drop_last = shuffle, seed, drop_last
        self.epoch = 0
        count = len(dataset)
        if drop_last:
            self.num_samples = count // num_replicas
        else:
            self.num_samples = -(-count // num_replicas)
        self.total_size = self.num_samples * num_replicas

    __iter__ = _iterate_order

    def _order(self) -> np.ndarray:
        count = len(self.dataset)
        if self.shuffle:
            order = np.random.default_rng(self.seed + self.epoch).permutation(count)
        else:
            order = np.arange(count)
        if self.total_size > count:
            order = np.resize(order, self.total_size)  # repeats the order from its start
        return order[self.rank : self.total_size : self.num_replicas]

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use the order of this epoch on the next pass (every rank must pass the same number)."""
        self.epoch = epoch
