"""Process-wide settings PyTorch scripts call: the random state (`get_rng_state`, `seed`), print
options, the default device, determinism, matmul precision and thread-pool flags, anomaly
detection, `compile` (eager execution is wright's only mode, so it returns its argument), and the
constructors `frombuffer` and `empty_strided`."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable

import numpy as np

from wright import autograd, backend, dtypes, parallel
from wright.autograd import is_inference_mode_enabled
from wright.functions.views_extra import strided_empty
from wright.printing import get_printoptions, set_printoptions
from wright.tensor import Tensor, _from_array

# ----- random state -----


def get_rng_state() -> Tensor:
    """The default generator's state as a uint8 tensor (for `set_rng_state`)."""
    generator = backend.default_generator()
    state = {"seed": generator.initial_seed(), "numpy": generator.get_state()}
    return _from_array(np.frombuffer(json.dumps(state).encode(), np.uint8).copy())


def set_rng_state(new_state: Tensor) -> None:
    """Restore the default generator to a state `get_rng_state` returned."""
    if not isinstance(new_state, Tensor) or new_state.array.dtype != np.uint8:
        raise TypeError("set_rng_state: expected a uint8 tensor from get_rng_state()")
    try:
        state = json.loads(new_state.array.tobytes().decode())
        generator = backend.default_generator()
        generator.set_state(state["numpy"])
    except (ValueError, KeyError, TypeError) as error:
        raise RuntimeError(
            "set_rng_state: the tensor is not a state from get_rng_state()"
        ) from error
    generator._seed = int(state["seed"])


def initial_seed() -> int:
    """The seed the default generator was last seeded with."""
    return backend.default_generator().initial_seed()


def seed() -> int:
    """Seed the default generator from fresh entropy; returns the seed."""
    return backend.default_generator().seed()


# ----- determinism, precision and threads (wright is deterministic, single-precision exact) -----

