"""A small thread pool that runs an op's array work on slices of the batch at once, sized like the
BLAS thread pool (NumPy releases the GIL inside its kernels, so the threads compute in parallel).

The thread count follows NumPy's BLAS library: `wright --threads N`, `threadpoolctl` limits and
`OMP_NUM_THREADS` / `OPENBLAS_NUM_THREADS` set both. While a batch is split over threads, BLAS runs
one thread per call, so the two pools never stack up. The calling thread takes chunks too and the
others take whichever chunk is next, so a thread that the OS leaves waiting on a busy machine costs
at most the chunk it holds: no chunk waits for a thread that has not started. Matrix products
(`matmul`) use BLAS's own threads instead while no other op has used this pool for a second and the
machine is idle: a model made only of products then runs as fast as with NumPy alone.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import numpy as np


class _ThreadState(threading.local):
    """Per thread: `busy` while the thread runs a chunk (nested calls run serially); `limited`, the
    BLAS thread count from before `one_blas_thread` lowered it, while it does. Class defaults, so
    reading them never raises (a caught AttributeError costs microseconds on every product)."""

    busy = False
    limited: int | None = None


_local = _ThreadState()
_executor: ThreadPoolExecutor | None = None
_blas_libraries: list | None = None  # the loaded BLAS libraries' thread counts (`_blas`)
_pool_used_at = -float("inf")  # time.monotonic() when an op last needed the pool (`pool_needed`)
_fixed_routes = False  # `fix_routes`


def fix_routes(fixed: bool) -> None:
    """Choose every op's route (BLAS's threads or wright's pool, block and slice sizes) by the
    thread count alone, not by the machine's load or the time since the pool was last used: each
    route rounds differently, so only then does a run at more than one thread repeat bit for bit.
    `wright.use_deterministic_algorithms(True)` turns this on; it costs the busy-machine sizing."""
    global _fixed_routes
    _fixed_routes = bool(fixed)


class _BlasLibrary:
    """A loaded BLAS library's thread count. Where OpenBLAS runs its own thread pool, read and set
    through its C functions: threadpoolctl's calls cost 2-3 microseconds, and a product on a busy
    machine sets the count twice. Through threadpoolctl's controller otherwise."""

    def __init__(self, controller) -> None:
        self.controller = controller
        self.get_num_threads = controller.get_num_threads
        self.set_num_threads = controller.set_num_threads
        if getattr(controller, "threading_layer", None) == "pthreads":
            get = self.openblas_function("openblas_get_num_threads")
            set_ = self.openblas_function("openblas_set_num_threads")
            if get is not None and set_ is not None:
                self.get_num_threads, self.set_num_threads = get[0], set_[0]

    def openblas_function(self, name: str) -> tuple[ctypes._CFuncPtr, bool] | None:
        """OpenBLAS's C function `name` (e.g. "cblas_sgemm") and whether this build takes 64-bit
        integers; None when the library is not OpenBLAS or lacks it. NumPy's wheels name them
        with a "scipy_" prefix and a "64_" suffix; other builds keep the plain names."""
        if getattr(self.controller, "internal_api", None) != "openblas":
            return None
        try:
            library = ctypes.CDLL(self.controller.filepath)
        except OSError:  # listed by threadpoolctl but not loadable by path
            return None
        for prefix, suffix in itertools.product(("scipy_", ""), ("64_", "_64", "")):
            function = getattr(library, f"{prefix}{name}{suffix}", None)
            if function is not None:
                return function, suffix != ""
        return None


def _blas() -> list[_BlasLibrary]:
    """The loaded BLAS libraries (found once, on first use)."""
    global _blas_libraries
    if _blas_libraries is None:
        try:
            from threadpoolctl import ThreadpoolController

            controllers = ThreadpoolController().select(user_api="blas").lib_controllers
            _blas_libraries = [_BlasLibrary(controller) for controller in controllers]
        except Exception:  # noqa: BLE001 - a library threadpoolctl cannot query: stay serial
            _blas_libraries = []
    return _blas_libraries


def threads() -> int:
    """How many threads wright splits a batch over: the BLAS library's thread count, 1 inside a
    chunk (no nesting)."""
    return _threads(None)


