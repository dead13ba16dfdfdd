"""The batch-splitting thread pool: every chunk once, in parallel, errors raised in the caller, the
thread count taken from BLAS, BLAS on one thread meanwhile."""

from __future__ import annotations

import contextlib
import threading
import time

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import wright
from wright import parallel

# The real measure, for the tests that fake the machine's counters instead.
MEASURED_SPARE_CORES = parallel._spare_cores


@pytest.fixture
def three_threads(monkeypatch):
    """BLAS (and so wright) at three threads for the test, on a machine taken to be idle (whatever
    else runs beside the tests)."""
    monkeypatch.setattr(parallel, "_spare_cores", lambda: None)
    with threadpool_limits(3, user_api="blas"):
        if parallel.threads() != 3:
            pytest.skip("this BLAS does not let threadpoolctl set its thread count")
        yield


def test_every_chunk_runs_once(three_threads):
    seen = []
    parallel.run_chunks(lambda start, stop: seen.append((start, stop)), 10, 3, like=np.zeros(1))
    assert sorted(seen) == [(0, 3), (3, 6), (6, 9), (9, 10)]


def test_chunks_run_at_the_same_time(three_threads):
    # Each chunk waits for two others to arrive: only three threads at once get past the barrier.
    barrier = threading.Barrier(3, timeout=30)
    names = set()

    def body(start, stop):
        names.add(threading.current_thread().name)
        barrier.wait()

    parallel.run_chunks(body, 3, 1, like=np.zeros(1))
    assert len(names) == 3


def test_blas_runs_on_one_thread_inside_chunks(three_threads):
    counts = []
    parallel.run_chunks(
        lambda start, stop: counts.append(parallel._blas()[0].get_num_threads()),
        4,
        1,
        like=np.zeros(1),
    )
    assert counts == [1, 1, 1, 1]
    assert parallel._blas()[0].get_num_threads() == 3


def test_nested_calls_run_in_the_calling_thread(three_threads):
    inner = []

    def body(start, stop):
        outer_thread = threading.current_thread()
        parallel.run_chunks(
            lambda a, b: inner.append(threading.current_thread() is outer_thread),
            4,
            1,
            like=np.zeros(1),
        )

    parallel.run_chunks(body, 2, 1, like=np.zeros(1))
    assert inner == [True] * 8


def test_an_error_in_a_chunk_is_raised_in_the_caller(three_threads):
    def body(start, stop):
        if start == 5:
            raise ValueError("chunk 5 failed")

    with pytest.raises(ValueError, match="chunk 5 failed"):
        parallel.run_chunks(body, 8, 1, like=np.zeros(1))
    # The pool still works afterwards.
    seen = []
    parallel.run_chunks(lambda start, stop: seen.append(start), 4, 1, like=np.zeros(1))
    assert sorted(seen) == [0, 1, 2, 3]


def test_other_array_types_run_serially(three_threads):
    names = []
    parallel.run_chunks(
        lambda start, stop: names.append(threading.current_thread().name), 4, 1, like=[0.0]
    )
    assert names == [threading.current_thread().name] * 4


def test_one_thread_runs_everything_in_the_caller():
    with threadpool_limits(1, user_api="blas"):
        names = []
        parallel.run_chunks(
            lambda start, stop: names.append(threading.current_thread().name),
            4,
            1,
            like=np.zeros(1),
        )
    assert names == [threading.current_thread().name] * 4


def test_one_blas_thread_restores_the_count_and_remembers_it(three_threads):
    with parallel.one_blas_thread():
        assert parallel._blas()[0].get_num_threads() == 1
        assert parallel.threads() == 3
    assert parallel._blas()[0].get_num_threads() == 3


def test_one_blas_thread_nests_and_restores_after_an_error(three_threads):
    with pytest.raises(KeyError), parallel.one_blas_thread():
        with parallel.one_blas_thread():
            assert parallel._blas()[0].get_num_threads() == 1
        assert parallel.threads() == 3
        raise KeyError
    assert parallel._blas()[0].get_num_threads() == 3
    assert parallel.threads() == 3


