"""DataLoader: walks a dataset in mini-batches (reshuffled every epoch if asked), in this process
or in worker processes, yielding wright Tensors."""

from __future__ import annotations

import math
import multiprocessing
import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from wright.data.collate import default_collate, default_convert
from wright.data.dataset import IterableDataset, _own_generator
from wright.data.fetch import make_fetcher
from wright.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    _InfiniteConstantSampler,
)
from wright.data.worker import _WorkerPool

# Attributes that decide what an epoch yields; PyTorch forbids changing them after construction.
_FIXED = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")


class DataLoader:
    """Iterate over a dataset in mini-batches, with PyTorch's arguments and behaviour.

    A batch of a map-style dataset is fetched with one `dataset.__getitems__(indices)` call when
    the dataset has that hook; when it returns a whole batch (TensorDataset, Subset of one, MNIST)
    no Python code runs per sample. Otherwise samples are read one by one and stacked by
    `collate_fn` (default `default_collate`: arrays and numbers become Tensors, so a batch of
    (image, label) pairs arrives as a list [float32 Tensor, int64 Tensor]).

    With `num_workers > 0`, batches are fetched and collated in that many worker processes (the
    multiprocessing start method's default, or `multiprocessing_context`), `prefetch_factor` batches
    ahead per worker, and returned in order (unless `in_order=False`). Each worker seeds wright's
    default generator, `random` and NumPy's legacy global generator with `get_worker_info().seed`
    and runs `worker_init_fn(worker_id)` first. Workers exit at the end of each epoch (or when the
    iterator is dropped), unless `persistent_workers`. With the "spawn" or "forkserver" start
    methods the dataset, collate_fn and worker_init_fn must be picklable.

    Args:
        dataset: a map-style dataset (`__getitem__`, `__len__`) or an `IterableDataset`.
        batch_size: samples per batch; None turns batching off (samples come one at a time,
            converted by `default_convert`).
        shuffle: visit the samples in a new random order on every epoch (map-style only).
        sampler: the order of indices to visit (excludes shuffle).
        batch_sampler: yields whole lists of indices (excludes batch_size, shuffle, sampler and
            drop_last).
        num_workers: worker processes (0: load in this process).
        collate_fn: turns a list of samples into a batch.
        pin_memory: accepted; has no effect on the CPU (a warning says so).
        drop_last: skip the last batch when it has fewer than batch_size samples.
        timeout: seconds to wait for a batch from the workers before raising (0: forever); needs
            num_workers > 0.
        worker_init_fn: called in each worker process with its id, after seeding.
        multiprocessing_context: a start method name ("fork", "spawn", "forkserver") or context.
        generator: a `wright.Generator` (or NumPy Generator) for shuffling and the workers' seeds;
            default: wright's global generator (`wright.manual_seed`).
        prefetch_factor: batches loaded ahead per worker (default 2 when num_workers > 0).
        persistent_workers: keep the worker processes alive between epochs.
        pin_memory_device: accepted for compatibility; no effect.
        in_order: return batches in sampler order; False returns them as workers finish.
        seed: (wright) seeds a private shuffling generator instead of passing `generator`; two
            loaders with the same seed give the same sequence of epochs.

    Example:
        >>> from wright.data import TensorDataset
        >>> x, y = wright.randn(100, 3), wright.arange(100) % 2
        >>> loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, seed=0)
        >>> [len(yb) for xb, yb in loader]  # the last batch holds what is left
        [32, 32, 32, 4]
    """

    def __init__(
        self,
        dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | Iterable | None = None,
        batch_sampler: Sampler | Iterable | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context=None,
        generator=None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
        seed: int | None = None,
    ) -> None:
        self._initialized = False
        if num_workers < 0:
            raise ValueError(
                "DataLoader: num_workers option should be non-negative; use num_workers=0 to "
                f"disable multiprocessing, got {num_workers}"
            )
        if timeout < 0:
            raise ValueError(f"DataLoader: timeout option should be non-negative, got {timeout}")
        if timeout > 0 and num_workers == 0:
            raise ValueError(
                "DataLoader: timeout applies to worker processes; it needs num_workers > 0"
            )
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "DataLoader: prefetch_factor option could only be specified in multiprocessing; "
                "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                "to None"
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError(
                f"DataLoader: prefetch_factor option should be non-negative, got {prefetch_factor}"
            )
        if persistent_workers and num_workers == 0:
            raise ValueError("DataLoader: persistent_workers option needs num_workers > 0")
        generator = _own_generator(seed, generator, "DataLoader")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (False, None):
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified shuffle option, but "
                    f"got shuffle={shuffle}"
                )
            if sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified sampler option, but "
                    f"got sampler={sampler}"
                )
            if batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified batch_sampler "
                    f"option, but got batch_sampler={batch_sampler}"
                )
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "DataLoader: batch_sampler option is mutually exclusive with batch_size, "
                    "shuffle, sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "DataLoader: batch_size=None option disables auto-batching and is mutually "
                "exclusive with drop_last"
            )
        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._iterator: _WorkerPool | None = None
        self._initialized = True
        self._check_worker_count()

    @property
    def multiprocessing_context(self):
        """The multiprocessing context the workers start in (None: the default start method)."""
        return self._multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context) -> None:
        if context is not None:
            if self.num_workers == 0:
                raise ValueError(
                    "DataLoader: multiprocessing_context can only be used with multi-process "
                    f"loading (num_workers > 0), but got num_workers={self.num_workers}"
                )
            if isinstance(context, str):
                methods = multiprocessing.get_all_start_methods()
                if context not in methods:
                    raise ValueError(
                        f"DataLoader: multiprocessing_context option should specify a valid start "
                        f"method in {methods!r}, but got multiprocessing_context={context!r}"
                    )
                context = multiprocessing.get_context(context)
            if not isinstance(context, multiprocessing.context.BaseContext):
                raise TypeError(
                    "DataLoader: multiprocessing_context option should be a valid context object "
                    f"or a string specifying the start method, but got {context!r}"
                )
        self._multiprocessing_context = context

    def __setattr__(self, name: str, value) -> None:
        if name in _FIXED and getattr(self, "_initialized", False):
            raise ValueError(
                f"{name} attribute should not be set after {type(self).__name__} is initialized"
            )
        super().__setattr__(name, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self) -> Iterator:
        if self.pin_memory:
            warnings.warn(
                "DataLoader: pin_memory=True has no effect, wright computes on the CPU",
                UserWarning,
                stacklevel=2,
            )
        if self.num_workers == 0:
            return _SingleProcessIterator(self)
        if not self.persistent_workers:
            return _WorkerPool(self)
        if self._iterator is None:
            self._iterator = _WorkerPool(self)
        else:
            self._iterator._reset()
        return self._iterator

    def __len__(self) -> int:
        """Batches per epoch (for an IterableDataset: computed from its `__len__`)."""
        if self._iterable:
            length = len(self.dataset)
            if self.batch_size is not None:
                length = (
                    length // self.batch_size
                    if self.drop_last
                    else math.ceil(length / self.batch_size)
                )
            return length
        return len(self._index_sampler)

    def _check_worker_count(self) -> None:
        if self.num_workers == 0:
            return
        available = (
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        )
        if available is not None and self.num_workers > available:
            warnings.warn(
                f"DataLoader: this loader will create {self.num_workers} worker processes, more "
                f"than the {available} CPUs available; that can make loading slower or freeze it",
                UserWarning,
                stacklevel=3,
            )


class _SingleProcessIterator:
    """One epoch of batches, loaded in this process."""

    def __init__(self, loader: DataLoader) -> None:
        self._index_sampler = loader._index_sampler
        self._indices = iter(self._index_sampler)
        self._fetcher = make_fetcher(
            loader.dataset,
            loader._iterable,
            loader._auto_collation,
            loader.collate_fn,
            loader.drop_last,
        )

    def __iter__(self) -> _SingleProcessIterator:
        return self

    def __next__(self) -> Any:
        return self._fetcher.fetch(next(self._indices))

    def __len__(self) -> int:
        return len(self._index_sampler)
