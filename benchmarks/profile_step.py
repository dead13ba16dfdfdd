"""Profile one workload's training step with cProfile and print where the time goes.

    python benchmarks/profile_step.py mlp_lecture --steps 3000
    python benchmarks/profile_step.py mlp_relu --framework torch --sort cumulative --top 15

Shares are of the total profiled time; cProfile adds a roughly constant cost per Python call, so it
overstates Python-heavy code, but the ranking shows what a step spends its time on.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats

from worker import build_step, thread_environment, warmup_steps


def profile(
    workload_name: str, framework: str, steps: int | None, threads: int
) -> tuple[pstats.Stats, int]:
    """Run warm-up steps, then `steps` (default: the workload's STEPS) under cProfile.

    Returns:
        The statistics and the number of steps profiled.
    """
    step, workload = build_step(framework, workload_name, threads)
    steps = steps or workload.STEPS
    for _ in range(warmup_steps(steps)):
        step()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        step()
    profiler.disable()
    return pstats.Stats(profiler), steps


def top_functions(
    stats: pstats.Stats, sort: str, count: int
) -> list[tuple[str, int, float, float]]:
    """(function, calls, own seconds, seconds with callees) of the `count` largest by `sort`."""
    column = {"tottime": 2, "cumulative": 3}[sort]
    rows = []
    for (filename, line, name), (_, calls, own, cumulative, _) in stats.stats.items():
        where = f"{os.path.basename(filename)}:{line}({name})" if line else name
        rows.append((where, calls, own, cumulative))
    return sorted(rows, key=lambda row: row[column], reverse=True)[:count]


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, profile, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload")
    parser.add_argument("--framework", default="wright", choices=("wright", "torch", "numpy"))
    parser.add_argument(
        "--steps", type=int, default=None, help="profiled steps (default: the workload's STEPS)"
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ.update(thread_environment(args.threads))
    stats, steps = profile(args.workload, args.framework, args.steps, args.threads)
    total = stats.total_tt
    print(
        f"{args.workload} ({args.framework}): {total / steps * 1e6:.1f} us per step under cProfile"
    )
    print(f"{'function':60s} {'calls/step':>10s} {'own %':>6s} {'incl. %':>7s}")
    for where, calls, own, cumulative in top_functions(stats, args.sort, args.top):
        shares = f"{100 * own / total:6.1f} {100 * cumulative / total:7.1f}"
        print(f"{where[:60]:60s} {calls / steps:10.1f} {shares}")


if __name__ == "__main__":
    main()
