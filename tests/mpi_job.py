"""Running a script as a real MPI job from a test: `mpiexec -n K` beside the interpreter (the
`mpich` package puts it there), this checkout's sources first on the path, a timeout, and the
results each rank writes (`jobs/common.py`'s `report`) to its own file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import wright

JOBS = Path(__file__).resolve().parent / "distributed" / "jobs"
SOURCES = Path(wright.__file__).resolve().parents[1]


def mpiexec() -> str | None:
    """The mpiexec to use: the one installed beside this Python, else the first on PATH."""
    beside = Path(sys.executable).parent / "mpiexec"
    return str(beside) if beside.exists() else shutil.which("mpiexec")


requires_mpi = pytest.mark.skipif(
    not (wright.distributed.is_available() and mpiexec()),
    reason="needs mpi4py and mpiexec: pip install 'wright[mpi]'",
)


@dataclass
class Job:
    """A finished job: exit code, output, seconds it took, and each rank's results by name."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    results: dict[int, dict]


def run(script: str, *args: str, n: int = 2, timeout: float = 90, env: dict | None = None) -> Job:
    """Run `jobs/<script>` (or "wright": the command line) on n processes and collect what each
    rank reported."""
    with tempfile.TemporaryDirectory() as folder:
        environment = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(SOURCES), os.environ.get("PYTHONPATH", "")]),
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "WRIGHT_JOB_RESULTS": folder,
            **(env or {}),
        }
        program = ["-m", script] if script == "wright" else [str(JOBS / script)]
        command = [mpiexec(), "-n", str(n), sys.executable, *program, *args]
        started = time.monotonic()
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, env=environment, check=False
        )
        seconds = time.monotonic() - started
        results: dict[int, dict] = {}
        for path in Path(folder).glob("rank-*.jsonl"):
            rank = int(path.stem.removeprefix("rank-"))
            for line in path.read_text().splitlines():
                results.setdefault(rank, {}).update(json.loads(line))
    return Job(done.returncode, done.stdout, done.stderr, seconds, results)
