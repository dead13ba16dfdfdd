"""Time two versions of wright against PyTorch in the same alternating passes: a before/after table.

    python benchmarks/compare.py --baseline ../main/src mnist_cnn_train lstm_train --threads 1 2

The baseline's wright is imported from the `--baseline` source folder (its PYTHONPATH), the other
from this process's PYTHONPATH; the workloads are this checkout's. Each pass runs wright, torch and
the baseline wright, each in its own process, in alternating order, so one torch run serves both
ratios and drift in a shared machine's load hits all three alike. The table gives, per workload and
thread count, the median over passes of each wright's time over torch's (min-max), of the new
wright's time over the baseline's, the peak resident memory of each side and the load range.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

import machine
import workloads
from bench import HERE, TableReport, thread_counts
from worker import run_pinned

SIDES = ("wright", "torch", "baseline")


def run_side(side: str, workload: str, steps: int | None, threads: int, baseline: str) -> dict:
    """One timing run of `side` in a fresh child process."""
    framework = "torch" if side == "torch" else "wright"
    arguments = ["--framework", framework, "--workload", workload, "--threads", str(threads)]
    if steps:
        arguments += ["--steps", str(steps)]
    extra = {"PYTHONPATH": baseline} if side == "baseline" else None
    return run_pinned(HERE / "worker.py", arguments, threads, extra)


def median_cell(values: list[float]) -> str:
    """`median (min-max)` with two decimals."""
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def row_cells(name: str, threads: int, runs: dict[str, list[dict]]) -> list[str]:
    """One table row from every side's runs (in pass order)."""

    def times(side):
        return [r["seconds_per_step"] for r in runs[side]]

    def ratios(top, bottom):
        return [a / b for a, b in zip(times(top), times(bottom), strict=True)]

    loads = [r["load_1min"] for side in SIDES for r in runs[side]]
    return [
        name,
        str(threads),
        *(
            f"{statistics.median(times(side)) * 1e3:.2f}"
            for side in ("baseline", "wright", "torch")
        ),
        median_cell(ratios("baseline", "torch")),
        median_cell(ratios("wright", "torch")),
        median_cell(ratios("wright", "baseline")),
        " / ".join(f"{max(r['peak_rss_mb'] for r in runs[side]):.0f}" for side in SIDES),
        f"{min(loads):.1f}-{max(loads):.1f}",
    ]


COLUMNS = (
    "workload",
    "threads",
    "before ms",
    "after ms",
    "torch ms",
    "before/torch",
    "after/torch",
    "after/before",
    "peak RSS MiB after / torch / before",
    "load",
)


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, run the passes, print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", default=None, help="default: all")
    parser.add_argument("--baseline", required=True, help="source folder of the baseline wright")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--threads", nargs="+", default=["1"], metavar="N")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None, help="write every run here")
    args = parser.parse_args(argv)
    baseline = str(Path(args.baseline).resolve())
    names = args.workloads or workloads.available()
    report = TableReport(COLUMNS, args.json)
    for threads in thread_counts(args.threads):
        print(machine.one_line(machine.facts()) + f", threads={threads}", file=sys.stderr)
        for name in names:
            runs: dict[str, list[dict]] = {side: [] for side in SIDES}
            for index in range(args.passes):
                for side in SIDES if index % 2 == 0 else SIDES[::-1]:
                    result = run_side(side, name, args.steps, threads, baseline)
                    runs[side].append(result)
                    print(
                        f"  {name}@{threads} pass {index + 1} {side:8s} "
                        f"{result['seconds_per_step'] * 1e3:9.3f} ms/step "
                        f"load {os.getloadavg()[0]:.1f}",
                        file=sys.stderr,
                        flush=True,
                    )
            report.add(row_cells(name, threads, runs), f"{name}@{threads}", runs)
    report.finish()


if __name__ == "__main__":
    main()
