"""wright.distributed's collectives in real MPI jobs of 2 processes and of 1 (no peers), and the
process group's answers without one."""

from __future__ import annotations

import functools
import math
import operator

import pytest

import wright.distributed as dist
from mpi_job import requires_mpi, run
from wright.distributed import group as groups

FLOAT_OPS = {
    "SUM": sum,
    "AVG": lambda values: sum(values) / len(values),
    "PRODUCT": math.prod,
    "MIN": min,
    "MAX": max,
}
INT_OPS = {"BAND": operator.and_, "BOR": operator.or_, "BXOR": operator.xor}


@pytest.fixture(scope="module", params=[2, 1], ids=["2 ranks", "1 rank"])
def job(request):
    done = run("collectives.py", n=request.param)
    assert done.returncode == 0, done.stderr
    assert sorted(done.results) == list(range(request.param))
    return request.param, done.results


def _each_rank(job):
    size, results = job
    for rank in range(size):
        yield size, results[rank]


@requires_mpi
def test_group(job):
    for size, out in _each_rank(job):
        assert (out["world_size"], out["backend"], out["initialized"]) == (size, "mpi", True)
        assert out["twice"].startswith("RuntimeError: trying to initialize the default process")
        assert out["barrier"]
        assert out["destroyed"]
        assert out["after"].startswith("ValueError: Default process group has not been init")


@requires_mpi
def test_all_reduce_ops(job):
    for size, out in _each_rank(job):
        ranks = range(1, size + 1)
        for name, combine in FLOAT_OPS.items():
            expected = [combine(list(ranks)), combine([10.0 * r for r in ranks])]
            values, dtype, bumps = out[f"float_{name}"]
            assert values == pytest.approx(expected), name
            assert (dtype, bumps) == ("wright.float32", 1), name
        for name, combine in INT_OPS.items():
            expected = [functools.reduce(combine, ranks), functools.reduce(combine, [6] * size)]
            assert out[f"int_{name}"] == [expected, "wright.int64", 1], name


@requires_mpi
def test_all_reduce_dtypes_and_shapes(job):
    for size, out in _each_rank(job):
        assert out["float64_SUM"][:2] == [[sum(r + 0.5 for r in range(size))], "wright.float64"]
        assert out["int_SUM"][:2] == [[size * (size + 1) // 2, 2 * size], "wright.int64"]
        # Booleans: a sum is their "or", a minimum their "and" (as in PyTorch).
        assert out["bool_SUM"][:2] == [[True, False, True], "wright.bool"]
        assert out["bool_MIN"][:2] == [[size == 1, True], "wright.bool"]
        assert out["half_SUM"][:2] == [[size * (size + 1) / 2], "wright.float16"]
        assert out["scalar_SUM"][0] == size * (size + 1) / 2
        assert out["empty_SUM"][0] == []
        total = sum(range(1, size + 1))
        assert out["transposed"] == [[total * v for v in row] for row in [[0, 1, 2], [3, 4, 5]]]
        assert out["async"] == [True, True, True]


@requires_mpi
def test_all_reduce_errors(job):
    for _, out in _each_rank(job):
        assert out["int_AVG"].startswith("RuntimeError: all_reduce: ReduceOp.AVG needs a float")
        assert out["bad_op"].startswith("TypeError: all_reduce: op must be")
        assert out["not_tensor"].startswith("TypeError: all_reduce: expected a wright Tensor")


@requires_mpi
def test_broadcast_and_gather(job):
    for size, out in _each_rank(job):
        last = size - 1
        assert out["broadcast"] == [10.0 * last, last]
        assert out["broadcast_bad_src"].startswith("ValueError: broadcast: src rank")
        assert out["all_gather"] == [[r, 10 * r] for r in range(size)]
        assert out["all_gather_short"].startswith("ValueError: all_gather: tensor_list must hold")
        assert out["all_gather_shape"].startswith("RuntimeError: all_gather: tensor_list[0]")
        assert out["broadcast_object_list"] == [{"rank": 0}, "from 0"]
        assert out["all_gather_object"] == [{"rank": r} for r in range(size)]


@requires_mpi
def test_training_helpers(job):
    for rank, (size, out) in enumerate(_each_rank(job)):
        assert out["sum_over_ranks"] == [sum(range(size)), size]
        assert out["any_rank"] == [True, False]
        assert out["main_process"] == (rank == 0)


def test_without_a_group():
    assert not dist.is_initialized()
    assert dist.is_main_process() and dist.any_rank(True) and not dist.any_rank(False)
    assert dist.sum_over_ranks([1, 2]).tolist() == [1.0, 2.0]
    for call in (dist.get_rank, dist.get_world_size, dist.get_backend, dist.barrier):
        with pytest.raises(ValueError, match="Default process group has not been initialized"):
            call()


def test_init_arguments():
    with pytest.raises(ValueError, match="over MPI only"):
        dist.init_process_group("gloo")
    with pytest.raises(ValueError, match="init_method must be None"):
        dist.init_process_group("mpi", init_method="tcp://127.0.0.1:23456")
    with pytest.raises(ValueError, match="store is not supported"):
        dist.init_process_group("mpi", store=object())
    with pytest.raises(ValueError, match="positive number of seconds"):
        groups._timeout_seconds(-1)
    assert not dist.is_initialized()


def test_timeout_and_launcher_from_environment(monkeypatch):
    import datetime

    monkeypatch.delenv(groups.TIMEOUT_VARIABLE, raising=False)
    assert groups._timeout_seconds(None) == groups.DEFAULT_TIMEOUT_S
    assert groups._timeout_seconds(datetime.timedelta(minutes=2)) == 120.0
    monkeypatch.setenv(groups.TIMEOUT_VARIABLE, "7.5")
    assert groups._timeout_seconds(None) == 7.5
    monkeypatch.setenv(groups.TIMEOUT_VARIABLE, "soon")
    with pytest.raises(ValueError, match="number of seconds"):
        groups._timeout_seconds(None)
    for name in groups.LAUNCHER_SIZE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert dist.launched_world_size() == 1
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "4")
    assert dist.launched_world_size() == 4
