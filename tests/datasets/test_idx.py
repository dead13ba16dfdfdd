"""IDX reading and writing: round trips, the shipped MNIST headers, damaged files."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wright.datasets import idx
from wright.datasets.idx import IDXError, read_idx, write_idx

SHIPPED = Path(idx.__file__).parent / "files"


@settings(max_examples=25, deadline=None)
@given(
    shape=st.lists(st.integers(0, 5), min_size=0, max_size=4),
    dtype=st.sampled_from(["uint8", "int8", "int16", "int32", "float32", "float64"]),
    compressed=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_round_trip(tmp_path_factory, shape, dtype, compressed, seed):
    rng = np.random.default_rng(seed)
    array = (rng.standard_normal(shape) * 100).astype(dtype)
    path = tmp_path_factory.mktemp("idx") / ("values.idx.gz" if compressed else "values.idx")
    write_idx(path, array)
    loaded = read_idx(path)
    assert loaded.shape == array.shape
    assert loaded.dtype == array.dtype and loaded.dtype.isnative
    np.testing.assert_array_equal(loaded, array)


def test_gzip_is_detected_by_content_not_name(tmp_path):
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    gz = write_idx(tmp_path / "a.gz", array)
    plain = gz.rename(tmp_path / "a.idx")
    assert plain.read_bytes()[:2] == b"\x1f\x8b"
    np.testing.assert_array_equal(read_idx(plain), array)


def test_shipped_mnist_headers():
    images = idx.read_images(SHIPPED / "t10k-images-idx3-ubyte.gz")
    labels = idx.read_labels(SHIPPED / "t10k-labels-idx1-ubyte.gz")
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10_000,) and labels.dtype == np.uint8
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert images.base is not None and images.flags.writeable  # a view of the decompressed buffer


def test_describe_magic():
    assert idx.describe_magic(2051) == "2051 (uint8, 3 dims)"
    assert idx.describe_magic(2049) == "2049 (uint8, 1 dims)"
    assert "not an IDX magic number" in idx.describe_magic(0x12345678)


def test_wrong_magic_names_file_expected_and_found():
    path = SHIPPED / "t10k-labels-idx1-ubyte.gz"
    with pytest.raises(IDXError) as info:
        idx.read_images(path)
    message = str(info.value)
    assert str(path) in message
    assert "expected magic number 2051 (uint8, 3 dims)" in message
    assert "found 2049 (uint8, 1 dims)" in message


def test_not_idx_at_all(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello, this is not IDX")
    with pytest.raises(IDXError, match="not an IDX magic number") as info:
        read_idx(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("content", [b"", b"\x00\x00", b"\x00\x00\x08\x03\x00\x00\x00\x02"])
def test_file_shorter_than_its_header(tmp_path, content):
    path = tmp_path / "short.idx"
    path.write_bytes(content)
    with pytest.raises(IDXError, match="bytes") as info:
        read_idx(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("payload_bytes, found", [(17, 17), (19, 19)])
def test_payload_size_must_match_header(tmp_path, payload_bytes, found):
    header = bytes([0, 0, 8, 3]) + np.array([2, 3, 3], ">u4").tobytes()
    path = tmp_path / "images.idx.gz"
    path.write_bytes(gzip.compress(header + bytes(payload_bytes)))
    with pytest.raises(IDXError) as info:
        idx.read_images(path)
    message = str(info.value)
    assert str(path) in message
    assert "2 x 3 x 3" in message and "18 payload bytes" in message and f"found {found}" in message


def _gzipped_labels(tmp_path) -> bytes:
    return write_idx(tmp_path / "labels.gz", np.arange(5000, dtype=np.uint8) % 10).read_bytes()


def test_truncated_gzip_names_file(tmp_path):
    path = tmp_path / "truncated.gz"
    path.write_bytes(_gzipped_labels(tmp_path)[:-20])
    with pytest.raises(IDXError, match="truncated") as info:
        idx.read_labels(path)
    assert str(path) in str(info.value)


def test_data_after_gzip_stream_names_file(tmp_path):
    path = tmp_path / "trailing.gz"
    path.write_bytes(_gzipped_labels(tmp_path) + b"junk")
    with pytest.raises(IDXError, match="4 unexpected bytes after the end of the gzip") as info:
        idx.read_labels(path)
    assert str(path) in str(info.value)


def test_bad_crc_names_file(tmp_path):
    content = bytearray(_gzipped_labels(tmp_path))
    content[-8] ^= 0xFF  # the CRC-32 stored in the gzip trailer
    path = tmp_path / "bad_crc.gz"
    path.write_bytes(bytes(content))
    with pytest.raises(IDXError, match="damaged gzip data") as info:
        idx.read_labels(path)
    assert str(path) in str(info.value)


def test_corrupted_deflate_stream_names_file(tmp_path):
    content = bytearray(_gzipped_labels(tmp_path))
    content[len(content) // 2] ^= 0xFF
    path = tmp_path / "corrupt.gz"
    path.write_bytes(bytes(content))
    with pytest.raises(IDXError, match="damaged gzip data") as info:
        idx.read_labels(path)
    assert str(path) in str(info.value)


def test_write_rejects_unsupported_dtype(tmp_path):
    with pytest.raises(TypeError, match="int64"):
        write_idx(tmp_path / "x.idx", np.zeros(3, np.int64))


def test_a_gzip_bomb_is_refused_after_its_header(tmp_path):
    import gzip

    path = tmp_path / "bomb-idx3-ubyte.gz"
    header = bytes([0, 0, 0x08, 1]) + (8).to_bytes(4, "big")  # declares 8 values...
    with gzip.open(path, "wb") as handle:
        handle.write(header)
        for _ in range(64):  # ...then inflates to 64 MiB
            handle.write(b"\0" * (1 << 20))
    with pytest.raises(IDXError, match="past the 16 bytes its header declares"):
        read_idx(path)


def test_a_header_declaring_too_much_is_refused_before_inflating(tmp_path):
    import gzip

    path = tmp_path / "huge-idx3-ubyte.gz"
    header = bytes([0, 0, 0x08, 3]) + b"".join(n.to_bytes(4, "big") for n in (2**31, 2**31, 4))
    path.write_bytes(gzip.compress(header + b"\0" * 100))
    with pytest.raises(IDXError, match="declares .* more than the"):
        read_idx(path)
    with pytest.raises(IDXError, match="header says"):
        read_idx(path, max_bytes=2**70)
