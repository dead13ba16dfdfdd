"""Writing files so that nothing is lost: a temporary file beside the target, renamed over it only
when complete.

Every file wright writes for keeps (checkpoints, histories, downloads) goes through
`atomic_write`: a crash, a kill or a full disk mid-write leaves the previous file intact, and the
temporary files of a killed process are recognised by their process number and removed by the
next write into the same folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

# Short, fixed-length names, so a target name near the file system's limit still fits.
_TEMP_PREFIX = ".wright-"
_TEMP_PATTERN = re.compile(r"^\.wright-(\d+)-[A-Za-z0-9_]+\.(tmp|part)$")


def _umask() -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    # Elsewhere the only way to read the umask is to set it (briefly).
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporary_files(folder: str | os.PathLike) -> list[Path]:
    """Delete the temporary files that processes no longer running left in `folder`; returns
    them."""
    removed = []
    for entry in Path(folder).glob(f"{_TEMP_PREFIX}*"):
        found = _TEMP_PATTERN.match(entry.name)
        if found and not _process_alive(int(found.group(1))):
            entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


class _TerminationAsExit:
    """Turn SIGTERM into SystemExit while a file is being written, so cleanup code runs.

    Only in the main thread (Python delivers signals there), and only when SIGTERM still has its
    default action: a program with its own handler keeps it.
    """

    def __enter__(self) -> None:
        self.previous = None
        in_main_thread = threading.current_thread() is threading.main_thread()
        if in_main_thread and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            self.previous = signal.signal(signal.SIGTERM, _exit_on_term)

    def __exit__(self, *exc) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)


def _exit_on_term(signum, frame) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, suffix: str = ".tmp") -> Iterator[BinaryIO]:
    """Open a temporary file beside `path` for binary writing; on success it replaces `path`.

    A symbolic link is followed (its target is replaced). The new file gets the permissions an
    ordinary new file would (0666 minus the umask). On any error, or SIGTERM, the temporary file
    is removed and `path` is left as it was.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = Path(folder) / "history.json"
        ...     with atomic_write(path) as handle:
        ...         _ = handle.write(b"{}")
        ...     print(path.read_bytes())
        b'{}'
    """
    target = Path(os.path.realpath(os.fspath(path)))
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporary_files(target.parent)
    fd, temp_name = tempfile.mkstemp(
        prefix=f"{_TEMP_PREFIX}{os.getpid()}-", suffix=suffix, dir=target.parent
    )
    try:
        with _TerminationAsExit(), os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o666 & ~_umask())
        os.replace(temp_name, target)
    finally:
        Path(temp_name).unlink(missing_ok=True)
