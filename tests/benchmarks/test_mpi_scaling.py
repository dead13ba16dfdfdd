"""The data-parallel benchmark's arithmetic: the ring all-reduce cost model, the projection and
the tables (the timed runs themselves need mpiexec and minutes, so they are not run here)."""

import mpi_scaling as bench
import pytest

RUNS = [
    {
        "workload": workload,
        "configuration": label,
        "pass": 0,
        "samples_per_s": rate,
        "seconds_per_step": 64 / rate,
        "cpu_seconds_per_step": 0.5,
        "samples": 64 * processes,
        "load_before": 1.0,
        "load_after": 1.5,
    }
    for workload in bench.WORKLOADS
    for label, processes, rate in (
        ("1 process x 1 thread", 1, 100.0),
        ("2 processes x 1 thread", 2, 190.0),
    )
]
REDUCTIONS = [
    {
        "bytes": 1024,
        "seconds": 5e-6,
        "mpi4py_seconds": 4e-6,
        "algorithm_GBps": 0.2,
        "bus_GBps": 0.2,
        "load_before": 1.0,
        "load_after": 2.0,
    }
]


def test_ring_all_reduce_cost():
    # K = 2: two messages of half the gradient each way; K = 1: nothing to send.
    assert bench.ring_seconds(1000, 1, 1e3, 1e-3, 0.0) == 0.0
    assert bench.ring_seconds(1000, 2, 1e3, 1e-3, 0.5) == pytest.approx(2e-3 + 1.0 + 0.5)
    # The bandwidth term tends to twice the message; the latency term grows with K.
    many = bench.ring_seconds(1000, 1000, 1e3, 0.0, 0.0)
    assert many == pytest.approx(2 * 999 / 1000)


def test_projection_falls_with_machines_and_rises_with_bandwidth(monkeypatch):
    monkeypatch.setattr(bench, "gradient_bytes", lambda workload: 4_000_000)
    rows = bench.projection(RUNS, REDUCTIONS)
    assert len(rows) == len(bench.WORKLOADS) * len(bench.NETWORKS) * len(bench.MACHINES)
    for workload in bench.WORKLOADS:
        for network in bench.NETWORKS:
            found = [r for r in rows if r["workload"] == workload and r["network"] == network]
            efficiencies = [r["efficiency"] for r in found]
            assert efficiencies == sorted(efficiencies, reverse=True)
            assert all(0 < e < 1 for e in efficiencies)
            assert found[0]["compute_ms"] == pytest.approx(500.0)  # the CPU time per step
    slow, fast = (
        [r["efficiency"] for r in rows if r["network"] == network] for network in bench.NETWORKS
    )
    assert all(f > s for s, f in zip(slow, fast))
    assert "| 512 |" in bench.projection_table(rows)


def test_tables():
    table = bench.scaling_table(RUNS)
    assert (
        "| lenet_train | 2 processes x 1 thread | 190.0 (190.0-190.0) | 1.90x | 128.0 | 1.0-1.5 |"
        in table
    )
    assert "| 1 KB | 5.0 us | 4.0 us |" in bench.allreduce_table(REDUCTIONS)
