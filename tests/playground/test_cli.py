"""`wright playground` on the command line: its options and the one-line errors users see."""

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest

import wright.playground
from wright.cli import build_parser, main


def test_options_and_defaults():
    args = build_parser().parse_args(["playground"])
    assert (args.host, args.port, args.open) == ("127.0.0.1", 8765, False)
    args = build_parser().parse_args(["playground", "--port", "9000", "--host", "::1", "--open"])
    assert (args.host, args.port, args.open) == ("::1", 9000, True)


def test_a_missing_extra_is_one_line_naming_the_install(monkeypatch, capsys):
    monkeypatch.setattr(wright.playground, "missing_packages", lambda: ["starlette", "uvicorn"])
    assert main(["playground"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "pip install 'wright[playground]'" in err and "starlette, uvicorn" in err


def test_a_port_in_use_is_one_line_and_exit_1(capsys):
    pytest.importorskip("uvicorn")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["playground", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"wright: error: port {port} on 127.0.0.1 is already in use; choose another with --port\n"
    )


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_a_port_out_of_range_is_refused(port, capsys):
    pytest.importorskip("uvicorn")
    assert main(["playground", "--port", port]) == 1
    assert "port must be 0 to 65535" in capsys.readouterr().err


def test_the_server_prints_its_address_and_stops_on_ctrl_c(tmp_path):
    pytest.importorskip("uvicorn")
    process = subprocess.Popen(
        [sys.executable, "-m", "wright", "playground", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "WRIGHT_CACHE": str(tmp_path)},  # never train into the user's cache
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("wright playground: http://127.0.0.1:")
        # The socket listens before the server runs: the first answer shows it is running.
        with urllib.request.urlopen(line.split()[2] + "status", timeout=60) as response:
            assert json.load(response)["open_pages"] == 0
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    assert process.stdout.read() == "wright playground: stopped\n"
    assert "Traceback" not in process.stderr.read()
