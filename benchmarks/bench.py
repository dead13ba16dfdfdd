"""Run the same training workloads in wright and PyTorch, side by side, and report the time ratios.

    python benchmarks/bench.py                              # every workload, 3 passes, 1 thread
    python benchmarks/bench.py mlp_lecture --passes 5 --threads 2 --markdown
    python benchmarks/bench.py mnist_cnn_train --threads sweep   # 1, 2 and every core

Each framework runs in its own process (two BLAS thread pools in one process distort the ratio),
with the same thread count. Passes alternate the order (wright torch numpy, then numpy torch wright,
...) so drift in the machine's load hits both sides alike; the ratio is taken within each pass, and
its median over passes is the number to read. The hand-written NumPy step, where a workload has one,
is the floor.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from importlib.util import find_spec
from pathlib import Path

import machine
import workloads
from worker import run_pinned

HERE = Path(__file__).resolve().parent


def run_worker(framework: str, workload: str, steps: int | None, threads: int) -> dict:
    """Time `workload` in `framework` in a fresh child process and return its JSON result."""
    arguments = ["--framework", framework, "--workload", workload, "--threads", str(threads)]
    if steps:
        arguments += ["--steps", str(steps)]
    return run_pinned(HERE / "worker.py", arguments, threads)


def frameworks_for(workload_name: str, wanted: list[str]) -> list[str]:
    """The wanted frameworks that this workload builds and this machine has installed."""
    module = workloads.load(workload_name)
    return [
        name
        for name in wanted
        if workloads.builder(module, name) is not None and find_spec(name) is not None
    ]


def bench_workload(
    name: str, frameworks: list[str], passes: int, steps: int | None, threads: int, log=print
) -> dict[str, list[dict]]:
    """All passes of one workload: framework name -> one result dict per pass, in pass order."""
    results: dict[str, list[dict]] = {framework: [] for framework in frameworks}
    for index in range(passes):
        order = frameworks if index % 2 == 0 else frameworks[::-1]
        for framework in order:
            result = run_worker(framework, name, steps, threads)
            results[framework].append(result)
            log(
                f"  {name} pass {index + 1}/{passes} {framework:6s} "
                f"{result['seconds_per_step'] * 1e3:8.3f} ms/step"
            )
    return results


def _ratios(results: dict[str, list[dict]], top: str, bottom: str) -> list[float]:
    if top not in results or bottom not in results:
        return []
    pairs = zip(results[top], results[bottom], strict=True)
    return [a["seconds_per_step"] / b["seconds_per_step"] for a, b in pairs]


def summarise(name: str, results: dict[str, list[dict]], threads: int) -> dict:
    """One table row: median time per step per framework, the per-pass ratios, peak memory."""
    module = workloads.load(name)
    row = {"workload": name, "threads": threads, "passes": len(next(iter(results.values())))}
    for framework, runs in results.items():
        row[f"{framework}_ms"] = statistics.median(r["seconds_per_step"] for r in runs) * 1e3
        row[f"{framework}_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    for top in ("wright", "numpy"):
        ratios = _ratios(results, top, "torch")
        if ratios:
            row[f"{top}_ratios"] = ratios
            row[f"{top}_ratio"] = statistics.median(ratios)
    loads = [r["load_1min"] for runs in results.values() for r in runs if "load_1min" in r]
    row["load"] = (min(loads), max(loads)) if loads else None
    row["required"] = getattr(module, "REQUIRED_RATIO", None)
    row["goal"] = getattr(module, "GOAL_RATIO", None)
    return row


def verdict(row: dict) -> str:
    """Whether wright's median ratio meets the workload's goal, its requirement, or neither."""
    ratio = row.get("wright_ratio")
    if ratio is None or row["required"] is None:
        return "-"
    if row["goal"] is not None and ratio <= row["goal"]:
        return "meets goal"
    return "meets required" if ratio <= row["required"] else "MISSES required"


def _number(value, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _ratio_cell(row: dict, framework: str) -> str:
    ratios = row.get(f"{framework}_ratios")
    if not ratios:
        return "-"
    return f"{row[f'{framework}_ratio']:.2f} ({min(ratios):.2f}-{max(ratios):.2f})"


def _memory_cell(row: dict) -> str:
    return " / ".join(_number(row.get(f"{f}_rss_mb"), 0) for f in workloads.FRAMEWORKS)


COLUMNS = (
    "workload",
    "threads",
    "wright ms/step",
    "torch ms/step",
    "numpy ms/step",
    "wright/torch median (min-max)",
    "numpy/torch",
    "required",
    "goal",
    "verdict",
    "peak RSS MiB wright / torch / numpy",
    "load",
)


def table_cells(row: dict) -> list[str]:
    """The row's cells, in COLUMNS order."""
    times = [_number(row.get(f"{framework}_ms")) for framework in workloads.FRAMEWORKS]
    targets = [_number(row["required"], 2), _number(row["goal"], 2), verdict(row)]
    ratios = [_ratio_cell(row, "wright"), _ratio_cell(row, "numpy")]
    load = "-" if row.get("load") is None else "{:.1f}-{:.1f}".format(*row["load"])
    return [
        row["workload"],
        str(row["threads"]),
        *times,
        *ratios,
        *targets,
        _memory_cell(row),
        load,
    ]