def test_openblas_thread_count_is_the_one_threadpoolctl_sees(three_threads):
    # Read and set through OpenBLAS's own functions where it runs its own threads: the same count.
    library = parallel._blas()[0]
    assert library.get_num_threads() == 3
    library.set_num_threads(2)
    try:
        assert library.controller.get_num_threads() == 2
    finally:
        library.set_num_threads(3)
    assert library.controller.get_num_threads() == 3


@pytest.mark.parametrize("shape", [(1000, 300, 200), (7, 5, 3), (0, 4, 5), (64, 0, 8)])
def test_matmul_matches_numpy(three_threads, shape):
    m, k, n = shape
    rng = np.random.default_rng(0)
    a = rng.standard_normal((k, m)).T  # a transposed view, as the weight gradients pass
    b = rng.standard_normal((k, n))
    np.testing.assert_allclose(parallel.matmul(a, b), a @ b, rtol=1e-12, atol=1e-12)


@pytest.fixture
def product_routes(three_threads, monkeypatch):
    """Records whether each product was split over wright's pool; the machine's load is set by
    the test (`idle`)."""
    routes, idle = [], [True]
    split = parallel._split

    def recording_split(body, count, chunk, like, mark=False):
        routes.append("pool")
        split(body, count, chunk, like, mark)

    monkeypatch.setattr(parallel, "_split", recording_split)
    monkeypatch.setattr(parallel, "_machine_idle", lambda: idle[0])
    monkeypatch.setattr(parallel, "_pool_used_at", -float("inf"))
    return routes, idle


def big_product() -> np.ndarray:
    a, b = np.ones((256, 128), np.float32), np.ones((128, 256), np.float32)
    out = parallel.matmul(a, b)
    np.testing.assert_array_equal(out, np.full((256, 256), 128, np.float32))
    return out


def test_products_alone_run_on_blas_threads(product_routes):
    routes, _ = product_routes
    big_product()
    assert routes == []


def test_products_split_over_the_pool_while_other_ops_use_it(product_routes):
    routes, _ = product_routes
    parallel.run_chunks(lambda start, stop: None, 4, 1, like=np.zeros(1))
    routes.clear()
    big_product()
    assert routes == ["pool"]


def test_products_split_over_the_cores_a_busy_machine_leaves(product_routes, monkeypatch):
    routes, idle = product_routes
    idle[0] = False
    monkeypatch.setattr(parallel, "_spare_cores", lambda: 2)
    big_product()
    assert routes == ["pool"]


def test_with_one_core_left_a_product_runs_whole_on_one_blas_thread(product_routes, monkeypatch):
    # As at one thread: neither split into blocks nor given a second BLAS thread that would wait
    # for a core.
    routes, idle = product_routes
    idle[0] = False
    monkeypatch.setattr(parallel, "_spare_cores", lambda: 1)
    lowered = []
    one_thread = parallel.one_blas_thread

    @contextlib.contextmanager
    def recording_one_thread():
        with one_thread():
            lowered.append(parallel._blas()[0].get_num_threads())
            yield

    monkeypatch.setattr(parallel, "one_blas_thread", recording_one_thread)
    assert parallel.usable_threads() == 1
    big_product()
    assert lowered == [1]
    assert routes == []


class _Clock:
    """Stands in for the time module: wall and process CPU seconds set by the test."""

    def __init__(self):
        self.now, self.cpu = 1000.0, 0.0

    def monotonic(self):
        return self.now

    def process_time(self):
        return self.cpu


@pytest.fixture
def machine(monkeypatch):
    """A fake clock and machine-wide busy CPU seconds, with no earlier check remembered."""
    clock, busy = _Clock(), [0.0]
    monkeypatch.setattr(parallel, "time", clock)
    monkeypatch.setattr(parallel, "_busy_cpu_seconds", lambda: busy[0])
    monkeypatch.setattr(parallel, "_measured", (-float("inf"), None, None, 0.0))
    return clock, busy


