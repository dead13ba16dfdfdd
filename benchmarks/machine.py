"""Facts about what a benchmark ran on: CPU, cores, library versions, the OpenBLAS kernel in use."""

from __future__ import annotations

import ctypes
import os
import platform
from importlib import metadata


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (falls back to platform.processor())."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _loaded_openblas() -> ctypes.CDLL | None:
    """The OpenBLAS library NumPy loaded, found in this process's memory map (Linux only)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {
                line.split()[-1] for line in maps if "openblas" in line.lower() and ".so" in line
            }
    except OSError:
        return None
    return ctypes.CDLL(min(paths)) if paths else None


def openblas_core() -> str | None:
    """The kernel family OpenBLAS picked at load time (e.g. Haswell, SkylakeX), or None if unknown.

    NumPy's wheels ship OpenBLAS with prefixed 64-bit symbol names; other builds use bare ones.
    """
    import numpy  # noqa: F401  (loads OpenBLAS so it shows up in the memory map)

    library = _loaded_openblas()
    if library is None:
        return None
    symbols = (
        "scipy_openblas_get_corename64_",
        "scipy_openblas_get_corename",
        "openblas_get_corename",
    )
    for symbol in symbols:
        function = getattr(library, symbol, None)
        if function is not None:
            function.restype = ctypes.c_char_p
            return function().decode()
    return None


def openblas_version() -> str | None:
    """The OpenBLAS version NumPy was built against, from numpy.show_config."""
    import numpy

    blas = numpy.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    return blas.get("version") if "openblas" in blas.get("name", "") else None


def package_version(package: str) -> str | None:
    """An installed package's version, or None."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def facts() -> dict:
    """CPU, cores, 1-minute load, versions (Python, NumPy, OpenBLAS, torch), the OpenBLAS core."""
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "load_1min": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "numpy": package_version("numpy"),
        "openblas": openblas_version(),
        "openblas_core": openblas_core(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "torch": package_version("torch"),
        "wright": package_version("wright"),
    }


def one_line(info: dict) -> str:
    """`facts()` as a single line for the top of a report."""
    return ", ".join(f"{key}={value}" for key, value in info.items())
