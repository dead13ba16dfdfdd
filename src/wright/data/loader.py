"""DataLoader: walks a dataset in mini-batches, reshuffled every epoch, yielding wright Tensors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from wright.creation import as_tensor
from wright.data.dataset import fetch_batch, resolve_generator


def _to_tensors(batch: Any) -> Any:
    if isinstance(batch, np.ndarray):
        return as_tensor(batch)
    if isinstance(batch, tuple | list):
        return tuple(_to_tensors(part) for part in batch)
    return batch


class DataLoader:
    """Iterate over a dataset in mini-batches of `batch_size` samples.

    A batch is fetched with a single `dataset.__getitems__(indices)` call when the dataset has that
    hook (TensorDataset, Subset and MNIST do), so no Python code runs per sample; otherwise samples
    are read one by one and stacked by `default_collate`. Arrays come out as `wright.Tensor`s: a
    batch of (images, labels) arrives as a tuple (float32 Tensor, int64 Tensor).

    Args:
        dataset: a map-style dataset (`__getitem__`, `__len__`, optionally `__getitems__`).
        batch_size: samples per batch; the last batch is smaller unless `drop_last`.
        shuffle: visit the samples in a new random order on every pass (epoch).
        drop_last: skip the last batch when it has fewer than `batch_size` samples.
        seed: seeds this loader's own shuffling generator; two loaders with the same seed give the
            same sequence of epochs. Default: wright's global generator (`wright.manual_seed`).
        generator: a NumPy Generator to shuffle with, instead of `seed`.
        collate_fn: turns a list of samples into a batch; giving one makes the loader read samples
            one by one (the `__getitems__` hook returns whole batches already).

    Example:
        >>> loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True, seed=0)
        >>> for xb, yb in loader:
        ...     loss = loss_fn(model(xb), yb)
    """

    def __init__(
        self,
        dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
        generator: np.random.Generator | None = None,
        collate_fn: Callable[[list], Any] | None = None,
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
            raise TypeError(f"DataLoader: batch_size must be an int, got {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be at least 1, got {batch_size}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.collate_fn = collate_fn
        self._generator = resolve_generator(seed, generator, "DataLoader")

    def __len__(self) -> int:
        """Number of batches in one epoch."""
        count = len(self.dataset)
        return count // self.batch_size if self.drop_last else -(-count // self.batch_size)

    def _order(self) -> np.ndarray:
        count = len(self.dataset)
        return self._generator().permutation(count) if self.shuffle else np.arange(count)

    def _fetch(self, indices: np.ndarray) -> Any:
        if self.collate_fn is None:
            return fetch_batch(self.dataset, indices)
        return self.collate_fn([self.dataset[i] for i in indices.tolist()])

    def __iter__(self) -> Iterator:
        order = self._order()
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            yield _to_tensors(self._fetch(order[start : start + self.batch_size]))
