"""DataLoader worker processes: each fetches and collates whole batches in a process of its own,
and the main process hands out the work and puts the batches back in order.

Protocol: the main process sends `(task, indices)` to one worker's index queue at a time (round
robin, at most prefetch_factor tasks per worker in flight); the worker answers
`(task, pickled batch)` on the shared result queue, or `(task, pickled _Failure)` when fetching
raised. An iterable dataset's worker answers `_Exhausted` once its copy of the stream ends. `None`
tells a worker to exit; `_Restart` starts a new epoch for persistent workers.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import queue
import random
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

from wright import backend
from wright.data.fetch import make_fetcher

# How often a blocked process wakes up to check that the other side is still alive.
_POLL_SECONDS = 0.5
# How long shutdown waits for a worker to exit by itself before terminating it.
_JOIN_SECONDS = 5.0


@dataclass(frozen=True)
class WorkerInfo:
    """What a DataLoader worker process knows about itself (`get_worker_info()`).

    Attributes:
        id: this worker's number, 0 to num_workers - 1.
        num_workers: how many workers the loader runs.
        seed: the seed of this worker's random generators (wright's default generator, Python's
            `random` and NumPy's legacy global one are seeded from it).
        dataset: this process's copy of the dataset.
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """Information about the current DataLoader worker process, or None in the main process.

    Use it in an IterableDataset's `__iter__` (or a `worker_init_fn`) to give each worker its own
    share of the data.

    Example:
        >>> files = ["a.txt", "b.txt", "c.txt"]
        >>> info = get_worker_info()  # in IterableDataset.__iter__; None in the main process
        >>> files if info is None else files[info.id :: info.num_workers]
        ['a.txt', 'b.txt', 'c.txt']
    """
    return _worker_info


@dataclass(frozen=True)
class _Exhausted:
    """An iterable dataset's copy in this worker has no more samples."""

    worker_id: int


@dataclass(frozen=True)
class _Restart:
    """Persistent workers: a new epoch starts (acknowledged by sending it back)."""


@dataclass(frozen=True)
class _Failure:
    """An exception raised in a worker, carried to the main process to be raised again there."""

    exception_type: type
    text: str

    @staticmethod
    def capture(worker_id: int) -> _Failure:
        kind, error, _ = sys.exc_info()
        text = (
            f"Caught {kind.__name__} in DataLoader worker process {worker_id}.\n"
            f"Original {traceback.format_exc()}"
        )
        if isinstance(error, KeyError):
            text = repr(text)  # KeyError would print its message quoted anyway
        try:
            pickle.dumps(kind)
        except Exception:  # noqa: BLE001 - whatever stops it from pickling
            kind = RuntimeError  # a class defined inside a function can't travel
        return _Failure(kind, text)

    def reraise(self) -> None:
        try:
            error = self.exception_type(self.text)
        except Exception:  # noqa: BLE001 - a constructor that wants other arguments
            error = RuntimeError(self.text)
        try:
            raise error
        finally:
            del error  # no cycle through this frame: the iterator can be freed at once


def _pack(data, worker_id: int) -> bytes:
    # Pickle here rather than in the queue's feeder thread, where a failure would be lost and
    # leave the main process waiting forever.
    try:
        return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - reported to the main process
        return pickle.dumps(_Failure.capture(worker_id))


def _seed_worker(base_seed: int, worker_id: int) -> int:
    seed = base_seed + worker_id
    random.seed(seed)
    backend.manual_seed(seed)
    np.random.seed(np.random.SeedSequence([base_seed, worker_id]).generate_state(4))
    return seed


def _worker_loop(
    dataset,
    iterable: bool,
    index_queue,
    result_queue,
    done_event,
    auto_collation: bool,
    collate_fn,
    drop_last: bool,
    base_seed: int,
    init_fn,
    worker_id: int,
    num_workers: int,
) -> None:
    """The body of a worker process: fetch the batches asked for until told to stop (or the
    main process is gone)."""
    global _worker_info
    try:
        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
        failure = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = make_fetcher(dataset, iterable, auto_collation, collate_fn, drop_last)
        except Exception:  # noqa: BLE001 - reported to the main process
            failure = _Failure.capture(worker_id)  # reported with the first batch asked for
        parent = os.getppid()
        exhausted = False
        while True:
            try:
                task = index_queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if os.getppid() != parent or done_event.is_set():
                    break
                continue
            if task is None:
                break
            if isinstance(task, _Restart):
                exhausted = False
                if failure is None:
                    fetcher = make_fetcher(dataset, iterable, auto_collation, collate_fn, drop_last)
                result_queue.put((task, None))
                continue
            if done_event.is_set() or exhausted:
                continue
            number, index = task
            if failure is not None:
                data, failure = failure, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not iterable:
                        data = _Failure.capture(worker_id)
                    else:
                        data, exhausted = _Exhausted(worker_id), True
                except Exception:  # noqa: BLE001 - reported to the main process
                    data = _Failure.capture(worker_id)
            result_queue.put((number, _pack(data, worker_id)))
            del data, task, index
    except KeyboardInterrupt:
        pass  # the main process gets it too and shuts the workers down
    if done_event.is_set():
        # Nobody will read what is still queued: don't wait on flushing it at exit.
        result_queue.cancel_join_thread()
        result_queue.close()


