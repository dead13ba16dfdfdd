"""The process group: the MPI processes that train together, their ranks, and the fault handling
that stops all of them when one fails or a collective waits too long."""

from __future__ import annotations

import datetime
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

# How long a collective may wait for the other ranks before the whole job is stopped. Short enough
# that a hung or vanished rank stops the others well within half a minute; raise it (argument or
# environment) when a rank legitimately works alone for longer, e.g. writing a huge checkpoint.
DEFAULT_TIMEOUT_S = 20.0
TIMEOUT_VARIABLE = "WRIGHT_DISTRIBUTED_TIMEOUT"
# Environment variables by which MPI launchers (MPICH's hydra and Slurm's PMI, Open MPI, PMIx)
# tell a process the size of the job it belongs to.
LAUNCHER_SIZE_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "MV2_COMM_WORLD_SIZE")

_NOT_INITIALIZED = (
    "Default process group has not been initialized, please make sure to call init_process_group."
)


def _mpi():
    # Importing mpi4py.MPI initialises MPI, so it happens only when a group is made.
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise RuntimeError(
            "wright.distributed needs mpi4py and an MPI library: pip install 'wright[mpi]' "
            f"(mpi4py and MPICH from PyPI), or mpi4py over your system's MPI ({error})"
        ) from None
    return MPI


