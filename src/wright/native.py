"""C kernels shipped with wright's sources, compiled on first use by the machine's C compiler and
loaded with ctypes (which releases the GIL during each call).

A compiled library is cached in `$WRIGHT_CACHE/native` (default `~/.cache/wright/native`) under a
name carrying a checksum of the source, the compiler command and its flags, so an edited source or
another compiler builds afresh and nothing stale is ever loaded; it is written to a temporary file
and renamed, so processes compiling at once (MPI ranks) never see half a library. Without a C
compiler, or when compiling fails, `load` returns None and the caller keeps its NumPy code, the
reference; the environment variable WRIGHT_COMPILED=0 asks for the NumPy code too.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import shlex
import shutil
import subprocess
import sysconfig
import tempfile
import threading
from pathlib import Path

from wright.datasets.download import cache_dir

# Optimised, position-independent, a shared library; no errno and no trapping from maths, so that
# loops with comparisons vectorise (the results, NaN included, are the same).
FLAGS = ("-O3", "-fPIC", "-shared", "-fno-math-errno", "-fno-trapping-math")

enabled = os.environ.get("WRIGHT_COMPILED", "1") != "0"
errors: dict[Path, str] = {}  # why a source did not load, for messages and tests
_loaded: dict[Path, ctypes.CDLL | None] = {}
_lock = threading.Lock()


def compiler() -> list[str] | None:
    """The C compiler command: `$CC`, else the one Python was built with, else cc, gcc or clang
    from PATH; None when there is none."""
    for command in (os.environ.get("CC"), sysconfig.get_config_var("CC"), "cc", "gcc", "clang"):
        words = shlex.split(command or "")
        if words and shutil.which(words[0]):
            return words
    return None


def library_path(source: Path, command: list[str]) -> Path:
    """Where the library compiled from `source` by `command` is cached."""
    digest = hashlib.sha256(source.read_bytes())
    digest.update(" ".join([*command, *FLAGS, platform.machine()]).encode())
    return cache_dir() / "native" / f"{source.stem}-{digest.hexdigest()[:16]}.so"


def load(source: Path) -> ctypes.CDLL | None:
    """The library compiled from the C file `source` (compiled once, then cached on disk), or None
    when compiled code is switched off or cannot be built; see `errors` for why."""
    if not enabled:
        return None
    with _lock:
        if source not in _loaded:
            _loaded[source] = _build(source)
        return _loaded[source]


def _build(source: Path) -> ctypes.CDLL | None:
    command = compiler()
    if command is None:
        errors[source] = "no C compiler found ($CC, cc, gcc or clang)"
        return None
    path = library_path(source, command)
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(suffix=".so", dir=path.parent)
            os.close(handle)
            try:
                subprocess.run(
                    [*command, *FLAGS, "-o", temporary, str(source)],
                    check=True,
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
                os.replace(temporary, path)
            finally:
                if os.path.exists(temporary):
                    os.remove(temporary)
        return ctypes.CDLL(str(path))
    except subprocess.CalledProcessError as error:
        errors[source] = f"{shlex.join(error.cmd)} failed: {error.stderr.strip()}"
    except (OSError, subprocess.SubprocessError) as error:
        errors[source] = f"could not build or load {path}: {error}"
    return None