def markdown_lines(columns, rows: list[list[str]]) -> list[str]:
    """A Markdown table's lines: the header, the separator, then one line per row of cells."""
    lines = ["| " + " | ".join(line) + " |" for line in [list(columns), *rows]]
    lines.insert(1, "|" + "---|" * len(columns))
    return lines


class TableReport:
    """A Markdown table filled in as the measurements come: each row goes to stderr as it is added,
    every run's raw results to `json_path` (if given) after each row, the whole table to stdout at
    the end."""

    def __init__(self, columns, json_path: Path | None) -> None:
        self.columns, self.json_path = columns, json_path
        self.rows: list[list[str]] = []
        self.raw: dict = {}

    def add(self, cells: list[str], key: str, runs) -> None:
        """One finished row, and the raw results it was made from (kept under `key`)."""
        self.rows.append(cells)
        self.raw[key] = runs
        print(markdown_lines(self.columns, [cells])[-1], file=sys.stderr, flush=True)
        if self.json_path:
            self.json_path.write_text(json.dumps(self.raw, indent=1))

    def finish(self) -> None:
        """Print the whole table on stdout."""
        print("\n".join(markdown_lines(self.columns, self.rows)))


def format_table(rows: list[dict], markdown: bool = False) -> str:
    """The results as aligned text, or as a Markdown table."""
    if markdown:
        return "\n".join(markdown_lines(COLUMNS, [table_cells(row) for row in rows]))
    cells = [list(COLUMNS)] + [table_cells(row) for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    padded = (
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in cells
    )
    return "\n".join(line.rstrip() for line in padded)


def thread_counts(values: list[str]) -> list[int]:
    """The thread counts to run, in order: integers, and `sweep` for 1, 2 and the core count."""
    counts = []
    for value in values:
        if value == "sweep":
            counts += [1, 2, os.cpu_count() or 1]
        elif value.isdigit() and int(value) > 0:
            counts.append(int(value))
        else:
            raise argparse.ArgumentTypeError(
                f"--threads: expected positive integers or 'sweep', got {value!r}"
            )
    return list(dict.fromkeys(counts))


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, run every chosen workload, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "workloads",
        nargs="*",
        metavar="WORKLOAD",
        help=f"workloads to run (default: all: {', '.join(workloads.available())})",
    )
    parser.add_argument(
        "--passes", type=int, default=3, help="alternating passes per workload (default 3)"
    )
    parser.add_argument(
        "--threads",
        nargs="+",
        default=["1"],
        metavar="N",
        help="BLAS/OpenMP threads on every side (default 1); several values, or 'sweep' for 1, 2 "
        "and the core count, run one after another, a row each",
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=None,
        help="timed steps per run (default: the workload's STEPS)",
    )
    parser.add_argument(
        "--frameworks",
        nargs="+",
        default=list(workloads.FRAMEWORKS),
        choices=workloads.FRAMEWORKS,
        help="sides to run (default: all)",
    )
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        help="also save the rows and every run's raw result to this file",
    )
    args = parser.parse_args(argv)
    names = args.workloads or workloads.available()
    for name in names:
        workloads.load(name)  # a misspelt name fails here, before minutes of timing

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        counts = thread_counts(args.threads)
    except argparse.ArgumentTypeError as error:
        parser.error(str(error))
    rows, raw = [], {}
    for threads in counts:
        facts = machine.facts()
        log(machine.one_line(facts) + f", threads={threads}")
        if threads > 1 and facts["load_1min"] > (facts["cores"] or 1):
            log(
                "warning: the load average exceeds the core count; above 1 thread, waiting for a "
                "descheduled BLAS/OpenMP thread can dominate a step, so ratios are unreliable"
            )
        for name in names:
            frameworks = frameworks_for(name, args.frameworks)
            runs = bench_workload(name, frameworks, args.passes, args.steps, threads, log)
            raw[f"{name}@{threads}"] = runs
            rows.append(summarise(name, runs, threads))
    print(format_table(rows, args.markdown))
    if args.json:
        saved = {"machine": machine.facts(), "threads": counts, "rows": rows, "runs": raw}
        args.json.write_text(json.dumps(saved, indent=1))


if __name__ == "__main__":
    main()
