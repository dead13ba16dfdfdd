"""One run per output folder: the lock refuses a second holder, names the first, and is taken
over from a process that died holding it."""

import os
import signal
import subprocess
import sys
import time

import pytest

from wright.train import FolderInUseError, RunLock
from wright.train.runs import LOCK_NAME


def test_a_second_holder_is_refused_with_the_first_ones_process_number(tmp_path):
    folder = tmp_path / "run"
    with RunLock(folder) as lock:
        assert lock.previous is None
        assert (folder / LOCK_NAME).read_text().startswith(f"{os.getpid()}\n")
        with pytest.raises(FolderInUseError, match=f"is in use by process {os.getpid()}"):
            RunLock(folder).acquire()
    assert not (folder / LOCK_NAME).exists()
    with RunLock(folder):  # free again once released
        pass


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import time; from wright.train import RunLock; "
                f"RunLock({str(tmp_path)!r}).acquire(); print('held', flush=True); time.sleep(60)"
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(FolderInUseError, match=f"process {holder.pid} "):
            RunLock(tmp_path).acquire()
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    finally:
        holder.kill()
        holder.stdout.close()
    deadline = time.monotonic() + 10
    lock = RunLock(tmp_path)
    while True:
        try:
            lock.acquire()
            break
        except FolderInUseError:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert lock.previous[0] == str(holder.pid)
    lock.release()


def test_an_unwritable_folder_raises_oserror(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OSError):
        RunLock(blocker / "sub").acquire()
