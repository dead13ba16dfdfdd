"""save/load: state dicts, optimizer states and other nested data as .npz arrays plus a JSON
description, never pickle.

The structure (dicts, lists, tuples, numbers, strings) goes into a JSON document stored inside the
archive; arrays are stored as NumPy arrays by name. Loading reads only those two kinds of data, so
an untrusted file cannot run code. Saving to a path writes a temporary file beside the target and
renames it, so a crash mid-save leaves the old file intact.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from wright import backend
from wright.creation import as_tensor
from wright.files import atomic_write
from wright.tensor import Tensor

_META = "__wright__"
_FORMAT_VERSION = 1
# np.savez stores members uncompressed; a member claiming to inflate far beyond its stored size
# is a decompression bomb, not a wright file.
_MAX_INFLATION = 1000


def _encode(obj, arrays: dict):
    if isinstance(obj, Tensor | np.ndarray):
        array = np.asarray(obj.array if isinstance(obj, Tensor) else obj)
        if array.dtype.kind not in "biuf":
            raise TypeError(
                f"save: arrays must hold numbers or bools, got dtype {array.dtype}; wright stores "
                "no object, string or bytes arrays"
            )
        name = f"a{len(arrays)}"
        arrays[name] = array
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
        f"save: cannot store a {type(obj).__name__}; wright never pickles, so save data: state "
        "dicts (model.state_dict(), optimizer.state_dict()) and tensors, arrays, numbers, "
        "strings, lists and dicts of them"
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


def _archive_bytes(obj) -> bytes:
    arrays: dict[str, np.ndarray] = {}
    meta = {"format": "wright", "version": _FORMAT_VERSION, "object": _encode(obj, arrays)}
    arrays[_META] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def save(obj, f, pickle_module=None, pickle_protocol=None, _use_new_zipfile_serialization=True):
    """Write a state dict (or nested dicts/lists of tensors, numbers and strings) to `f`.

    `f` is a path or a binary file object. A path is written atomically: a temporary file beside
    it, renamed over it, so an interrupted save leaves the previous file intact; a symbolic link is
    followed and its target replaced. The file is an .npz archive readable by NumPy, never a
    pickle (`pickle_module` and `pickle_protocol` are accepted for PyTorch's signature and
    ignored).

    Example:
        >>> import tempfile
        >>> model = nn.Linear(3, 1)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     wright.save({"model": model.state_dict(), "epoch": 3}, f"{folder}/checkpoint.npz")
        ...     checkpoint = wright.load(f"{folder}/checkpoint.npz")
        >>> checkpoint["epoch"], sorted(checkpoint["model"])
        (3, ['bias', 'weight'])
    """
    data = _archive_bytes(obj)  # everything is checked before the file is touched
    if hasattr(f, "write"):
        f.write(data)
        return
    with atomic_write(f) as handle:
        handle.write(data)


def _check_map_location(map_location) -> None:
    if map_location is None or callable(map_location) or isinstance(map_location, dict):
        return
    backend.resolve_device(map_location)


def _check_sizes(archive: zipfile.ZipFile, name: str) -> None:
    for info in archive.infolist():
        if info.file_size > _MAX_INFLATION * max(info.compress_size, 1024):
            raise ValueError(
                f"load: {name} member {info.filename!r} claims {info.file_size:,} bytes from "
                f"{info.compress_size:,} stored; refusing to inflate it"
            )


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_args):
    """Read what `save` wrote, from a path or a binary file object. Never executes code.

    Tensors come back on the CPU; `map_location` (None, 'cpu', a device, a dict or a function, as
    in PyTorch) is accepted and must name the CPU. `weights_only` is accepted: wright files hold
    only data either way.

    Raises:
        FileNotFoundError: no file at the path.
        ValueError: truncated, damaged or foreign files (a pickle, a PyTorch .pt file).
    """
    _check_map_location(map_location)
    if hasattr(f, "read"):
        name, source = getattr(f, "name", "the file object"), io.BytesIO(f.read())
    else:
        path = Path(os.fspath(f))
        if not path.is_file():
            raise FileNotFoundError(f"load: no file at {path}")
        name, source = str(path), path
    if not zipfile.is_zipfile(source):
        # Checked before np.load, which would read .npy and pickle files as formats of its own.
        raise ValueError(f"load: {name} is not a wright file (not an .npz archive) or is truncated")
    try:
        with zipfile.ZipFile(source) as archive:
            _check_sizes(archive, name)
        if isinstance(source, io.BytesIO):
            source.seek(0)
        with np.load(source, allow_pickle=False) as archive:
            if _META not in archive.files:
                pickled = any(member.endswith(".pkl") for member in archive.files)
                hint = " (it holds a pickle, as PyTorch's .pt files do)" if pickled else ""
                raise ValueError(
                    f"load: {name} is an .npz archive but not one written by wright.save{hint}"
                )
            arrays = {member: archive[member] for member in archive.files}
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ValueError(
            f"load: {name} is not a wright file or is truncated/corrupted ({error})"
        ) from None
    try:
        meta = json.loads(arrays.pop(_META).tobytes().decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"load: {name} has an unreadable description ({error})") from None
    if not isinstance(meta, dict) or meta.get("format") != "wright":
        raise ValueError(f"load: {name} is not a wright file")
    for member, array in arrays.items():
        if array.dtype.kind not in "biuf":
            raise ValueError(
                f"load: {name} member {member!r} holds {array.dtype} data; wright files hold "
                "only numbers"
            )
    try:
        return _decode(meta["object"], arrays)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"load: {name} has a damaged description ({error!r})") from None
