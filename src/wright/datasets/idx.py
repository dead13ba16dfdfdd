"""The IDX file format of MNIST and Fashion-MNIST: read (checked against the header) and write.

An IDX file is a big-endian header followed by the values. The 4-byte magic number holds two zero
bytes, a type code (0x08 = uint8, ...) and the number of dimensions; a uint32 per dimension follows.
MNIST images use magic 2051 (uint8, 3 dims: count, rows, cols), labels 2049 (uint8, 1 dim: count).
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path

import numpy as np

IMAGES_MAGIC = 0x0803
LABELS_MAGIC = 0x0801

# IDX type code -> big-endian dtype of the stored values.
_TYPE_CODES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_SIGNATURE = b"\x1f\x8b"
_GZIP_PIECE = 1 << 18
_MAX_CHUNK = 1 << 40  # zlib's output bound must fit a C size


class IDXError(ValueError):
    """Not a valid IDX file (magic number, dimensions or payload size), or damaged gzip data."""


def describe_magic(magic: int) -> str:
    """Say what an IDX magic number means, e.g. 2051 -> '2051 (uint8, 3 dims)'."""
    dtype = _TYPE_CODES.get((magic >> 8) & 0xFF) if magic >> 16 == 0 else None
    if dtype is None:
        return f"{magic} (0x{magic:08x}, not an IDX magic number)"
    return f"{magic} ({dtype.newbyteorder('=').name}, {magic & 0xFF} dims)"


def _declared_size(prefix: bytes) -> int | None:
    """Header plus payload bytes that an IDX header declares (None if the prefix is no header)."""
    if len(prefix) < 4 or prefix[:2] != b"\0\0" or prefix[2] not in _TYPE_CODES:
        return None
    header_size = 4 + 4 * prefix[3]
    if len(prefix) < header_size:
        return None
    dims = [int.from_bytes(prefix[i : i + 4], "big") for i in range(4, header_size, 4)]
    # Python integers: a header of huge dimensions cannot overflow into a small size.
    return header_size + math.prod(dims) * _TYPE_CODES[prefix[2]].itemsize


def _gunzip(raw: bytes, path: Path, max_bytes: int) -> bytearray:
    # Inflation is bounded by what the header declares, so a gzip bomb is refused after reading
    # its header rather than after filling memory. Feeding the input in pieces and growing one
    # bytearray keeps the peak near the final size and gives a writable buffer.
    try:
        prefix = zlib.decompressobj(wbits=31).decompress(raw[:_GZIP_PIECE], 4 + 4 * 255)
    except zlib.error:
        prefix = b""
    declared = _declared_size(prefix)
    if declared is not None and declared > max_bytes:
        raise IDXError(
            f"{path}: the header declares {declared:,} bytes, more than the {max_bytes:,} allowed "
            "(max_bytes); refusing to decompress it"
        )
    # A little slack past the declared size lets read_idx name a small mismatch precisely.
    limit = max_bytes if declared is None else declared + _GZIP_PIECE
    inflater = zlib.decompressobj(wbits=31)
    content = bytearray()
    view = memoryview(raw)
    try:
        for start in range(0, len(view), _GZIP_PIECE):
            piece = view[start : start + _GZIP_PIECE]
            while piece:
                room = min(limit + 1 - len(content), _MAX_CHUNK)
                content += inflater.decompress(piece, room)
                if len(content) > limit:
                    expected = (
                        f"{declared:,} bytes its header declares"
                        if declared
                        else (f"{max_bytes:,} bytes allowed (max_bytes)")
                    )
                    raise IDXError(f"{path}: the gzip stream inflates past the {expected}")
                piece = inflater.unconsumed_tail
    except zlib.error as error:
        raise IDXError(
            f"{path}: damaged gzip data ({error}); the file is corrupted, fetch it again"
        ) from None
    if not inflater.eof:
        raise IDXError(
            f"{path}: damaged gzip data (truncated: the stream ends before its end marker after "
            f"{len(raw)} bytes); fetch the file again"
        )
    if inflater.unused_data:
        raise IDXError(
            f"{path}: {len(inflater.unused_data)} unexpected bytes after the end of the gzip stream"
        )
    return content


def _read_content(path: Path, max_bytes: int) -> bytearray:
    raw = path.read_bytes()
    return _gunzip(raw, path, max_bytes) if raw[:2] == _GZIP_SIGNATURE else bytearray(raw)


def read_idx(
    path: str | os.PathLike, expected_magic: int | None = None, max_bytes: int = 1 << 30
) -> np.ndarray:
    """Read an IDX file, gzip-compressed or not, into an array shaped as its header says.

    The header is checked: the magic number (against `expected_magic` when given), and that the
    payload holds exactly prod(dims) values. uint8 data comes back as a view of the decompressed
    buffer, without a copy.

    Args:
        path: the IDX file (.gz or not: the gzip signature decides, not the name).
        expected_magic: e.g. `IMAGES_MAGIC` (2051) or `LABELS_MAGIC` (2049); None accepts any.
        max_bytes: the largest decompressed size accepted (1 GiB; MNIST's training images are
            47 MB); a gzip stream is never inflated past what its header declares.

    Returns:
        The values in native byte order, with the header's dimensions as shape.

    Raises:
        IDXError: naming the file and the expected and found magic number or payload size.
    """
    path = Path(path)
    data = _read_content(path, max_bytes)
    if len(data) < 4:
        raise IDXError(f"{path}: {len(data)} bytes, too short for the 4-byte IDX magic number")
    magic = int.from_bytes(data[:4], "big")
    if expected_magic is not None and magic != expected_magic:
        raise IDXError(
            f"{path}: expected magic number {describe_magic(expected_magic)}, "
            f"found {describe_magic(magic)}"
        )
    dtype = _TYPE_CODES.get(data[2]) if data[:2] == b"\0\0" else None
    if dtype is None:
        raise IDXError(
            f"{path}: found magic number {describe_magic(magic)}, expected 0x0000TTNN with "
            f"type code TT in {[hex(code) for code in _TYPE_CODES]}"
        )
    ndim = data[3]
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise IDXError(f"{path}: a {ndim}-dim header needs {header_size} bytes, found {len(data)}")
    dims = tuple(int(d) for d in np.frombuffer(data, ">u4", count=ndim, offset=4))
    expected_size = math.prod(dims) * dtype.itemsize
    found_size = len(data) - header_size
    if found_size != expected_size:
        raise IDXError(
            f"{path}: header says {' x '.join(map(str, dims))} values of "
            f"{dtype.newbyteorder('=').name} = {expected_size} payload bytes, found {found_size}"
        )
    values = np.frombuffer(data, dtype, offset=header_size).reshape(dims)
    return values if dtype.itemsize == 1 else values.astype(dtype.newbyteorder("="))


def read_images(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX image file (magic 2051): uint8 array (count, rows, cols)."""
    return read_idx(path, IMAGES_MAGIC)


def read_labels(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX label file (magic 2049): uint8 array (count,)."""
    return read_idx(path, LABELS_MAGIC)


def write_idx(path: str | os.PathLike, array: np.ndarray) -> Path:
    """Write `array` as an IDX file, gzip-compressed when the name ends in .gz.

    Args:
        path: where to write.
        array: uint8, int8, int16, int32, float32 or float64 values.

    Returns:
        The path written.
    """
    path = Path(path)
    array = np.asarray(array)
    codes = {dtype.newbyteorder("="): (code, dtype) for code, dtype in _TYPE_CODES.items()}
    if array.dtype not in codes:
        raise TypeError(
            f"write_idx: IDX stores {sorted(d.name for d in codes)}, got dtype {array.dtype}"
        )
    code, stored_dtype = codes[array.dtype]
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    content = header + array.astype(stored_dtype).tobytes()
    path.write_bytes(gzip.compress(content, mtime=0) if path.suffix == ".gz" else content)
    return path
