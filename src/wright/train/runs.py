"""One run per output folder: a lock that a second run finds taken, and that a killed run leaves
free for the next one."""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path

LOCK_NAME = ".wright.lock"


class FolderInUseError(RuntimeError):
    """Another running process holds the folder's lock."""

    def __init__(self, folder: Path, pid: str, command: str) -> None:
        self.folder, self.pid, self.command = folder, pid, command
        super().__init__(
            f"{folder} is in use by process {pid} ({command or 'command unknown'}); wait for it to "
            "finish, stop it, or choose another output folder"
        )


def _read_holder(fd: int) -> tuple[str, str] | None:
    """The process number and command written in a lock file, or None for an empty one."""
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 4096).decode(errors="replace")
    if not text.strip():
        return None
    pid, _, command = text.partition("\n")
    return pid.strip() or "?", command.strip()


class RunLock:
    """Holds `folder/.wright.lock` while a run writes into `folder` (created if needed).

    The lock is a kernel file lock (flock), which the kernel drops when its process ends however it
    ends, kill -9 included; a lock file left behind by a dead run is therefore simply taken over,
    and `previous` tells whose it was. The file holds the holder's process number and command line,
    which a second run names when it fails with FolderInUseError.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder, RunLock(folder):  # a run writes here
        ...     try:
        ...         RunLock(folder).acquire()  # a second run on the same folder
        ...     except FolderInUseError:
        ...         print("the folder is in use")
        the folder is in use
    """

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.previous: tuple[str, str] | None = None
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        """Take the lock, or raise FolderInUseError naming the process that holds it (OSError when
        the folder cannot be written)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid, command = _read_holder(fd) or ("?", "")
                os.close(fd)
                raise FolderInUseError(self.folder, pid, command) from None
            # The last holder deletes the file before letting go; a lock on a deleted file is
            # worthless, so open the path again.
            try:
                current = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                current = False
            if current:
                break
            os.close(fd)
        self.previous = _read_holder(fd)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
        os.write(fd, f"{os.getpid()}\n{command}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        """Let go of the lock and remove its file."""
        if self._fd is None:
            return
        self.path.unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc_info) -> None:
        self.release()