_settings = {
    "deterministic": False,
    "warn_only": False,
    "matmul_precision": "highest",
    "interop_threads": 1,
    "warn_always": False,
}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Make runs repeat bit for bit: at one thread they do anyway; at more, ops then choose how
    to split their work by the thread count alone, not by the machine's load (`parallel.fix_routes`)."""
    _settings["deterministic"] = bool(mode)
    parallel.fix_routes(mode)
    _settings["warn_only"] = bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    """Whether `use_deterministic_algorithms(True)` is in force."""
    return _settings["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether deterministic mode was asked for with warn_only=True."""
    return _settings["deterministic"] and _settings["warn_only"]


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode: str | int) -> None:
    """0/'default', 1/'warn' or 2/'error': deterministic mode off, on with warnings, on."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(
                "invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                f"{debug_mode}"
            )
        debug_mode = _DEBUG_MODES[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(
            f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}"
        )
    use_deterministic_algorithms(debug_mode > 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    """0 (off), 1 (on, warn only) or 2 (on)."""
    if not _settings["deterministic"]:
        return 0
    return 1 if _settings["warn_only"] else 2


_PRECISIONS = ("highest", "high", "medium")


def set_float32_matmul_precision(precision: str) -> None:
    """Record 'highest', 'high' or 'medium' (anything else warns and changes nothing); wright's
    float32 products are always full precision."""
    if precision not in _PRECISIONS:
        warnings.warn(
            f"{precision} is not one of 'highest', 'high', or 'medium'; "
            "set_float32_matmul_precision has no effect",
            stacklevel=2,
        )
        return
    _settings["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    """The precision last set with set_float32_matmul_precision ('highest' by default)."""
    return _settings["matmul_precision"]


def set_num_interop_threads(num: int) -> None:
    """Record the count; wright runs independent ops one after another."""
    if int(num) < 1:
        raise RuntimeError("Number of inter-op threads must be positive")
    _settings["interop_threads"] = int(num)


def get_num_interop_threads() -> int:
    """The count last set with set_num_interop_threads (1 by default)."""
    return _settings["interop_threads"]


def set_warn_always(b: bool) -> None:
    """Record whether once-only warnings should repeat (wright leaves that to Python's filters)."""
    _settings["warn_always"] = bool(b)


def is_warn_always_enabled() -> bool:
    """The flag set_warn_always set."""
    return _settings["warn_always"]


# ----- anomaly detection -----


def is_anomaly_enabled() -> bool:
    """Whether backward checks every gradient for NaN (`autograd.set_detect_anomaly`)."""
    return autograd._anomaly_state.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection checks for NaN (wright checks exactly when it is enabled)."""
    return autograd._anomaly_state.enabled


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Turn anomaly detection on or off for this thread, outside any `with` block."""
    autograd._anomaly_state.enabled = bool(enabled) and check_nan


# ----- compilation: eager only -----


def compile(
    model: Callable | None = None,
    *,
    fullgraph: bool = False,
    dynamic: bool | None = None,
    backend: str | Callable = "inductor",
    mode: str | None = None,
    options: dict | None = None,
    disable: bool = False,
):
    """Return `model` unchanged: wright always executes eagerly, so there is nothing to compile.
    Used as a decorator with arguments (`@wright.compile(mode=...)`), returns the identity."""
    if model is None:
        return lambda function: function
    if not callable(model):
        raise TypeError(f"compile: expected a callable, got {type(model).__name__}")
    return model


# ----- constructors over given memory -----


def frombuffer(
    buffer, *, dtype, count: int = -1, offset: int = 0, requires_grad: bool = False
) -> Tensor:
    """A 1-D tensor over the memory of an object with the buffer protocol (no copy): `count`
    elements of `dtype` from byte `offset` (all that remain when count is -1)."""
    numpy_dtype = dtypes.to_numpy_dtype(dtype)
    size = memoryview(buffer).nbytes
    if offset < 0 or offset >= size:
        raise ValueError(
            f"both buffer length ({size}) and offset ({offset}) must be greater than 0 and the "
            "offset must lie inside the buffer"
        )
    if count == 0 or count < -1:
        raise ValueError(f"count must be positive or -1, got {count}")
    if count == -1 and (size - offset) % numpy_dtype.itemsize:
        raise ValueError(
            f"buffer length ({size - offset} after offset {offset}) must be a multiple of the "
            f"element size ({numpy_dtype.itemsize})"
        )
    if count > 0 and offset + count * numpy_dtype.itemsize > size:
        raise ValueError(
            f"requested buffer length ({count} * {numpy_dtype.itemsize} bytes) after offset "
            f"({offset}) must not be greater than actual buffer length ({size})"
        )
    array = np.frombuffer(buffer, numpy_dtype, count, offset)
    if not array.flags.writeable:
        warnings.warn(
            "frombuffer: the buffer is not writable; the tensor is read-only", stacklevel=2
        )
    return _from_array(array).requires_grad_(requires_grad)


def empty_strided(
    size,
    stride,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """A new tensor of `size` laid out with the given strides (wright fills it with zeros)."""
    backend.resolve_device(device)
    numpy_dtype = dtypes.default_float_numpy() if dtype is None else dtypes.to_numpy_dtype(dtype)
    return _from_array(strided_empty(size, stride, numpy_dtype)).requires_grad_(requires_grad)


def is_storage(obj) -> bool:
    """False: wright has no storage objects."""
    return False


__all__ = [
    "are_deterministic_algorithms_enabled",
    "compile",
    "empty_strided",
    "frombuffer",
    "get_deterministic_debug_mode",
    "get_float32_matmul_precision",
    "get_num_interop_threads",
    "get_printoptions",
    "get_rng_state",
    "initial_seed",
    "is_anomaly_check_nan_enabled",
    "is_anomaly_enabled",
    "is_deterministic_algorithms_warn_only_enabled",
    "is_inference_mode_enabled",
    "is_storage",
    "is_warn_always_enabled",
    "seed",
    "set_anomaly_enabled",
    "set_deterministic_debug_mode",
    "set_float32_matmul_precision",
    "set_num_interop_threads",
    "set_printoptions",
    "set_rng_state",
    "set_warn_always",
    "use_deterministic_algorithms",
]
