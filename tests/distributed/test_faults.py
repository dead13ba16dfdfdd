"""When one rank of a data-parallel job fails (raises, is killed, hangs or leaves early), the
others stop within 30 s with a message naming it, and the last checkpoint is intact."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest

import wright
from mpi_job import requires_mpi, run

STOP_WITHIN_S = 30
# A short collective timeout keeps the hang cases quick; the default is 20 s.
TIMEOUT_S = 3


def _run_fault(tmp_path, mode: str, failing: int):
    checkpoint = tmp_path / "model.npz"
    done = run(
        "faults.py",
        mode,
        str(failing),
        str(checkpoint),
        timeout=120,
        env={"WRIGHT_DISTRIBUTED_TIMEOUT": str(TIMEOUT_S)},
    )
    stopped_after = time.time() - done.results[failing]["fault_at"]
    assert done.returncode != 0
    assert stopped_after < STOP_WITHIN_S
    # Rank 0 wrote a checkpoint after steps 1 and 2; whichever came last loads whole.
    saved = wright.load(checkpoint)
    assert saved["step"] in (2, 3)
    assert all(np.isfinite(t.array).all() for t in saved["model"].values())
    assert not list(tmp_path.glob(".wright-*")) or mode == "kill"
    return done, stopped_after


@requires_mpi
def test_a_rank_that_raises_stops_all(tmp_path):
    done, stopped_after = _run_fault(tmp_path, "raise", 1)
    assert "ValueError: injected fault" in done.stderr
    assert (
        "wright.distributed: rank 1 of 2 failed (ValueError: injected fault); stopping all ranks"
        in done.stderr
    )
    assert stopped_after < 10


@requires_mpi
def test_a_killed_rank_stops_all(tmp_path):
    # mpiexec sees rank 0 (the one writing checkpoints) die and ends the others; its message
    # names the process by pid, which each rank reports at start.
    done, stopped_after = _run_fault(tmp_path, "kill", 0)
    pid = done.results[0]["pid"]
    assert re.search(rf"PID {pid}\b", done.stdout + done.stderr)
    assert "signal 9" in done.stdout + done.stderr
    assert stopped_after < 10


@requires_mpi
@pytest.mark.parametrize("mode", ["hang", "exit"])
def test_a_silent_rank_is_found_by_the_timeout(tmp_path, mode):
    done, stopped_after = _run_fault(tmp_path, mode, 1)
    pid = done.results[1]["pid"]
    message = re.search(r"wright\.distributed: rank 0 waited (\d+) s in (.+)", done.stderr)
    assert message, done.stderr
    assert int(message.group(1)) == TIMEOUT_S
    assert f"no answer from rank 1 (pid {pid} on " in message.group(2)
    assert TIMEOUT_S <= stopped_after < TIMEOUT_S + 10
