"""Fetch dataset files over HTTP(S) into a local cache, kept only once their SHA-256 is verified.

A file is streamed into a temporary file in its destination folder while being hashed, and renamed
to its final name only when size and hash match: a failed download leaves nothing behind, so the
cache never holds a bad file. Mirrors are tried in order.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import sys
import tempfile
import urllib.request
from collections.abc import Sequence
from pathlib import Path

_CHUNK = 1 << 20


class DownloadError(RuntimeError):
    """No mirror delivered a file with the expected size and SHA-256."""


def cache_dir() -> Path:
    """The download cache: `$WRIGHT_CACHE` when set, else `~/.cache/wright`."""
    return Path(os.environ.get("WRIGHT_CACHE") or Path.home() / ".cache" / "wright")


def resolve_mirrors(
    folder: str, defaults: Sequence[str], mirrors: Sequence[str] | None = None
) -> list[str]:
    """The base URLs to try for one dataset, in order.

    Args:
        folder: the dataset's folder name (e.g. "mnist"), used with `$WRIGHT_MIRROR`.
        defaults: the dataset's public mirrors, used when nothing overrides them.
        mirrors: base URLs holding the files directly; they win over everything else.

    Returns:
        `mirrors` when given; else, when `$WRIGHT_MIRROR` is set (base URLs separated by spaces or
        commas, each laid out like `$WRIGHT_DATA` with `mnist/` and `fashion-mnist/` folders),
        `<base>/<folder>/` for each base; else `defaults`.
    """
    if mirrors:
        return list(mirrors)
    bases = [base for base in re.split(r"[\s,]+", os.environ.get("WRIGHT_MIRROR", "")) if base]
    if bases:
        return [f"{base.rstrip('/')}/{folder}/" for base in bases]
    return list(defaults)


def sha256_of(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fetch_verified(url: str, target: Path, sha256: str, size: int | None, timeout: float):
    """Download into a temp file beside target; rename it onto target if size and hash match."""
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        digest = hashlib.sha256()
        received = 0
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            announced = response.headers.get("Content-Length")
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
                received += len(chunk)
        # read(n) returns what arrived when a connection drops early; only the length tells.
        if announced is not None and received != int(announced):
            raise DownloadError(
                f"{url}: connection cut short: the server announced {announced} bytes, "
                f"received {received}"
            )
        if size is not None and received != size:
            raise DownloadError(f"{url}: expected {size} bytes, received {received}")
        if digest.hexdigest() != sha256:
            raise DownloadError(
                f"{url}: sha256 mismatch: expected {sha256}, got {digest.hexdigest()} "
                f"({received} bytes)"
            )
        os.replace(temp_name, target)
    finally:
        Path(temp_name).unlink(missing_ok=True)


def fetch(
    filename: str,
    mirrors: Sequence[str],
    sha256: str,
    dest_dir: str | os.PathLike,
    size: int | None = None,
    timeout: float = 60.0,
) -> Path:
    """Make sure `dest_dir/filename` exists with the given SHA-256, downloading it if needed.

    A file already there with the right hash is used without touching the network; one with a
    wrong hash is deleted and fetched again. Mirrors are tried in order until one delivers.

    Args:
        filename: the file's name on the mirrors and in `dest_dir`.
        mirrors: base URLs; the file is fetched from `<mirror>/<filename>`.
        sha256: the expected SHA-256, in hex.
        dest_dir: the folder to keep the file in (created if missing).
        size: the expected size in bytes, if known (a truncated download is then named as such).
        timeout: seconds to wait for the network before giving up on a mirror.

    Returns:
        The path of the verified file.

    Raises:
        DownloadError: every mirror failed; the message gives each URL and why (HTTP error,
            expected and received size, expected and actual sha256).
    """
    target = Path(dest_dir) / filename
    if target.is_file():
        if sha256_of(target) == sha256:
            return target
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    failures = []
    for mirror in mirrors:
        url = f"{mirror.rstrip('/')}/{filename}"
        print(f"wright: downloading {url}", file=sys.stderr)
        try:
            _fetch_verified(url, target, sha256, size, timeout)
            return target
        except DownloadError as error:
            failures.append(str(error))
        except (OSError, http.client.HTTPException) as error:
            failures.append(f"{url}: {type(error).__name__}: {error}")
    tried = "\n  ".join(failures) or "no mirrors given"
    raise DownloadError(f"fetch: could not download {filename} (sha256 {sha256}):\n  {tried}")