def is_available() -> bool:
    """Return whether mpi4py can be imported, so `init_process_group` can work."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def launched_world_size() -> int:
    """The number of processes an MPI launcher (mpiexec, srun) started this one with; 1 when run
    without one. Reads the environment only, so MPI is not initialised."""
    for name in LAUNCHER_SIZE_VARIABLES:
        value = os.environ.get(name, "")
        if value.isdigit():
            return int(value)
    return 1


def _timeout_seconds(timeout) -> float:
    if timeout is None:
        text = os.environ.get(TIMEOUT_VARIABLE)
        if text is None:
            return DEFAULT_TIMEOUT_S
        try:
            timeout = float(text)
        except ValueError:
            raise ValueError(
                f"{TIMEOUT_VARIABLE} must be a number of seconds, got {text!r}"
            ) from None
    if isinstance(timeout, datetime.timedelta):
        timeout = timeout.total_seconds()
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ValueError(
            f"init_process_group: timeout must be a positive number of seconds or a timedelta, "
            f"got {timeout!r}"
        )
    return float(timeout)


def _process_state(pid: int) -> str:
    """'running', or 'exited' for a process that is gone or a zombie (dead, not yet reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "exited"
    # The state letter follows the command name, which is in parentheses and may hold spaces.
    return "exited" if stat[stat.rindex(")") + 2] in "ZXx" else "running"


class ProcessGroup:
    """The processes of one MPI communicator: `rank()` and `size()` as in PyTorch.

    Made by `init_process_group`; collectives take it as `group=` (None means this default group).
    It owns a duplicate of MPI_COMM_WORLD, so wright's messages never mix with the user's own MPI
    traffic, and a watchdog thread that aborts the job when a collective waits longer than
    `timeout` seconds.
    """

    def __init__(self, timeout: float) -> None:
        MPI = _mpi()
        self.MPI = MPI
        self.comm = MPI.COMM_WORLD.Dup()
        self.timeout = timeout
        self._rank, self._size = self.comm.Get_rank(), self.comm.Get_size()
        # Where every rank runs, to name a rank that vanished in timeout messages.
        self.peers: list[tuple[str, int]] = self.comm.allgather((socket.gethostname(), os.getpid()))
        self.collectives = 0
        self._operation: str | None = None
        self._started = 0.0
        self._stop = threading.Event()
        self._watchdog = None
        self._previous_excepthook = None
        if self._size > 1:
            self._watchdog = threading.Thread(
                target=self._watch, name="wright-distributed-watchdog", daemon=True
            )
            self._watchdog.start()
            self._previous_excepthook = sys.excepthook
            sys.excepthook = self._excepthook

    def rank(self) -> int:
        """This process's rank in the group, 0 .. size() - 1."""
        return self._rank

    def size(self) -> int:
        """The number of processes in the group."""
        return self._size

    def __repr__(self) -> str:
        return f"ProcessGroup(backend='mpi', rank={self._rank}, size={self._size})"

    # ----- running collectives under the watchdog -----
    def run(self, operation: str, call: Callable, *args):
        """`call(*args)` (an MPI call that waits for the other ranks), watched for the timeout."""
        self.collectives += 1
        self._started = time.monotonic()
        self._operation = operation
        try:
            return call(*args)
        finally:
            self._operation = None

    def _watch(self) -> None:
        period = min(1.0, self.timeout / 20)
        while not self._stop.wait(period):
            operation = self._operation
            if operation is not None and time.monotonic() - self._started > self.timeout:
                self.abort(self._timeout_message(operation))

    def _timeout_message(self, operation: str) -> str:
        here = socket.gethostname()
        gone, silent = [], []
        for rank, (host, pid) in enumerate(self.peers):
            if rank == self._rank:
                continue
            if host == here and _process_state(pid) == "exited":
                gone.append(f"rank {rank} (pid {pid}) has exited")
            else:
                silent.append(f"rank {rank} (pid {pid} on {host})")
        if len(silent) > 4:
            silent[3:] = [f"{len(silent) - 3} more ranks"]
        cause = "; ".join(gone) if gone else f"no answer from {', '.join(silent)}"
        return (
            f"rank {self._rank} waited {self.timeout:g} s in {operation} (collective "
            f"{self.collectives}): {cause}; stopping all ranks (if a rank is only slow, raise "
            f"{TIMEOUT_VARIABLE})"
        )

    # ----- stopping -----
    def abort(self, message: str, code: int = 1) -> None:
        """Print `message` as one line and stop every process of the job (MPI_Abort)."""
        print(f"wright.distributed: {message}", file=sys.stderr, flush=True)
        # The launcher forwards each process's output on its own schedule and tears the job down
        # at once on an abort: a moment's pause lets this message and the traceback reach it.
        time.sleep(0.5)
        self.MPI.COMM_WORLD.Abort(code)
        # MPICH's MPI_Abort can return to the caller before the launcher ends the job; nothing
        # more may run here (the caller would go on printing or computing).
        os._exit(code)

    def _excepthook(self, kind, value, traceback) -> None:
        # An uncaught exception on one rank would leave the others waiting in their next
        # collective: show it, then stop them all at once.
        self._previous_excepthook(kind, value, traceback)
        first = str(value).splitlines()[0] if str(value) else ""
        detail = f"{kind.__name__}: {first}" if first else kind.__name__
        self.abort(f"rank {self._rank} of {self._size} failed ({detail}); stopping all ranks")

    def close(self) -> None:
        """Stop the watchdog, put back the exception hook and free the communicator."""
        self._stop.set()
        if self._watchdog is not None:
            self._watchdog.join()
        if self._previous_excepthook is not None and sys.excepthook == self._excepthook:
            sys.excepthook = self._previous_excepthook
        self.comm.Free()


_default: ProcessGroup | None = None


def init_process_group(
    backend: str | None = None,
    init_method: str | None = None,
    timeout: datetime.timedelta | float | None = None,
    world_size: int = -1,
    rank: int = -1,
    store=None,
    group_name: str = "",
    pg_options=None,
    device_id=None,
) -> None:
    """Join the processes that an MPI launcher started into the default process group.

    Rank and world size come from MPI (`mpiexec -n 4 python train.py`); run without a launcher,
    the group has one process. When the group has more than one, an uncaught exception on any rank
    stops all of them with a one-line message naming that rank, and so does a collective that
    waits longer than `timeout` for the others.

    Args:
        backend: "mpi" (the default and the only one).
        init_method: None or "env://"; MPI's launcher already tells each process its peers.
        timeout: the longest a collective may wait, a timedelta or seconds; default
            $WRIGHT_DISTRIBUTED_TIMEOUT, else 20 s.
        world_size, rank: if given, checked against what MPI says.
        store, group_name, pg_options, device_id: accepted for PyTorch scripts; must be left unset.

    Example:
        >>> import wright.distributed as dist
        >>> dist.init_process_group("mpi")
        >>> dist.get_rank(), dist.get_world_size()
        (0, 2)
    """
    global _default
    if backend is not None and str(backend).lower() != "mpi":
        raise ValueError(
            f"init_process_group: wright communicates over MPI only (backend='mpi'), got "
            f"backend={backend!r}"
        )
    if init_method not in (None, "env://"):
        raise ValueError(
            f"init_process_group: with MPI the launcher connects the processes; init_method must "
            f"be None, got {init_method!r}"
        )
    for name, value in (("store", store), ("pg_options", pg_options), ("device_id", device_id)):
        if value is not None:
            raise ValueError(f"init_process_group: {name} is not supported with MPI")
    if _default is not None:
        raise RuntimeError("trying to initialize the default process group twice!")
    seconds = _timeout_seconds(timeout)
    group = ProcessGroup(seconds)
    for name, given, actual in (
        ("world_size", world_size, group.size()),
        ("rank", rank, group.rank()),
    ):
        if given not in (-1, None) and given != actual:
            group.close()
            raise ValueError(
                f"init_process_group: {name}={given} was given but MPI started this process "
                f"with {name} {actual}"
            )
    _default = group


def init_from_launcher() -> int:
    """Join the default process group if an MPI launcher started this process among several
    (`mpiexec -n K`, K > 1) and it has not joined yet; returns K, or 1 without a launcher (then
    nothing happens and MPI is not loaded)."""
    size = launched_world_size()
    if size > 1 and _default is None:
        init_process_group("mpi")
    return size


def abort(message: str, code: int = 1) -> None:
    """Print `message` and stop every process of the job with exit code `code`, when a process
    group of more than one is running; otherwise do nothing (the caller goes on to exit by
    itself)."""
    if _default is not None and _default.size() > 1:
        rank, size = _default.rank(), _default.size()
        _default.abort(f"rank {rank} of {size} stopped ({message}); stopping all ranks", code)


def is_initialized() -> bool:
    """Return whether `init_process_group` has been called (and not undone)."""
    return _default is not None


def default_group(group: ProcessGroup | None = None) -> ProcessGroup:
    """`group`, or the default group; ValueError (as PyTorch) when there is none."""
    if group is not None:
        return group
    if _default is None:
        raise ValueError(_NOT_INITIALIZED)
    return _default


def get_rank(group: ProcessGroup | None = None) -> int:
    """This process's rank (0 .. world size - 1)."""
    return default_group(group).rank()


def get_world_size(group: ProcessGroup | None = None) -> int:
    """The number of processes in the group."""
    return default_group(group).size()


def is_main_process() -> bool:
    """Whether this process prints and writes files for a data-parallel run: rank 0, or the only
    process when no group is running."""
    return _default is None or _default.rank() == 0


def get_backend(group: ProcessGroup | None = None) -> str:
    """The group's backend: always "mpi"."""
    default_group(group)
    return "mpi"


def destroy_process_group(group: ProcessGroup | None = None) -> None:
    """Leave the default process group (MPI itself stays up until the process exits, so a new
    group can be made)."""
    global _default
    group = default_group(group)
    group.close()
    if group is _default:
        _default = None
