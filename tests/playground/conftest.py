"""A playground server for the tests: `wright.playground.serve` in a child process on 127.0.0.1 and
an ephemeral port (its own process, so its wright work never shares grad mode with the tests')."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import wright

SCREENSHOTS = "WRIGHT_PLAYGROUND_SCREENSHOTS"


class Server:
    """A running playground: its base URL and helpers to read /status."""

    def __init__(self, process: subprocess.Popen, url: str, full: bool) -> None:
        self.process = process
        self.url = url
        self.full = full  # the full MNIST models, not the quick ones
        self.ws = url.replace("http://", "ws://")

    def status(self) -> dict:
        with urllib.request.urlopen(self.url + "status", timeout=10) as response:
            return json.load(response)

    def wait_for(self, condition, timeout: float, what: str) -> dict:
        """Poll /status until condition(status) holds; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.status()
            if condition(status):
                return status
            if time.monotonic() > deadline:
                pytest.fail(f"timed out after {timeout} s waiting for {what}; status {status}")
            time.sleep(0.1)


@pytest.fixture(scope="session")
def shots(tmp_path_factory) -> Path:
    """Where the browser tests save screenshots: $WRIGHT_PLAYGROUND_SCREENSHOTS, or a temporary
    folder."""
    folder = os.environ.get(SCREENSHOTS)
    return Path(folder) if folder else tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session")
def server():
    """The playground with quick MNIST models (full ones when making the docs' screenshots)."""
    for package in ("starlette", "uvicorn", "websockets"):
        pytest.importorskip(package)
    quick = not os.environ.get(SCREENSHOTS)
    source = str(Path(wright.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from wright.playground import serve; serve(port=0, quick={quick})",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    line = process.stdout.readline()  # "wright playground: http://127.0.0.1:PORT/ (...)"
    if not line.startswith("wright playground: http://127.0.0.1:"):
        process.kill()
        pytest.fail(f"the playground did not start: {line!r}")
    yield Server(process, line.split()[2], full=not quick)
    process.terminate()
    process.wait(timeout=30)
