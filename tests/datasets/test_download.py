"""Downloads against a local HTTP server: verified files land in the cache, bad ones never do."""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from wright.datasets import MNIST, FashionMNIST, download
from wright.datasets.download import DownloadError, fetch, resolve_mirrors

LABELS = "t10k-labels-idx1-ubyte.gz"
IMAGES = "t10k-images-idx3-ubyte.gz"
LABELS_SHA256, LABELS_SIZE = MNIST.checksums[LABELS]


class _MirrorHandler(SimpleHTTPRequestHandler):
    """Serves files from a folder; under /lying/ it promises the whole file but sends half of it."""

    def do_GET(self):
        if self.path.startswith("/endless/"):
            return self._send_forever(chunk=b"\0" * 65536, pause=0.0)
        if self.path.startswith("/trickle/"):
            return self._send_forever(chunk=b"\0", pause=0.2)
        if not self.path.startswith("/lying/"):
            return super().do_GET()
        content = (Path(self.directory) / "good" / self.path.removeprefix("/lying/")).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content[: len(content) // 2])
        return None

    def _send_forever(self, chunk: bytes, pause: float) -> None:
        # A hostile server: no Content-Length, and data until the client hangs up (or 30 s).
        self.send_response(200)
        self.end_headers()
        deadline = time.monotonic() + 30
        try:
            while time.monotonic() < deadline:
                self.wfile.write(chunk)
                self.wfile.flush()
                time.sleep(pause)
        except OSError:
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def mirror(tmp_path_factory, shared_data):
    """Base URL of a local server whose good/, truncated/ and corrupt/ folders mimic mirrors."""
    root = tmp_path_factory.mktemp("mirror")
    good = root / "good" / "mnist"
    good.mkdir(parents=True)
    for name in (LABELS, IMAGES):
        shutil.copyfile(MNIST.shipped / name, good / name)
    fashion = shared_data / "fashion-mnist"
    if (fashion / IMAGES).is_file():
        (root / "good" / "fashion-mnist").mkdir()
        for name in (LABELS, IMAGES):
            shutil.copyfile(fashion / name, root / "good" / "fashion-mnist" / name)
    content = (good / LABELS).read_bytes()
    corrupt = bytearray(content)
    corrupt[len(corrupt) // 2] ^= 0xFF
    for kind, labels in (("truncated", content[: len(content) // 2]), ("corrupt", corrupt)):
        folder = root / kind / "mnist"
        shutil.copytree(good, folder)
        (folder / LABELS).write_bytes(bytes(labels))

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_MirrorHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_fetch_verifies_and_keeps_the_file(mirror, tmp_path):
    path = fetch(LABELS, [f"{mirror}/good/mnist/"], LABELS_SHA256, tmp_path, size=LABELS_SIZE)
    assert path == tmp_path / LABELS
    assert hashlib.sha256(path.read_bytes()).hexdigest() == LABELS_SHA256
    assert _files(tmp_path) == [LABELS]  # no temporary file left beside it
    assert fetch(LABELS, [], LABELS_SHA256, tmp_path) == path  # already there: no network needed


def test_truncated_download_is_not_kept(mirror, tmp_path):
    url = f"{mirror}/truncated/mnist/{LABELS}"
    with pytest.raises(DownloadError) as info:
        fetch(LABELS, [f"{mirror}/truncated/mnist"], LABELS_SHA256, tmp_path, size=LABELS_SIZE)
    assert url in str(info.value)
    assert f"expected {LABELS_SIZE} bytes, received {LABELS_SIZE // 2}" in str(info.value)
    assert _files(tmp_path) == []


def test_connection_cut_short_is_not_kept(mirror, tmp_path):
    cut_short = f"announced {LABELS_SIZE} bytes, received {LABELS_SIZE // 2}"
    with pytest.raises(DownloadError, match=cut_short) as info:
        fetch(LABELS, [f"{mirror}/lying/mnist/"], LABELS_SHA256, tmp_path)
    assert f"{mirror}/lying/mnist/{LABELS}" in str(info.value)
    assert _files(tmp_path) == []


def test_corrupted_download_names_url_and_both_hashes(mirror, tmp_path):
    url = f"{mirror}/corrupt/mnist/{LABELS}"
    with pytest.raises(DownloadError) as info:
        fetch(LABELS, [f"{mirror}/corrupt/mnist/"], LABELS_SHA256, tmp_path, size=LABELS_SIZE)
    message = str(info.value)
    content = bytearray((MNIST.shipped / LABELS).read_bytes())
    content[len(content) // 2] ^= 0xFF
    assert url in message
    assert f"expected {LABELS_SHA256}" in message
    assert f"got {hashlib.sha256(content).hexdigest()}" in message
    assert _files(tmp_path) == []


def test_mirrors_are_tried_in_order(mirror, tmp_path):
    mirrors = [f"{mirror}/missing/", f"{mirror}/corrupt/mnist/", f"{mirror}/good/mnist/"]
    assert fetch(LABELS, mirrors, LABELS_SHA256, tmp_path).is_file()
    with pytest.raises(DownloadError) as info:
        fetch(LABELS, mirrors[:2], LABELS_SHA256, tmp_path / "other")
    message = str(info.value)
    assert f"{mirror}/missing/{LABELS}: HTTPError: HTTP Error 404" in message
    assert f"{mirror}/corrupt/mnist/{LABELS}: sha256 mismatch" in message
    assert _files(tmp_path / "other") == []


def test_bad_file_already_in_place_is_replaced(mirror, tmp_path):
    (tmp_path / LABELS).write_bytes(b"not the labels")
    path = fetch(LABELS, [f"{mirror}/good/mnist/"], LABELS_SHA256, tmp_path)
    assert download.sha256_of(path) == LABELS_SHA256


def test_bad_file_in_place_is_removed_even_when_download_fails(mirror, tmp_path):
    (tmp_path / LABELS).write_bytes(b"not the labels")
    with pytest.raises(DownloadError):
        fetch(LABELS, [f"{mirror}/missing/"], LABELS_SHA256, tmp_path)
    assert _files(tmp_path) == []


def test_mirror_resolution(monkeypatch):
    defaults = ("https://example.org/mnist/",)
    monkeypatch.delenv("WRIGHT_MIRROR", raising=False)
    assert resolve_mirrors("mnist", defaults) == list(defaults)
    monkeypatch.setenv("WRIGHT_MIRROR", "http://a.test/data/ , http://b.test")
    assert resolve_mirrors("mnist", defaults) == [
        "http://a.test/data/mnist/",
        "http://b.test/mnist/",
    ]
    assert resolve_mirrors("mnist", defaults, ["http://c.test/x/"]) == ["http://c.test/x/"]


def test_cache_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WRIGHT_CACHE", str(tmp_path))
    assert download.cache_dir() == tmp_path
    monkeypatch.delenv("WRIGHT_CACHE")
    assert download.cache_dir() == Path.home() / ".cache" / "wright"


def test_mnist_download_then_load(mirror, clean_env, monkeypatch):
    monkeypatch.setattr(MNIST, "shipped", None)  # otherwise the copy inside wright is found first
    monkeypatch.setenv("WRIGHT_MIRROR", f"{mirror}/good")
    with pytest.raises(FileNotFoundError, match="download=True"):
        MNIST("test")
    dataset = MNIST("test", download=True)
    assert dataset.images_path.parent == clean_env / "mnist"
    assert _files(clean_env) == sorted([IMAGES, LABELS])
    assert len(dataset) == 10_000 and dataset.targets[:4].tolist() == [7, 2, 1, 0]
    assert len(MNIST("test")) == 10_000  # found in the cache from now on, without download=True


def test_mnist_download_from_corrupt_mirror_keeps_only_good_files(mirror, clean_env, monkeypatch):
    monkeypatch.setattr(MNIST, "shipped", None)
    with pytest.raises(DownloadError, match="sha256 mismatch"):
        MNIST("test", download=True, mirrors=[f"{mirror}/corrupt/mnist/"])
    assert _files(clean_env) == [IMAGES]  # the intact images stay, the corrupted labels do not
    assert download.sha256_of(clean_env / "mnist" / IMAGES) == MNIST.checksums[IMAGES][0]


def test_fashion_mnist_download_then_load(mirror, clean_env, monkeypatch, shared_data):
    if not (shared_data / "fashion-mnist" / IMAGES).is_file():
        pytest.skip(f"Fashion-MNIST not found under {shared_data}")
    dataset = FashionMNIST("test", download=True, mirrors=[f"{mirror}/good/fashion-mnist"])
    assert _files(clean_env) == sorted([IMAGES, LABELS])
    assert np.bincount(dataset.targets).tolist() == [1000] * 10


def test_an_endless_response_stops_at_the_expected_size(mirror, tmp_path):
    with pytest.raises(DownloadError, match="more than the expected 1,000,000 bytes"):
        fetch("x.gz", [f"{mirror}/endless/"], "0" * 64, tmp_path, size=1_000_000)
    assert _files(tmp_path) == []


def test_a_trickling_server_hits_the_overall_deadline(mirror, tmp_path):
    started = time.monotonic()
    with pytest.raises(DownloadError, match="too slow"):
        fetch("x.gz", [f"{mirror}/trickle/"], "0" * 64, tmp_path, size=100, total_timeout=1.0)
    assert time.monotonic() - started < 10
    assert _files(tmp_path) == []


def test_sigterm_during_a_download_leaves_no_partial_file(mirror, tmp_path):
    import subprocess
    import sys

    script = (
        "from wright.datasets.download import fetch\n"
        f"fetch('x.gz', ['{mirror}/trickle/'], '0' * 64, {str(tmp_path)!r}, size=10**6)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE)
    # Generous: on a loaded machine the child's import of wright alone can take many seconds.
    deadline = time.monotonic() + 180
    while not any(p.name.endswith(".part") for p in tmp_path.iterdir()):
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the download never started"
        time.sleep(0.05)
    process.terminate()
    process.wait(timeout=30)
    assert _files(tmp_path) == []
