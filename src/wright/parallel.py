"""A small thread pool that runs an op's array work on slices of the batch at once, sized like the
BLAS thread pool (NumPy releases the GIL inside its kernels, so the threads compute in parallel).

The thread count follows NumPy's BLAS library: `wright --threads N`, `threadpoolctl` limits and
`OMP_NUM_THREADS` / `OPENBLAS_NUM_THREADS` set both. While a batch is split over threads, BLAS runs
one thread per call, so the two pools never stack up. The calling thread takes chunks too and the
others take whichever chunk is next, so a thread that the OS leaves waiting on a busy machine costs
at most the chunk it holds: no chunk waits for a thread that has not started.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

_local = threading.local()  # .busy: this thread is running a chunk (nested calls run serially)
_executor: ThreadPoolExecutor | None = None
_blas_libraries: list | None = None  # threadpoolctl controllers of the loaded BLAS libraries


def _blas() -> list:
    """The BLAS libraries' threadpoolctl controllers (found once, on first use)."""
    global _blas_libraries
    if _blas_libraries is None:
        try:
            from threadpoolctl import ThreadpoolController

            _blas_libraries = ThreadpoolController().select(user_api="blas").lib_controllers
        except Exception:  # noqa: BLE001 - a library threadpoolctl cannot query: stay serial
            _blas_libraries = []
    return _blas_libraries


def threads() -> int:
    """How many threads wright splits a batch over: the BLAS library's thread count, 1 inside a
    chunk (no nesting)."""
    if getattr(_local, "busy", False):
        return 1
    return max((library.get_num_threads() or 1 for library in _blas()), default=1)


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max(os.cpu_count() or 1, 2), "wright-parallel")
    return _executor


def _forget_pool() -> None:
    # A forked child has none of its parent's threads: start a pool of its own when needed.
    global _executor
    _executor = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


class _Chunks:
    """One call's chunks, taken in order by whichever thread is free."""

    def __init__(self, body: Callable[[int, int], None], bounds: list[tuple[int, int]]) -> None:
        self.body, self.bounds = body, bounds
        self.next = itertools.count()  # next() on it is atomic under the GIL
        self.left = len(bounds)
        self.lock = threading.Lock()
        self.finished = threading.Event()
        self.error: BaseException | None = None

    def work(self) -> None:
        _local.busy = True
        try:
            for index in self.next:
                if index >= len(self.bounds):
                    return
                if self.error is None:  # after an error, only count the remaining chunks off
                    try:
                        self.body(*self.bounds[index])
                    except BaseException as error:  # noqa: BLE001 - raised in the caller
                        self.error = error
                with self.lock:
                    self.left -= 1
                    if self.left == 0:
                        self.finished.set()
        finally:
            _local.busy = False


def run_chunks(body: Callable[[int, int], None], count: int, chunk: int, like=None) -> None:
    """Call `body(start, stop)` for consecutive chunks of `chunk` items covering range(count),
    spread over `threads()` threads.

    Each call must write only its own part of the results. Chunks run one after another, in the
    calling thread, when there is one thread, when the arrays (`like`) are not NumPy's, or when
    called from inside a chunk.
    """
    chunk = max(1, chunk)
    bounds = [(start, min(start + chunk, count)) for start in range(0, count, chunk)]
    workers = min(threads(), len(bounds)) if isinstance(like, np.ndarray) else 1
    if workers <= 1:
        for start, stop in bounds:
            body(start, stop)
        return
    libraries = _blas()
    saved = [library.get_num_threads() for library in libraries]
    for library in libraries:
        library.set_num_threads(1)
    chunks = _Chunks(body, bounds)
    try:
        for _ in range(workers - 1):
            _pool().submit(chunks.work)
        chunks.work()
        chunks.finished.wait()
    finally:
        for library, number in zip(libraries, saved):
            library.set_num_threads(number)
    if chunks.error is not None:
        raise chunks.error
