"""save/load: state dicts and optimizer states as .npz arrays plus a JSON description, never pickle.

The structure (dicts, lists, numbers, strings) goes into a JSON document stored inside the archive;
arrays are stored as NumPy arrays by name. Loading reads only those two kinds of data, so an
untrusted file cannot run code. Saving writes a temporary file beside the target and renames it, so
a crash mid-save leaves the old file intact.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from wright.creation import as_tensor
from wright.tensor import Tensor

_META = "__wright__"
_FORMAT_VERSION = 1


def _encode(obj, arrays: dict):
    if isinstance(obj, Tensor | np.ndarray):
        name = f"a{len(arrays)}"
        arrays[name] = np.asarray(obj.array if isinstance(obj, Tensor) else obj)
        return {"__array__": name, "tensor": isinstance(obj, Tensor)}
    if isinstance(obj, dict):
        for key in obj:
            if not isinstance(key, str | int):
                raise TypeError(
                    f"save: dict keys must be str or int, got {type(key).__name__} {key!r}"
                )
        return {"__dict__": [[key, _encode(value, arrays)] for key, value in obj.items()]}
    if isinstance(obj, list | tuple):
        return {"__list__": [_encode(v, arrays) for v in obj], "tuple": isinstance(obj, tuple)}
    if isinstance(obj, np.generic):
        return obj.item()
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    raise TypeError(
        f"save: cannot store a {type(obj).__name__}; save state dicts (module.state_dict(), "
        "optimizer.state_dict()) made of tensors, arrays, numbers, strings, lists and dicts"
    )


def _decode(node, arrays):
    if isinstance(node, dict):
        if "__array__" in node:
            array = arrays[node["__array__"]]
            return as_tensor(array) if node["tensor"] else array
        if "__dict__" in node:
            return {key: _decode(value, arrays) for key, value in node["__dict__"]}
        if "__list__" in node:
            items = [_decode(v, arrays) for v in node["__list__"]]
            return tuple(items) if node["tuple"] else items
    return node


def save(obj, path: str | os.PathLike) -> None:
    """Write a state dict (or nested dicts/lists of tensors and numbers) to `path` atomically."""
    path = Path(path)
    arrays: dict[str, np.ndarray] = {}
    meta = {"format": "wright", "version": _FORMAT_VERSION, "object": _encode(obj, arrays)}
    arrays[_META] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def load(path: str | os.PathLike):
    """Read what `save` wrote. Raises ValueError for truncated or foreign files; never executes
    code."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"load: no file at {path}")
    if not zipfile.is_zipfile(path):
        # Checked before np.load, which would read .npy and pickle files as formats of its own.
        raise ValueError(f"load: {path} is not a wright file (not an .npz archive) or is truncated")
    try:
        with np.load(path, allow_pickle=False) as archive:
            if _META not in archive.files:
                raise ValueError(
                    f"load: {path} is an .npz archive but not one written by wright.save"
                )
            arrays = {name: archive[name] for name in archive.files}
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ValueError(
            f"load: {path} is not a wright file or is truncated/corrupted ({error})"
        ) from None
    try:
        meta = json.loads(arrays.pop(_META).tobytes().decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"load: {path} has an unreadable description ({error})") from None
    if not isinstance(meta, dict) or meta.get("format") != "wright":
        raise ValueError(f"load: {path} is not a wright file")
    try:
        return _decode(meta["object"], arrays)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"load: {path} has a damaged description ({error!r})") from None