def _threads(counts: list | None) -> int:
    # threads(), given the BLAS libraries' counts when the caller has just read them.
    if _local.busy:
        return 1
    limited = _local.limited
    if limited is not None:
        return limited
    if counts is None:
        counts = [library.get_num_threads() for library in _blas()]
    most = 1  # a loop: max() over a comprehension costs a microsecond, on every product
    for count in counts:
        if count and count > most:
            most = count
    return most


def usable_threads() -> int:
    """`threads()`, but no more than the cores other programs leave free (`_spare_cores`): what
    to size an op's chunks for, so that on a busy machine a chunk does not wait for a core."""
    return _usable(threads())


def _usable(count: int) -> int:
    spare = _spare_cores() if count > 1 else None
    return count if spare is None else min(count, spare)


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max(_CORES, 2), "wright-parallel")
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


class one_blas_thread:  # used like a function: `with one_blas_thread():`
    """Run BLAS on one thread inside the block (restored after): for threads of wright's own that
    call BLAS at once, and for products too small to split (a second BLAS thread makes them
    several times slower on a busy machine, where it waits to be scheduled at every call). A class
    rather than a generator: a product on a busy machine enters one, and that costs a microsecond
    less."""

    __slots__ = ("limited", "saved")

    def __enter__(self) -> None:
        libraries = _blas()
        self.saved = saved = [library.get_num_threads() for library in libraries]
        outer = _threads(saved)
        for library, number in zip(libraries, saved):
            if number != 1:
                library.set_num_threads(1)
        self.limited, _local.limited = _local.limited, outer

    def __exit__(self, *error) -> None:
        _local.limited = self.limited
        for library, number in zip(_blas(), self.saved):
            if number != 1:
                library.set_num_threads(number)


def run_chunks(
    body: Callable[[int, int], None], count: int, chunk: int, like=None, mark: bool = True
) -> None:
    """Call `body(start, stop)` for consecutive chunks of `chunk` items covering range(count),
    spread over `usable_threads()` threads.

    Each call must write only its own part of the results. Chunks run one after another, in the
    calling thread, when there is one thread, when the arrays (`like`) are not NumPy's, or when
    called from inside a chunk. A call that splits notes that the pool is in use (so products and
    small ops use it too, see `blas_threads_free`), unless `mark` is False: for ops whose chunks
    depend on that note, which call `pool_needed` when their own size calls for the pool.
    """
    _split(body, count, chunk, like, mark)


def pool_needed() -> None:
    """Note that an op is too large to run without wright's pool: for `_POOL_WINDOW` seconds,
    products and small ops split over it too rather than use BLAS's threads."""
    global _pool_used_at
    _pool_used_at = time.monotonic()


def _split(
    body: Callable[[int, int], None], count: int, chunk: int, like, mark: bool = False
) -> None:
    """`run_chunks`; `mark`: note the time when the pool is used (for `blas_threads_free`; the
    products' own splitting does not)."""
    chunk = max(1, chunk)
    bounds = [(start, min(start + chunk, count)) for start in range(0, count, chunk)]
    configured = threads() if isinstance(like, np.ndarray) else 1
    usable = _usable(configured)
    workers = min(usable, len(bounds))
    if workers <= 1:
        # A busy machine left one core: BLAS gets one thread too.
        with one_blas_thread() if usable < configured else nullcontext():
            for start, stop in bounds:
                body(start, stop)
        return
    if mark:
        pool_needed()
    chunks = _Chunks(body, bounds)
    with one_blas_thread():
        for _ in range(workers - 1):
            _pool().submit(chunks.work)
        chunks.work()
        chunks.finished.wait()
    if chunks.error is not None:
        raise chunks.error


# OpenBLAS runs products of fewer multiply-adds than this on one thread whatever its setting
# (65536 times its default GEMM_MULTITHREAD_THRESHOLD of 4): they need no thread bookkeeping.
_ONE_THREAD_PRODUCT = 1 << 18
# Products smaller than this (about 20 microseconds on one core) are not worth splitting.
_SPLIT_PRODUCT = 1 << 20
# For this long after an op ran on wright's pool, products run on it too (see `blas_threads_free`).
_POOL_WINDOW = 1.0
# How much CPU other programs use is re-measured at most this often (seconds).
_CHECK_SECONDS = 0.25
# Other programs using less than this many cores' worth of CPU time leave the machine idle.
_IDLE_LIMIT = 0.25
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
# Read once: glibc's os.cpu_count() reads a file under /sys each time (about 20 us on this virtual
# machine), and `_spare_cores` runs for every product on a busy machine.
_CORES = os.cpu_count() or 1
# (when measured, other programs' use in cores or None when unknown, the machine's busy CPU
# seconds then or None where unmeasurable, this process's then)
_measured: tuple[float, float | None, float | None, float] = (-float("inf"), None, None, 0.0)


