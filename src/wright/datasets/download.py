"""Fetch dataset files over HTTP(S) into a local cache, kept only once their SHA-256 is verified.

A file is streamed into a temporary file in its destination folder while being hashed, and renamed
to its final name only when size and hash match: a failed or interrupted download (SIGTERM
included) leaves nothing behind, so the cache never holds a bad file. Mirrors are tried in order.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from tqdm.auto import tqdm

from wright.files import atomic_write

_CHUNK = 1 << 20
# A file of unknown size may be at most this large (no dataset wright fetches comes close).
_MAX_UNKNOWN_SIZE = 4 << 30


class DownloadError(RuntimeError):
    """No mirror delivered a file with the expected size and SHA-256."""


# How a place to look in is described when the caller named the folder (root=..., --data).
GIVEN_FOLDER = "the folder given"


class DatasetNotFoundError(FileNotFoundError):
    """A dataset's files are in none of the places looked in.

    Attributes:
        dataset: the dataset's name.
        places: (path, why it was looked at) pairs, in the order tried.
    """

    def __init__(self, dataset: str, files: str, places: list[tuple[Path, str]], fix: str) -> None:
        self.dataset, self.places = dataset, places
        looked = "\n".join(f"  {path}  ({why})" for path, why in places)
        if not os.environ.get("WRIGHT_DATA") and GIVEN_FOLDER not in dict(places).values():
            looked += "\n  $WRIGHT_DATA is not set"
        super().__init__(f"{dataset}: cannot find {files}; looked in:\n{looked}\nFix: {fix}")


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


def _fetch_verified(
    url: str, target: Path, sha256: str, size: int | None, timeout: float, deadline: float
) -> None:
    """Download into a temp file beside target; it replaces target only if size and hash match.

    Reads stop at the expected size (a server that sends more is refused rather than filling the
    disk), and the whole download must finish by `deadline` (a trickling server cannot hold it
    forever: each read returns what has arrived, and the clock is checked between reads).
    """
    digest = hashlib.sha256()
    received = 0
    with (
        atomic_write(target, suffix=".part") as out,
        urllib.request.urlopen(url, timeout=timeout) as response,
    ):
        announced = response.headers.get("Content-Length")
        expected = size if size is not None else (int(announced) if announced else None)
        limit = expected if expected is not None else _MAX_UNKNOWN_SIZE
        with tqdm(
            total=expected, unit="B", unit_scale=True, desc=target.name, leave=False, disable=None
        ) as progress:
            while chunk := response.read1(min(_CHUNK, limit + 1 - received)):
                received += len(chunk)
                if received > limit:
                    raise DownloadError(
                        f"{url}: the server sent more than the expected {limit:,} bytes; stopped"
                    )
                if time.monotonic() > deadline:
                    raise DownloadError(
                        f"{url}: too slow: {received:,} bytes in the time allowed "
                        f"({_describe_deadline(deadline)})"
                    )
                digest.update(chunk)
                out.write(chunk)
                progress.update(len(chunk))
        # read1 returns what arrived when a connection drops early; only the length tells.
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


def _describe_deadline(deadline: float) -> str:
    return f"deadline passed {time.monotonic() - deadline:.0f} s ago"


def fetch(
    filename: str,
    mirrors: Sequence[str],
    sha256: str,
    dest_dir: str | os.PathLike,
    size: int | None = None,
    timeout: float = 60.0,
    total_timeout: float = 1800.0,
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
        total_timeout: seconds one mirror may take for the whole file.

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
            deadline = time.monotonic() + total_timeout
            _fetch_verified(url, target, sha256, size, timeout, deadline)
            return target
        except DownloadError as error:
            failures.append(str(error))
        except (OSError, http.client.HTTPException) as error:
            failures.append(f"{url}: {type(error).__name__}: {error}")
    tried = "\n  ".join(failures) or "no mirrors given"
    raise DownloadError(f"fetch: could not download {filename} (sha256 {sha256}):\n  {tried}")
