"""Time one workload in one framework, in this process only, and print the result as one JSON line.

    python benchmarks/worker.py --framework wright --workload mlp_lecture --steps 3000 --threads 2

`bench.py` starts one of these per framework and pass, so each framework owns its process and its
BLAS thread pool. The thread count goes into the environment before NumPy or torch is imported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from machine import package_version

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
CHUNKS = 5


def thread_environment(threads: int) -> dict[str, str]:
    """Environment variables that size the BLAS and OpenMP thread pools of NumPy and torch."""
    return {name: str(threads) for name in THREAD_VARIABLES}


def run_pinned(
    script: Path, arguments: list[str], threads: int, extra_env: dict | None = None
) -> dict:
    """Run a Python script in a child process limited to `threads` threads.

    Returns:
        The child's last line of standard output, parsed as JSON.
    """
    env = {**os.environ, **thread_environment(threads), **(extra_env or {})}
    command = [sys.executable, str(script), *arguments]
    child = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if child.returncode != 0:
        raise RuntimeError(
            f"{script.name} {' '.join(arguments)} failed with exit code "
            f"{child.returncode}:\n{child.stderr}"
        )
    return json.loads(child.stdout.strip().splitlines()[-1])


def warmup_steps(steps: int) -> int:
    """Steps to run untimed, so caches, allocators, lazy kernels and optimizer state settle."""
    return max(10, steps // 10)


def time_steps(step, steps: int, chunks: int = CHUNKS) -> tuple[list[float], float]:
    """Time `steps` steps, after a warm-up, in `chunks` runs of steps / chunks steps.

    Returns:
        Seconds per step in each chunk, and page faults per timed step: in steady state these mean
        memory goes back to the OS and is faulted in again every step, a cost worth knowing about.
    """
    for _ in range(warmup_steps(steps)):
        step()
    per_chunk = max(1, steps // chunks)
    faults_before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    timings = []
    for _ in range(chunks):
        start = time.perf_counter()
        for _ in range(per_chunk):
            step()
        timings.append((time.perf_counter() - start) / per_chunk)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults_before
    return timings, faults / (per_chunk * chunks)


def peak_rss_mb() -> float:
    """Largest resident set size this process has had, in MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


def build_step(framework: str, workload_name: str, threads: int, seed: int = 0):
    """Build a workload's step for `framework` (torch gets `threads` intra-op threads).

    Returns:
        The zero-argument step and the workload module (for its STEPS and other constants).
    """
    import workloads

    workload = workloads.load(workload_name)
    build = workloads.builder(workload, framework)
    if build is None:
        raise SystemExit(f"worker: workload {workload_name!r} has no build_{framework}")
    if framework == "torch":
        import torch

        torch.set_num_threads(threads)
    if framework == "wright":
        import wright

        # As the `wright` command does: reuse freed temporaries instead of page-faulting new ones.
        wright.backend.keep_freed_memory()
    return build(seed), workload


def run(framework: str, workload_name: str, steps: int | None, threads: int, seed: int = 0) -> dict:
    """Build the workload for `framework`, time it, and return the measurements as a dict."""
    from workload_kit import loss_value

    step, workload = build_step(framework, workload_name, threads, seed)
    steps = steps or workload.STEPS
    timings, faults = time_steps(step, steps)
    return {
        "framework": framework,
        "workload": workload_name,
        "threads": threads,
        "steps": steps,
        "seconds_per_step": statistics.median(timings),
        "chunk_seconds_per_step": timings,
        "final_loss": loss_value(step()),
        "peak_rss_mb": peak_rss_mb(),
        "page_faults_per_step": faults,
        # The machine's load as the run ends: other work competes with threads above 1.
        "load_1min": os.getloadavg()[0],
        "versions": {
            "python": platform.python_version(),
            "numpy": package_version("numpy"),
            framework: package_version(framework),
        },
    }


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, pin the thread count, time, print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", required=True, choices=("wright", "torch", "numpy"))
    parser.add_argument("--workload", required=True)
    parser.add_argument(
        "--steps", type=int, default=None, help="timed steps (default: the workload's STEPS)"
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.update(thread_environment(args.threads))
    print(json.dumps(run(args.framework, args.workload, args.steps, args.threads, args.seed)))


if __name__ == "__main__":
    main()
