"""A busy machine: each workload at 1 thread and at N threads, in alternating processes, while busy
loops hold some of the cores; the table gives the N-thread time over the 1-thread time.

    python benchmarks/busy.py lenet_train mlp_relu --rounds 8      # 2 threads, one core held
    python benchmarks/busy.py --threads 4 --busy 2 --frameworks wright torch --json busy.json

Asking for more threads than the machine has free must not make a step slower than one thread does:
a ratio of 1.0 means it costs nothing. Each busy loop is a child process spinning in Python from
before the first run to after the last, so every run meets the same load. Both runs of a round
take turns at going first, and the ratio is taken within each round, so drift in the machine's
speed hits both alike; the table shows the median over rounds and the smallest and largest.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import workloads
from bench import TableReport, frameworks_for, run_worker

COLUMNS = (
    "workload",
    "framework",
    "threads",
    "busy cores",
    "1 thread ms",
    "N threads ms",
    "N / 1 thread",
    "rounds",
)


@contextmanager
def busy_loops(count: int) -> Iterator[None]:
    """`count` child processes that each keep one core busy until the block ends."""
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


def busy_rounds(
    name: str, framework: str, threads: int, rounds: int, steps: int | None, log=print
) -> list[tuple[dict, dict]]:
    """`rounds` pairs of (1-thread result, `threads`-thread result), the order alternating."""
    pairs = []
    for index in range(rounds):
        order = (1, threads) if index % 2 == 0 else (threads, 1)
        results = {count: run_worker(framework, name, steps, count) for count in order}
        pairs.append((results[1], results[threads]))
        one, many = (results[count]["seconds_per_step"] * 1e3 for count in (1, threads))
        log(
            f"  {name} {framework} round {index + 1}/{rounds}: 1 thread {one:.3f} ms, "
            f"{threads} threads {many:.3f} ms, ratio {many / one:.2f}"
        )
    return pairs


def row_cells(
    name: str, framework: str, threads: int, busy: int, pairs: list[tuple[dict, dict]]
) -> list[str]:
    """One table row: median times and the median (min-max) of the per-round ratios."""
    one = [a["seconds_per_step"] for a, _ in pairs]
    many = [b["seconds_per_step"] for _, b in pairs]
    ratios = [b / a for a, b in zip(one, many, strict=True)]
    return [
        name,
        framework,
        str(threads),
        str(busy),
        f"{statistics.median(one) * 1e3:.2f}",
        f"{statistics.median(many) * 1e3:.2f}",
        f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})",
        str(len(pairs)),
    ]


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, run the rounds beside the busy loops, print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", default=None, help="default: all")
    parser.add_argument("--threads", type=int, default=2, help="N, compared with 1 (default 2)")
    parser.add_argument("--busy", type=int, default=1, help="cores held by busy loops (default 1)")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--frameworks", nargs="+", default=["wright"])
    parser.add_argument("--json", type=Path, default=None, help="write every run here")
    args = parser.parse_args(argv)
    if args.threads < 2:
        parser.error(f"--threads: expected at least 2 to compare with 1 thread, got {args.threads}")
    report = TableReport(COLUMNS, args.json)
    with busy_loops(args.busy):
        for name in args.workloads or workloads.available():
            for framework in frameworks_for(name, args.frameworks):
                pairs = busy_rounds(
                    name,
                    framework,
                    args.threads,
                    args.rounds,
                    args.steps,
                    lambda text: print(text, file=sys.stderr, flush=True),
                )
                cells = row_cells(name, framework, args.threads, args.busy, pairs)
                report.add(cells, f"{name}/{framework}", pairs)
    report.finish()


if __name__ == "__main__":
    main()
