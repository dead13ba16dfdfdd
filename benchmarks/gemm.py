"""Measure float32 matrix-multiply speed (GFLOP/s): NumPy under each OpenBLAS core type, and torch.

    python benchmarks/gemm.py --threads 2
    python benchmarks/gemm.py --size 1024 --repeats 10 --coretypes Haswell SkylakeX Zen

OpenBLAS picks its kernels when it loads, and the environment variable OPENBLAS_CORETYPE overrides
the choice, so each setting gets its own child process. Haswell kernels use AVX2, SkylakeX kernels
AVX-512, which on a CPU that has it can double float32 GEMM throughput and BLAS-bound steps with it.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from worker import run_pinned

HERE = Path(__file__).resolve().parent
DEFAULT_CORETYPES = ("Haswell", "SkylakeX")


def best_gflops(matmul, a, b, repeats: int) -> float:
    """Best rate of `repeats` products a @ b after one warm-up, in GFLOP/s (2 n k m operations)."""
    matmul(a, b)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        matmul(a, b)
        best = min(best, time.perf_counter() - start)
    n, k = a.shape
    return 2 * n * k * b.shape[1] / best / 1e9


def measure(library: str, size: int, repeats: int, threads: int) -> dict:
    """GEMM rate of `library` ("numpy" or "torch") in this process, with what it ran on."""
    import machine
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.random((size, size), dtype=np.float32)
    b = rng.random((size, size), dtype=np.float32)
    if library == "torch":
        import torch

        torch.set_num_threads(threads)
        a, b = torch.from_numpy(a), torch.from_numpy(b)
        backend = "MKL" if torch.backends.mkl.is_available() else "default"
        return {
            "library": "torch",
            "backend": backend,
            "gflops": best_gflops(torch.matmul, a, b, repeats),
        }
    return {
        "library": "numpy",
        "backend": f"OpenBLAS {machine.openblas_core()}",
        "gflops": best_gflops(np.matmul, a, b, repeats),
    }


def run_child(library: str, size: int, repeats: int, threads: int, coretype: str | None) -> dict:
    """`measure` in a fresh process with the thread count and, for NumPy, OPENBLAS_CORETYPE set."""
    arguments = [
        "--child",
        library,
        "--size",
        str(size),
        "--repeats",
        str(repeats),
        "--threads",
        str(threads),
    ]
    extra_env = {"OPENBLAS_CORETYPE": coretype} if coretype else None
    result = run_pinned(HERE / "gemm.py", arguments, threads, extra_env)
    result["OPENBLAS_CORETYPE"] = coretype
    return result


def main(argv: list[str] | None = None) -> None:
    """Run the NumPy child once per core type and the torch child once; print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", type=int, default=2048, help="n for an n x n times n x n product (default 2048)"
    )
    parser.add_argument(
        "--repeats", type=int, default=15, help="timed products; the fastest counts (default 15)"
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--coretypes", nargs="+", default=list(DEFAULT_CORETYPES))
    parser.add_argument("--child", choices=("numpy", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.size, args.repeats, args.threads)))
        return
    print(
        f"float32 GEMM {args.size}^3, best of {args.repeats}, threads={args.threads}, "
        f"environment OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}"
    )
    runs = [("numpy", coretype) for coretype in args.coretypes] + [("torch", None)]
    for library, coretype in runs:
        result = run_child(library, args.size, args.repeats, args.threads, coretype)
        setting = f"OPENBLAS_CORETYPE={coretype}" if coretype else "its own BLAS"
        print(
            f"  {library:5s} {setting:28s} -> {result['backend']:18s} "
            f"{result['gflops']:7.1f} GFLOP/s"
        )


if __name__ == "__main__":
    main()
