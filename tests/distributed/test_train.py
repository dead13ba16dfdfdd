"""`mpiexec -n 2 wright train mnist --model cnn`: one model trained by two processes, printed and
saved once, with the numbers of the whole data, and the same first epoch as one process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import wright
from mpi_job import SOURCES, requires_mpi, run

ARGS = ("train", "mnist", "--model", "cnn", "--limit", "768", "--epochs", "1", "--verbose", "2")


@requires_mpi
def test_two_processes_train_like_one(tmp_path):
    parallel, single = tmp_path / "parallel", tmp_path / "single"
    done = run("wright", *ARGS, "--out", str(parallel), timeout=180)
    assert done.returncode == 0, done.stderr
    # Only rank 0 prints, and it says which process is which rank.
    assert done.stdout.count("data parallel over MPI: 2 processes (rank 0 pid ") == 1
    assert done.stdout.count("test accuracy:") == 1
    checkpoint = wright.load(parallel / "model.npz")
    assert checkpoint["model_name"] == "cnn"
    assert not any(name.startswith("module.") for name in checkpoint["model"])

    environment = {**os.environ, "PYTHONPATH": str(SOURCES), "OMP_NUM_THREADS": "1"}
    alone = subprocess.run(
        [sys.executable, "-m", "wright", *ARGS, "--out", str(single)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=180,
        check=False,
    )
    assert alone.returncode == 0, alone.stderr
    # The first epoch visits the samples in the same order (DistributedSampler and the loader's
    # shuffle draw the same permutation from the seed), two half batches make each batch, and fit
    # sums the ranks' counts: the same training and validation numbers as one process.
    two, one = (json.loads((folder / "history.json").read_text()) for folder in (parallel, single))
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert two[key] == pytest.approx(one[key], abs=1e-4), key