def _busy_cpu_seconds() -> float | None:
    """CPU seconds every core has spent busy since boot (Linux's /proc/stat), None elsewhere."""
    try:
        with open("/proc/stat", "rb") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and waiting for I/O
    return (sum(fields[:8]) - idle) / _TICKS


def _others_cores() -> float | None:
    """How many cores' worth of CPU time other programs used since the last measurement: the
    machine's busy time less this process's own (Linux); None when unknown (elsewhere, or at the
    first measurement, which has no interval behind it)."""
    global _measured
    now = time.monotonic()
    when, others, machine_before, mine_before = _measured
    if now - when < _CHECK_SECONDS:
        return others
    machine, mine = _busy_cpu_seconds(), time.process_time()
    others = None
    if machine is not None and machine_before is not None:
        others = max(0.0, (machine - machine_before) - (mine - mine_before)) / (now - when)
    _measured = (now, others, machine, mine)
    return others


def _machine_idle() -> bool:
    """Whether other programs leave the cores to this process: they used less than `_IDLE_LIMIT`
    cores lately (busy until first measured), or, where that cannot be measured, the 1-minute load
    average (which counts this process's threads) is below cores + 1."""
    others = _others_cores()
    if others is not None:
        return others < _IDLE_LIMIT
    if _measured[2] is not None:
        # Measurable, but not measured yet: the machine counts as busy until it is.
        return False
    try:
        return os.getloadavg()[0] < _CORES + 1
    except OSError:  # no load average either: assume the machine is shared
        return False


def _spare_cores() -> int | None:
    """The cores other programs leave free, when they use more than `_IDLE_LIMIT` of them (else
    None): wright's pool then uses no more threads than this, so that on a busy machine chunks
    run on fewer threads rather than waiting for a core. Until a first interval is measured (a
    quarter of a second), one: split over cores another program holds, a step is slower than on
    one thread, while on an idle machine one thread costs only that quarter second."""
    if _fixed_routes:
        return None
    others = _others_cores()
    if others is None:
        return 1 if _measured[2] is not None else None
    if others < _IDLE_LIMIT:
        return None
    return max(1, round(_CORES - others))


def blas_threads_free() -> bool:
    """Whether products may run on BLAS's own threads rather than wright's pool, and small ops on
    the calling thread alone (see `wright.ops.conv`).

    BLAS's threads wait for the next product by spinning, so they take it up in microseconds where
    waking a thread of wright's pool costs tens (75 on a virtual machine measured here); a model
    made only of products (an MLP) runs fastest on them. But a spinning BLAS thread keeps taking
    its core for a while after each product, from wright's pool and from other programs: while the
    pool runs the model's other ops (convolutions, pooling, recurrent steps), or when the machine
    is busy, the products split over the pool instead.
    """
    if _fixed_routes:
        return True
    return time.monotonic() - _pool_used_at > _POOL_WINDOW and _machine_idle()


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b for 2-D arrays, on BLAS's threads or in blocks of a's rows over wright's pool.

    Unlike BLAS's own threads, a thread that the OS leaves waiting delays only its block (see the
    module docstring), so a busy machine is not slowed down; small products run on one thread.
    """
    (m, k), n = a.shape, b.shape[1]
    if m * n * k < _ONE_THREAD_PRODUCT or not isinstance(a, np.ndarray) or blas_threads_free():
        return a @ b
    configured = threads()
    if configured == 1:
        return a @ b
    count = _usable(configured)
    if count == 1 or m * n * k < _SPLIT_PRODUCT or m < 2 * count:
        with one_blas_thread():
            return a @ b
    out = np.empty((m, n), np.result_type(a.dtype, b.dtype))

    def block(start, stop):
        np.matmul(a[start:stop], b, out=out[start:stop])

    # Two blocks per thread, so a thread that starts late finds work left to share.
    _split(block, m, -(-m // (2 * count)), a)
    return out
