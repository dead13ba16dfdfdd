"""Keep the benchmarks working: two steps of every side with equal losses, a tiny timed run."""

import functools
import json

import bench
import pytest
import workloads
from workload_kit import loss_value

NAMES = workloads.available()


@functools.cache
def two_losses(name: str, framework: str) -> tuple[float, float]:
    """The losses of the first two steps; cached, as every side is compared with wright's.

    A workload whose step draws random numbers (dropout) is built without them.
    """
    module = workloads.load(name)
    options = {} if getattr(module, "DETERMINISTIC", True) else {"train": False}
    step = workloads.builder(module, framework)(0, **options)
    return loss_value(step()), loss_value(step())


@pytest.mark.parametrize("name", NAMES)
def test_workload_follows_the_contract(name):
    module = workloads.load(name)
    assert module.__doc__ and module.BATCH_SIZE > 0 and module.STEPS > 0
    assert callable(module.build_wright) and callable(module.build_torch)


@pytest.mark.parametrize("name", NAMES)
def test_wright_side_runs_and_trains(name):
    first, second = two_losses(name, "wright")
    assert 0 < first < 100 and 0 < second < 100
    if getattr(workloads.load(name), "TRAINS", True):
        assert second < first


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("framework", ["numpy", "torch"])
def test_side_trains_the_same_network_as_wright(name, framework):
    """Same data, weights, batches and update rule: the first two losses agree with wright's."""
    if framework == "torch":
        pytest.importorskip("torch")
    if workloads.builder(workloads.load(name), framework) is None:
        pytest.skip(f"{name} has no build_{framework}")
    assert two_losses(name, framework) == pytest.approx(two_losses(name, "wright"), rel=1e-4)


def test_unknown_workload_is_named_in_the_error():
    with pytest.raises(ValueError, match="unknown workload 'nope'.*mlp_lecture"):
        workloads.load("nope")


def test_worker_process_reports_timings():
    result = bench.run_worker("wright", "mlp_lecture", steps=5, threads=1)
    assert result["framework"] == "wright" and result["steps"] == 5
    assert result["seconds_per_step"] > 0 and result["peak_rss_mb"] > 0


def test_table_shows_median_ratio_and_verdict():
    def runs(*seconds):
        return [{"seconds_per_step": s, "peak_rss_mb": 50.0} for s in seconds]

    results = {
        "wright": runs(1.0, 3.0, 2.0),
        "torch": runs(2.0, 2.0, 2.0),
        "numpy": runs(1.0, 1.0, 1.0),
    }
    row = bench.summarise("mlp_lecture", results, threads=1)
    assert row["wright_ratios"] == [0.5, 1.5, 1.0] and row["wright_ratio"] == 1.0
    assert bench.verdict(row) == "MISSES required"
    table = bench.format_table([row], markdown=True)
    assert "| mlp_lecture | 1 |" in table and "1.00 (0.50-1.50)" in table and "|---|" in table


def test_thread_sweep_is_one_two_and_every_core(monkeypatch):
    monkeypatch.setattr(bench.os, "cpu_count", lambda: 8)
    assert bench.thread_counts(["sweep"]) == [1, 2, 8]
    assert bench.thread_counts(["2", "sweep"]) == [2, 1, 8]
    monkeypatch.setattr(bench.os, "cpu_count", lambda: 2)
    assert bench.thread_counts(["sweep"]) == [1, 2]
    with pytest.raises(Exception, match="positive integers or 'sweep'"):
        bench.thread_counts(["0"])


def test_table_shows_the_load_the_runs_ended_under():
    runs = [
        {"seconds_per_step": 1.0, "peak_rss_mb": 50.0, "load_1min": load} for load in (0.4, 1.2)
    ]
    row = bench.summarise("mlp_lecture", {"wright": runs, "torch": runs}, threads=2)
    assert bench.format_table([row], markdown=True).splitlines()[-1].endswith("| 0.4-1.2 |")


def test_comparison_row_takes_each_ratio_within_a_pass():
    import compare

    def runs(*seconds):
        return [{"seconds_per_step": s, "peak_rss_mb": 60.0, "load_1min": 0.5} for s in seconds]

    row = compare.row_cells(
        "lenet_train",
        2,
        {
            "wright": runs(1.0, 2.0, 1.5),
            "torch": runs(2.0, 2.0, 2.0),
            "baseline": runs(2.0, 4.0, 2.0),
        },
    )
    assert row[:5] == ["lenet_train", "2", "2000.00", "1500.00", "2000.00"]
    assert row[5:8] == ["1.00 (1.00-2.00)", "0.75 (0.50-1.00)", "0.50 (0.50-0.75)"]
    assert row[8:] == ["60 / 60 / 60", "0.5-0.5"]


def test_table_report_shows_each_row_as_it_comes_and_keeps_the_runs(tmp_path, capsys):
    path = tmp_path / "runs.json"
    report = bench.TableReport(("workload", "ratio"), path)
    report.add(["mlp_lecture", "0.50"], "mlp_lecture@1", [{"seconds_per_step": 0.001}])
    assert capsys.readouterr().err == "| mlp_lecture | 0.50 |\n"
    assert json.loads(path.read_text()) == {"mlp_lecture@1": [{"seconds_per_step": 0.001}]}
    report.add(["lenet_train", "0.92"], "lenet_train@2", [])
    report.finish()
    assert capsys.readouterr().out.splitlines() == [
        "| workload | ratio |",
        "|---|---|",
        "| mlp_lecture | 0.50 |",
        "| lenet_train | 0.92 |",
    ]
