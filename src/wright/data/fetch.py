"""Fetchers: turn what a sampler yields into a batch, for map-style and iterable datasets; used
by the DataLoader in the main process and in its worker processes alike."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import islice
from typing import Any

from wright.data.collate import default_collate, default_convert


class _MapFetcher:
    """Reads `dataset[index]`, or a batch of indices through the `__getitems__` hook when the
    dataset has one (see `wright.data.dataset`)."""

    def __init__(self, dataset, auto_collation: bool, collate_fn: Callable) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.getitems = getattr(dataset, "__getitems__", None) or None

    def fetch(self, index) -> Any:
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.getitems is not None:
            fetched = self.getitems(index)
            if isinstance(fetched, list):  # samples, PyTorch's contract
                return self.collate_fn(fetched)
            if self.collate_fn is default_collate:  # a whole batch already: wright's fast path
                return default_convert(fetched)
            # A custom collate_fn wants samples, which this hook doesn't give: read them one at a
            # time from now on.
            self.getitems = None
        return self.collate_fn([self.dataset[i] for i in index])


class _IterableFetcher:
    """Pulls samples from the dataset's iterator: as many as the batch has indices, or one."""

    def __init__(
        self, dataset, auto_collation: bool, collate_fn: Callable, drop_last: bool
    ) -> None:
        self.iterator = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index) -> Any:
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.iterator))
        samples = list(islice(self.iterator, len(index)))
        if len(samples) < len(index):
            self.ended = True
            if not samples or self.drop_last:
                raise StopIteration
        return self.collate_fn(samples)


def make_fetcher(dataset, iterable: bool, auto_collation: bool, collate_fn, drop_last: bool):
    """The fetcher for `dataset` (iterable or map-style)."""
    if iterable:
        return _IterableFetcher(dataset, auto_collation, collate_fn, drop_last)
    return _MapFetcher(dataset, auto_collation, collate_fn)


def fetch_batch(dataset, indices: Sequence[int], collate_fn: Callable = default_collate) -> Any:
    """The batch at `indices` of a map-style dataset, as a DataLoader would make it.

    With the default collate_fn, a dataset whose `__getitems__` returns a whole batch (wright's
    fast path) is read in one call; otherwise the samples (from `__getitems__` or one
    `dataset[i]` at a time) go through `collate_fn`.

    Example:
        >>> from wright.data import TensorDataset
        >>> dataset = TensorDataset(wright.randn(5, 2), wright.arange(5))
        >>> inputs, labels = fetch_batch(dataset, [0, 3, 4])
        >>> inputs.shape, labels
        (wright.Size([3, 2]), tensor([0, 3, 4]))
    """
    return _MapFetcher(dataset, True, collate_fn).fetch(indices)
