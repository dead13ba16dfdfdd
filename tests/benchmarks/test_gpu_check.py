"""benchmarks/gpu_check.sh as a dry run on the CPU (DEVICE=strict): every stage but the install
runs, with a small battery, a tiny epoch and two timed steps per workload."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_dry_run_passes_every_stage_and_prints_one_table():
    pytest.importorskip("torch")
    env = {
        **os.environ,
        "DEVICE": "strict",
        "PYTHON": sys.executable,
        "BATTERY": "tests/test_devices.py::test_layer_matches_the_cpu[Linear]",
        "OMP_NUM_THREADS": "1",
    }
    done = subprocess.run(
        ["bash", str(ROOT / "benchmarks" / "gpu_check.sh")],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "== install" not in out and "dry run on the strict stand-in" in out
    assert "1 passed" in out and "cnn recipe, one MNIST epoch (4 steps of 64) on strict" in out
    assert "| workload | batch |" in out
    for workload in ("lenet", "cnn3x3", "mlp-wide", "char-lstm"):
        assert f"| {workload} | 8 |" in out
    assert out.rstrip().endswith("gpu_check: all stages passed")
