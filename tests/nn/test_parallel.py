"""DistributedDataParallel and SyncBatchNorm: real MPI jobs of 2 processes (and of 1) against one
process training on the whole batch, plus SyncBatchNorm's single-process behaviour."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from mpi_job import requires_mpi, run
from wright import nn
from wright.nn.parallel import DistributedDataParallel

# K processes with batch B/K against one with batch B, same samples in the same order. In float64
# the two differ only by the order of additions; float32 rounding after 8 steps stays below this.
FLOAT64_TOLERANCE = 1e-10
FLOAT32_TOLERANCE = 1e-5


@pytest.fixture(scope="module", params=[2, 1], ids=["2 ranks", "1 rank"])
def job(request):
    done = run("parallel.py", n=request.param)
    assert done.returncode == 0, done.stderr
    assert sorted(done.results) == list(range(request.param))
    return request.param, done.results


@requires_mpi
@pytest.mark.parametrize(
    "name",
    [
        "float64 sgd",
        "float64 adam",
        "float64 sgd blocking",
        "float64 sgd bucket views",
        "float64 syncbn",
        "float64 no_sync",
        "float32 sgd",
        "float32 syncbn",
    ],
)
def test_same_parameters_as_one_process_with_the_whole_batch(job, name):
    size, results = job
    tolerance = FLOAT64_TOLERANCE if name.startswith("float64") else FLOAT32_TOLERANCE
    assert results[0][name]["difference"] <= tolerance
    for rank in range(size):
        # The copies never drift apart: every rank applies the same averaged gradient.
        assert results[rank][name]["identical"]
    if name in ("float64 sgd", "float32 sgd", "float64 syncbn"):
        # These run with tiny buckets, so several all-reduces overlap the backward pass.
        assert results[0][name]["buckets"] > 1


@requires_mpi
def test_rank_zero_state_is_copied(job):
    size, results = job
    for rank in range(size):
        out = results[rank]
        assert out["init_sync"] and out["init_sync_seed0"]
        # Buffers are sent before each synchronised forward pass, not under no_grad.
        assert out["buffers_no_grad"] == [float(rank)] * 4
        assert out["buffers_synced"] == [0.0] * 4


@requires_mpi
def test_weights_used_twice_or_in_a_penalty(job):
    size, results = job
    for rank in range(size):
        assert results[rank]["tied"] <= 1e-6
        assert results[rank]["penalty"] <= 1e-6


@requires_mpi
def test_unused_parameters(job):
    size, results = job
    for rank in range(size):
        out = results[rank]
        assert out["unused_error"].startswith("RuntimeError: DistributedDataParallel: parameters")
        assert "find_unused_parameters=True" in out["unused_error"]
        # Rank r feeds ones * (r + 1); only rank 0 uses `sometimes`; nobody uses `never`.
        mean_input = (size + 1) / 2
        assert out["unused"] == {
            "used.weight": [[mean_input, mean_input]],
            "used.bias": [1.0],
            "sometimes.weight": [[1 / size, 1 / size]],
            "sometimes.bias": [1 / size],
            "never.weight": None,
            "never.bias": None,
        }
        assert out["outside_only"].startswith("RuntimeError: DistributedDataParallel: parameter")
        assert out["incomplete"].startswith(
            "RuntimeError: DistributedDataParallel: the previous backward pass did not give"
        )
        assert "right.weight, right.bias" in out["incomplete"]


@requires_mpi
def test_construction_errors(job):
    size, results = job
    for rank in range(size):
        out = results[rank]
        if size > 1:
            assert out["mismatch"].startswith(
                f"ValueError: DistributedDataParallel: rank {size - 1} has a different model"
            )
        else:
            assert out["mismatch"] == "nothing"
        assert out["device_ids"].startswith("ValueError: DistributedDataParallel: wright runs")


def test_needs_a_process_group():
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        DistributedDataParallel(nn.Linear(2, 2))


def _batch_norm_pair():
    plain = nn.Sequential(nn.Conv2d(2, 3, 1), nn.BatchNorm2d(3, momentum=None), nn.ReLU())
    synced = nn.Sequential(nn.Conv2d(2, 3, 1), nn.BatchNorm2d(3, momentum=None), nn.ReLU())
    synced.load_state_dict(plain.state_dict())
    return plain, nn.SyncBatchNorm.convert_sync_batchnorm(synced)


def test_convert_sync_batchnorm_keeps_order_parameters_and_mode():
    model = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.Sequential(nn.BatchNorm2d(2)))
    model[1].eval()
    weight, running_mean = model[1].weight, model[1].running_mean
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert converted is model
    assert [type(m).__name__ for m in model] == ["Linear", "SyncBatchNorm", "Sequential"]
    assert type(model[2][0]) is nn.SyncBatchNorm
    assert model[1].weight is weight and model[1].running_mean is running_mean
    assert not model[1].training and model[2][0].training
    assert [name for name, _ in model.named_parameters()] == [
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
        "2.0.weight",
        "2.0.bias",
    ]
    single = nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm1d(3, affine=False))
    assert type(single) is nn.SyncBatchNorm and single.weight is None


def test_sync_batchnorm_without_a_group_is_batchnorm():
    plain, synced = _batch_norm_pair()
    x = wright.randn(4, 2, 3, 3)
    for _ in range(2):
        a, b = plain(x), synced(x)
        assert np.array_equal(a.array, b.array)
    a.sum().backward()
    b.sum().backward()
    for p, q in zip(plain.parameters(), synced.parameters()):
        assert np.array_equal(p.grad.array, q.grad.array)
    for (name, p), (_, q) in zip(plain.named_buffers(), synced.named_buffers()):
        assert np.array_equal(p.array, q.array), name
    plain.eval()
    synced.eval()
    assert np.array_equal(plain(x).array, synced(x).array)


def test_sync_batchnorm_checks_its_input():
    norm = nn.SyncBatchNorm(3)
    with pytest.raises(ValueError, match="SyncBatchNorm 3"):
        norm(wright.randn(4))
    with pytest.raises(ValueError, match="with C = 3"):
        norm(wright.randn(4, 2))
    assert "SyncBatchNorm(3, eps=1e-05" in repr(norm)


def test_data_parallel_runs_the_module_as_it_is():
    inner = nn.Linear(3, 2)
    model = nn.DataParallel(inner, device_ids=[0])
    x = wright.randn(4, 3)
    assert model(x).equal(inner(x))
    assert list(model.state_dict()) == ["module.weight", "module.bias"]
    assert model.module is inner
