"""`mpiexec -n 2 wright train mnist --model cnn`: one model trained by two processes, printed and
saved once, with the numbers of the whole data, the same first epoch as one process, resumable
by any number of processes, and refused at once on a folder another run holds."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

import wright
from mpi_job import SOURCES, requires_mpi, run
from wright.train import RunLock

# 384 images: 352 to train on (11 batches of 32, none short) and 32 held out for validation.
ARGS = (
    "train",
    "mnist",
    "--model",
    "cnn",
    "--limit",
    "384",
    "--batch-size",
    "32",
    "--verbose",
    "2",
)


def _alone(*args: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(SOURCES), "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "wright", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=180,
        check=False,
    )


def _test_accuracy(output: str) -> str:
    return re.search(r"test accuracy: (\S+)%", output).group(1)


def _history(folder) -> dict:
    return json.loads((folder / "history.json").read_text())


@requires_mpi
def test_two_processes_train_like_one_and_resume_with_any_number(tmp_path):
    parallel, single = tmp_path / "parallel", tmp_path / "single"
    done = run("wright", *ARGS, "--epochs", "1", "--out", str(parallel), timeout=180)
    assert done.returncode == 0, done.stderr
    # Only rank 0 prints, and it says which process is which rank.
    assert done.stdout.count("data parallel over MPI: 2 processes (rank 0 pid ") == 1
    assert done.stdout.count("test accuracy:") == 1
    checkpoint = wright.load(parallel / "model.npz")
    assert checkpoint["model_name"] == "cnn"
    assert not any(name.startswith("module.") for name in checkpoint["model"])
    assert not (parallel / ".wright.lock").exists()

    alone = _alone(*ARGS, "--epochs", "1", "--out", str(single))
    assert alone.returncode == 0, alone.stderr
    # The first epoch visits the samples in the same order (DistributedSampler and the loader's
    # shuffle draw the same permutation from the seed), two half batches make each batch, and fit
    # sums the ranks' counts: the same training and validation numbers as one process, and the
    # same test accuracy (the test images are measured in two shares).
    two, one = _history(parallel), _history(single)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert two[key] == pytest.approx(one[key], abs=1e-4), key
    assert _test_accuracy(done.stdout) == _test_accuracy(alone.stdout)

    # One process's checkpoint continued by two, and two processes' by one.
    shutil.copytree(single, tmp_path / "one-then-two")
    more = run(
        "wright", *ARGS, "--epochs", "2", "--resume", "--out", str(tmp_path / "one-then-two")
    )
    assert more.returncode == 0, more.stderr
    assert "resuming" in more.stdout and "after epoch 1 of 2" in more.stdout
    alone = _alone(*ARGS, "--epochs", "2", "--resume", "--out", str(parallel))
    assert alone.returncode == 0, alone.stderr
    for folder in (tmp_path / "one-then-two", parallel):
        history = _history(folder)
        assert len(history["loss"]) == 2
        assert history["loss"][0] == pytest.approx(one["loss"][0], abs=1e-4)
        assert wright.load(folder / "model.npz")["epoch"] == 2


@requires_mpi
def test_a_folder_in_use_stops_every_rank_at_once(tmp_path):
    with RunLock(tmp_path):
        done = run("wright", *ARGS, "--epochs", "1", "--out", str(tmp_path), timeout=60)
    assert done.returncode != 0
    assert f"is in use by process {os.getpid()}" in done.stderr
    assert done.stderr.count("is in use by process") == 1
    assert done.seconds < 30