class _WorkerPool:
    """The main process's side of multi-process loading: an iterator over one epoch's batches
    (reused across epochs when the workers are persistent)."""

    def __init__(self, loader) -> None:
        # Not the loader itself: a persistent loader holds this iterator, and a reference cycle
        # would keep the workers alive until the garbage collector runs.
        self._index_sampler = loader._index_sampler
        self._iterable = loader._iterable
        self._num_workers = loader.num_workers
        self._prefetch = loader.prefetch_factor
        self._in_order = loader.in_order
        self._persistent = loader.persistent_workers
        self._timeout = loader.timeout
        self._shutdown = False
        self._workers: list = []
        context = loader.multiprocessing_context or multiprocessing.get_context()
        base_seed = _base_seed(loader.generator)
        self._results = context.Queue()
        self._done = context.Event()
        self._index_queues = []
        for worker_id in range(self._num_workers):
            index_queue = context.Queue()
            index_queue.cancel_join_thread()  # never block the main process's exit on it
            process = context.Process(
                target=_worker_loop,
                args=(
                    loader.dataset,
                    self._iterable,
                    index_queue,
                    self._results,
                    self._done,
                    loader._auto_collation,
                    loader.collate_fn,
                    loader.drop_last,
                    base_seed,
                    loader.worker_init_fn,
                    worker_id,
                    self._num_workers,
                ),
                daemon=True,
            )
            process.start()
            self._index_queues.append(index_queue)
            self._workers.append(process)
        self._reset(first=True)

    def _reset(self, first: bool = False) -> None:
        self._indices = iter(self._index_sampler)
        self._sent = 0  # number of the next task to hand out
        self._next = 0  # number of the next batch to return (in order)
        self._owner: dict[int, int] = {}  # task -> worker, until its batch is returned
        self._ready: dict[int, Any] = {}  # batches that arrived ahead of their turn
        self._active = [True] * self._num_workers
        self._turns = itertools.cycle(range(self._num_workers))
        if not first:
            # Persistent workers: results of an abandoned epoch may still be in flight; they
            # arrive before each worker's acknowledgement, and are dropped.
            for index_queue in self._index_queues:
                index_queue.put(_Restart())
            waiting = self._num_workers
            while waiting:
                number, _ = self._receive()
                waiting -= isinstance(number, _Restart)
        for _ in range(self._prefetch * self._num_workers):
            self._hand_out()

    def _hand_out(self) -> None:
        """Send the next batch's indices to the next worker still running."""
        try:
            index = next(self._indices)
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker = next(self._turns)
            if self._active[worker]:
                break
        else:
            return
        self._index_queues[worker].put((self._sent, index))
        self._owner[self._sent] = worker
        self._sent += 1

    def _receive(self):
        """The next message from any worker; raises if a worker died or the timeout passed."""
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        while True:
            wait = _POLL_SECONDS
            if deadline is not None:
                wait = min(wait, max(deadline - time.monotonic(), 0.0))
            try:
                return self._results.get(timeout=wait)
            except queue.Empty:
                dead = [
                    process
                    for process, active in zip(self._workers, self._active, strict=True)
                    if active and not process.is_alive()
                ]
                if dead:
                    self._shutdown_workers()
                    pids = ", ".join(str(process.pid) for process in dead)
                    raise RuntimeError(
                        f"DataLoader worker (pid(s) {pids}) exited unexpectedly"
                    ) from None
                if deadline is not None and time.monotonic() >= deadline:
                    raise RuntimeError(
                        f"DataLoader timed out after {self._timeout} seconds"
                    ) from None

    def __iter__(self) -> _WorkerPool:
        return self

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __next__(self) -> Any:
        while True:
            # Skip tasks already returned (out of order) or owned by a worker whose stream ended.
            while self._next < self._sent:
                if self._next in self._ready:
                    break
                owner = self._owner.get(self._next)
                if owner is not None and self._active[owner]:
                    break
                self._owner.pop(self._next, None)
                self._next += 1
            else:
                if not self._persistent:
                    self._shutdown_workers()
                raise StopIteration
            if self._next in self._ready:
                number = self._next
                self._next += 1
                return self._deliver(number, self._ready.pop(number))
            number, payload = self._receive()
            data = pickle.loads(payload)
            if isinstance(data, _Exhausted):
                self._active[data.worker_id] = False
                if not self._persistent:
                    self._index_queues[data.worker_id].put(None)
                self._hand_out()
                continue
            if number == self._next:
                self._next += 1
                return self._deliver(number, data)
            if not self._in_order:
                return self._deliver(number, data)
            self._ready[number] = data

    def _deliver(self, number: int, data) -> Any:
        self._owner.pop(number, None)
        self._hand_out()
        if isinstance(data, _Failure):
            data.reraise()
        return data

    def _shutdown_workers(self) -> None:
        """Stop the workers and release the queues (safe to call more than once)."""
        if self._shutdown or not self._workers:
            return
        self._shutdown = True
        self._done.set()
        for index_queue in self._index_queues:
            index_queue.put(None)
        for process in self._workers:
            process.join(timeout=_JOIN_SECONDS)
        for index_queue in self._index_queues:
            index_queue.close()
        for process in self._workers:
            if process.is_alive():
                process.terminate()
                process.join(timeout=_JOIN_SECONDS)
        self._results.close()

    def __del__(self) -> None:
        if not sys.is_finalizing():
            self._shutdown_workers()


def _base_seed(generator) -> int:
    """A seed for this epoch's workers, drawn from a child stream of the loader's generator so
    that the parent's own draws (the shuffling) stay the same whatever num_workers is."""
    rng = backend.numpy_rng(generator)
    try:
        rng = rng.spawn(1)[0]
    except TypeError:
        pass  # a bit generator without a seed sequence to spawn from: draw from it directly
    return int(rng.integers(2**62))
