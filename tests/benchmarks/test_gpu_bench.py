"""The GPU benchmark's steps, run on the strict stand-in for a GPU: same weights and batches as
PyTorch's side (on the CPU here), so the first losses agree; a tiny timed run and epoch."""

import gpu_bench
import numpy as np
import pytest


@pytest.mark.parametrize("workload", list(gpu_bench.WORKLOADS))
def test_steps_match_torch(workload):
    pytest.importorskip("torch")
    ours = gpu_bench.build_step("wright", workload, 4, "strict")
    theirs = gpu_bench.build_step("torch", workload, 4, "cpu")
    first = [float(ours().detach()), float(theirs().detach())]
    second = [float(ours().detach()), float(theirs().detach())]
    assert np.isfinite(first + second).all()
    if workload != "cnn3x3":  # dropout masks differ between the frameworks
        np.testing.assert_allclose(first[0], first[1], rtol=1e-4)
        np.testing.assert_allclose(second[0], second[1], rtol=1e-3)


def test_timing_and_table():
    step = gpu_bench.build_step("wright", "mlp-wide", 4, "strict")
    seconds, loss = gpu_bench.time_step("wright", step, steps=2, warmup=1)
    assert seconds > 0 and np.isfinite(loss)
    row = {"workload": "mlp-wide", "batch": 4, "wright_ms": 3.0, "torch_ms": 2.0, "ratio": 1.5}
    text = gpu_bench.table([row], "strict", markdown=True)
    assert "| mlp-wide | 4 | 3.00 | 2.00 | 1.50 | yes |" in text


def test_epoch_runs_on_a_device():
    found = gpu_bench.epoch("strict", cpu_steps=1, threads=1, limit=128)
    assert found["steps"] == 2 and 0 <= found["accuracy"] <= 1
    assert found["seconds"] > 0 and found["cpu_seconds"] > 0