def test_the_machine_is_idle_when_only_this_process_computes(machine):
    clock, busy = machine
    assert not parallel._machine_idle()  # busy until a first interval is measured
    clock.now += 1.0
    clock.cpu += 1.9  # this process kept both cores busy
    busy[0] += 1.9
    assert parallel._machine_idle()


def test_the_machine_is_busy_when_other_programs_compute(machine):
    clock, busy = machine
    parallel._machine_idle()
    clock.now += 1.0
    clock.cpu += 1.0
    busy[0] += 1.8  # another program used most of a core
    assert not parallel._machine_idle()
    clock.now += 0.1  # measured again at most every _CHECK_SECONDS
    assert not parallel._machine_idle()


def test_chunks_take_only_the_cores_other_programs_leave(machine, three_threads, monkeypatch):
    clock, busy = machine
    monkeypatch.setattr(parallel, "_spare_cores", MEASURED_SPARE_CORES)
    monkeypatch.setattr(parallel, "_CORES", 3)
    parallel._others_cores()
    clock.now += 1.0
    busy[0] += 2.0  # other programs kept two of the three cores busy
    names = set()
    parallel.run_chunks(
        lambda start, stop: names.add(threading.current_thread().name), 6, 1, like=np.zeros(1)
    )
    assert names == {threading.current_thread().name}
    assert parallel._spare_cores() == 1


def test_until_first_measured_chunks_take_one_core(machine, monkeypatch):
    clock, busy = machine
    monkeypatch.setattr(parallel, "_spare_cores", MEASURED_SPARE_CORES)
    assert parallel._spare_cores() == 1  # no interval measured yet: as on a busy machine
    clock.now += 1.0
    clock.cpu += 1.9
    busy[0] += 1.9  # only this process computed
    assert parallel._spare_cores() is None


def test_without_proc_stat_the_load_average_decides(machine, monkeypatch):
    clock, _ = machine
    monkeypatch.setattr(parallel, "_busy_cpu_seconds", lambda: None)
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (0.5, 0.5, 0.5))
    assert parallel._machine_idle()

    def no_load():
        raise OSError("no load average here")

    monkeypatch.setattr(parallel.os, "getloadavg", no_load)
    clock.now += 1.0
    assert not parallel._machine_idle()


def test_the_busy_time_of_this_machine_reads_as_seconds():
    busy = parallel._busy_cpu_seconds()
    if busy is None:
        pytest.skip("no /proc/stat here")
    assert busy > 0


@pytest.fixture
def fixed_routes():
    wright.use_deterministic_algorithms(True)
    yield
    wright.use_deterministic_algorithms(False)


def _conv_step(seed: int = 0) -> list[np.ndarray]:
    # Large enough for the convolution to split over wright's pool, and for products to split.
    wright.manual_seed(seed)
    conv, linear = wright.nn.Conv2d(1, 32, 3), wright.nn.Linear(32 * 26 * 26, 10)
    x = wright.randn(256, 1, 28, 28)
    linear(wright.relu(conv(x)).flatten(1)).square().sum().backward()
    return [p.grad.numpy().copy() for p in (conv.weight, conv.bias, linear.weight)]


def test_with_deterministic_algorithms_the_load_does_not_pick_routes(
    three_threads, fixed_routes, monkeypatch
):
    monkeypatch.setattr(parallel, "_spare_cores", MEASURED_SPARE_CORES)
    results = []
    for others, pool_just_used in [(0.0, False), (1.0, True), (2.0, False), (2.0, True)]:
        monkeypatch.setattr(parallel, "_others_cores", lambda others=others: others)
        monkeypatch.setattr(parallel, "_pool_used_at", time.monotonic() if pool_just_used else 0.0)
        assert parallel.usable_threads() == 3
        assert parallel.blas_threads_free()
        results.append(_conv_step())
    for other in results[1:]:
        for got, expected in zip(other, results[0], strict=True):
            np.testing.assert_array_equal(got, expected)
