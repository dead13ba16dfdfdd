"""`wright.train.fit` with a DistributedDataParallel model in a real 2-process MPI job: the
numbers of all ranks' data, one checkpoint by rank 0, and decisions every rank takes together."""

from __future__ import annotations

import pytest

import wright
from mpi_job import requires_mpi, run


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fit")
    done = run("fit.py", str(folder), timeout=120)
    assert done.returncode == 0, done.stderr
    return folder, done.results


@requires_mpi
def test_every_rank_records_the_global_numbers(job):
    _, results = job
    history, other = (
        {k: v for k, v in results[rank]["history"].items() if k != "time"} for rank in (0, 1)
    )
    assert history == other
    assert results[0]["weights"] == results[1]["weights"]
    assert len(history["loss"]) == 2
    # The last validation is that of all 48 samples, measured by each rank on its 24.
    assert history["val_loss"][-1] == pytest.approx(results[0]["whole"]["loss"], rel=1e-6)
    assert history["val_accuracy"][-1] == results[0]["whole"]["accuracy"]


@requires_mpi
def test_rank_zero_writes_the_bare_model(job):
    folder, _ = job
    saved = wright.load(folder / "model.npz")
    assert saved["epoch"] == 2
    assert sorted(saved["model"]) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    assert not list(folder.glob(".wright-*"))


@requires_mpi
def test_a_nan_on_one_rank_skips_the_step_on_every_rank(job):
    _, results = job
    for rank in (0, 1):
        assert results[rank]["skip"] == {"step": 5, "skipped": 1}
    assert results[0]["skip_weights"] == results[1]["skip_weights"]


@requires_mpi
def test_a_time_limit_ends_every_rank_at_the_same_step(job):
    _, results = job
    assert results[0]["timed"] == results[1]["timed"]
    assert results[0]["timed_epochs"] == results[1]["timed_epochs"]
