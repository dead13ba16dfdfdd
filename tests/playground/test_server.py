"""The playground over plain HTTP and WebSockets: pages, validation, limits and sessions that end
with their page (the server runs on 127.0.0.1 on an ephemeral port, see conftest.py)."""

import contextlib
import itertools
import json
import time
import urllib.error
import urllib.request

import pytest

pytest.importorskip("websockets")
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect


def receive(socket, kind, timeout=30.0):
    """The next message of type `kind`, skipping others."""
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(socket.recv(timeout=max(0.01, deadline - time.monotonic())))
        if message["type"] == kind:
            return message


def request(socket, message, answer="error"):
    socket.send(message if isinstance(message, (str, bytes)) else json.dumps(message))
    return receive(socket, answer)


def test_pages_and_static_files_are_served(server):
    for path in ("", "boundaries", "digits", "backprop"):
        with urllib.request.urlopen(server.url + path) as response:
            assert response.status == 200 and b"<!DOCTYPE html>" in response.read(100)
    for name in ("playground.js", "boundaries.js", "digits.js", "backprop.js", "style.css"):
        with urllib.request.urlopen(server.url + "static/" + name) as response:
            assert response.status == 200
    for path in ("static/../__init__.py", "static/%2e%2e/server.py", "nothing"):
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(server.url + path)
        assert error.value.code == 404


def test_a_boundaries_page_gets_settings_data_and_pictures(server):
    with connect(server.ws + "ws/boundaries") as socket:
        state = receive(socket, "state")
        assert state["playing"] is False and state["settings"]["dataset"] == "xor"
        data = receive(socket, "data")
        assert len(data["train"]) + len(data["test"]) == 500
        update = receive(socket, "update")
        assert update["epoch"] == 0 and len(update["neurons"]) == 2
        step = request(socket, {"type": "step"}, "update")
        assert step["epoch"] == 1
        request(socket, {"type": "settings", "settings": {"dataset": "spiral"}}, "data")


BAD_REQUESTS = [
    ("not json", "expected a JSON message"),
    ("[" * 30_000 + "]" * 30_000, "expected a JSON message"),
    ({"type": "exec", "code": "import os"}, "expected a message with type one of settings"),
    ({"type": "settings", "settings": {"hidden": [4, 9]}}, "hidden: expected 1 to 8, got 9"),
    ({"type": "settings", "settings": {"hidden": [2] * 7}}, "hidden: expected 0 to 6 entries"),
    ({"type": "settings", "settings": {"lr": "fast"}}, "lr: expected a number, got 'fast'"),
    ({"type": "settings", "settings": {"lr": -1}}, "lr: expected 1e-05 to 10, got -1"),
    ('{"type": "settings", "settings": {"lr": NaN}}', "lr: expected 1e-05 to 10, got nan"),
    ({"type": "settings", "settings": {"points": 10**9}}, "points: expected 50 to 2000"),
    ({"type": "settings", "settings": {"dataset": "../x"}}, "dataset: expected one of circle"),
    ({"type": "settings", "settings": {"__class__": 1}}, "unknown setting '__class__'"),
    ({"type": "settings", "settings": "lr=1"}, "settings: expected an object"),
    (b"\x00\x01", "expected text messages (JSON), got binary data"),
]


@pytest.mark.parametrize("message, words", BAD_REQUESTS)
def test_bad_requests_come_back_as_messages_and_the_session_goes_on(server, message, words):
    with connect(server.ws + "ws/boundaries") as socket:
        receive(socket, "update")
        error = request(socket, message)
        assert words in error["message"] and "Traceback" not in error["message"]
        # Nothing changed, and the session still answers.
        state = request(socket, {"type": "settings", "settings": {"noise": 0.1}}, "state")
        assert state["settings"]["hidden"] == [4, 4] and state["settings"]["lr"] == 0.03


def test_a_message_over_the_size_limit_is_refused(server):
    limit = server.status()["limits"]["message_bytes"]
    with connect(server.ws + "ws/digits") as socket:
        socket.send(json.dumps({"type": "draw", "pixels": [0.5] * (limit // 3)}))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                socket.recv(timeout=10)
        assert closed.value.rcvd.code == 1009  # message too big
    assert server.status()["open_pages"] >= 0  # the server lives on


def test_digit_and_backprop_pages_check_what_they_get(server):
    with connect(server.ws + "ws/digits") as socket:
        receive(socket, "models")
        assert (
            "expected 784 to 784 entries, got 3"
            in request(socket, {"type": "draw", "pixels": [0, 0, 0]})["message"]
        )
        assert (
            "expected 0 to 1, got 2"
            in request(socket, {"type": "draw", "pixels": [2] * 784})["message"]
        )
        assert (
            "model: expected one of mlp-lecture, cnn"
            in request(socket, {"type": "nudge", "model": "os.system"})["message"]
        )
    with connect(server.ws + "ws/backprop") as socket:
        first = receive(socket, "network")
        assert first["phase"] == "start"
        assert (
            "image: expected 0 to 7, got 99"
            in request(socket, {"type": "settings", "settings": {"image": 99}})["message"]
        )
        assert request(socket, {"type": "forward"}, "network")["error"] > 0
        backward = request(socket, {"type": "backward"}, "network")
        assert backward["layers"][0]["weight_grad"] is not None


def test_drawings_are_answered_once_the_models_are_ready(server):
    server.wait_for(
        lambda s: s["digits"]["mlp-lecture"]["state"] == "ready", 120, "the 784-16-16-10 network"
    )
    with connect(server.ws + "ws/digits") as socket:
        models = receive(socket, "models")
        assert len(models["first_layer"]["images"]) == 16
        pixels = [0.0] * 784
        for row in range(4, 24):
            pixels[row * 28 + 13] = pixels[row * 28 + 14] = 1.0
        answer = request(socket, {"type": "draw", "pixels": pixels}, "answer")
        assert answer["mlp"]["answer"] == 1 and len(answer["mlp"]["hidden"][0]) == 16
        noise = request(socket, {"type": "noise"}, "answer")
        assert noise["source"] == "noise" and noise["input"] != answer["input"]
        request(socket, {"type": "draw", "pixels": pixels}, "answer")
        nudged = request(socket, {"type": "nudge", "model": "mlp-lecture"}, "answer")
        assert nudged["nudge"]["before"] == 1 and nudged["nudge"]["after"] != 1
        assert nudged["mlp"]["answer"] == nudged["nudge"]["after"]
        assert 0 < nudged["nudge"]["epsilon"] <= 0.5


def test_closing_the_page_stops_its_training(server):
    with connect(server.ws + "ws/boundaries") as socket:
        receive(socket, "update")
        assert request(socket, {"type": "play"}, "state")["playing"] is True
        epochs = [receive(socket, "update")["epoch"] for _ in range(3)]
        assert epochs == sorted(epochs) and epochs[-1] > 0
        assert server.status()["training"] == 1
    server.wait_for(lambda s: s["training"] == 0 and s["open_pages"] == 0, 10, "training to stop")


def test_several_pages_train_side_by_side_and_a_further_one_waits(server):
    limit = server.status()["limits"]["training"]
    with contextlib.ExitStack() as stack:
        sockets = [
            stack.enter_context(connect(server.ws + "ws/boundaries")) for _ in range(limit + 1)
        ]
        for socket in sockets:
            receive(socket, "update")
        for socket in sockets[:limit]:
            assert request(socket, {"type": "play"}, "state")["playing"] is True
        refused = request(sockets[-1], {"type": "play"})
        assert f"{limit} pages are training already" in refused["message"]
        counts = [0] * limit
        while min(counts) < 5:  # every page keeps getting pictures
            for i, socket in enumerate(sockets[:limit]):
                receive(socket, "update")
                counts[i] += 1
        # Pausing one frees its place for the waiting page.
        assert request(sockets[0], {"type": "pause"}, "state")["playing"] is False
        assert request(sockets[-1], {"type": "play"}, "state")["playing"] is True
    server.wait_for(lambda s: s["training"] == 0 and s["open_pages"] == 0, 10, "all to stop")


def test_pages_over_the_limit_are_turned_away_and_memory_stays_bounded(server):
    psutil = pytest.importorskip("psutil")
    memory = psutil.Process(server.process.pid).memory_info().rss
    limit = server.status()["limits"]["pages"]
    with contextlib.ExitStack() as stack:
        sockets = [
            stack.enter_context(connect(server.ws + f"ws/{('boundaries', 'digits')[i % 2]}"))
            for i in range(limit)
        ]
        for i, socket in enumerate(sockets):
            receive(socket, ("update", "models")[i % 2])
        for socket in sockets[:8:2]:  # the largest experiment the settings allow, training
            big = {"points": 2000, "hidden": [8] * 6, "train_fraction": 0.9}
            request(socket, {"type": "settings", "settings": big}, "update")
            request(socket, {"type": "play"}, "state")
            receive(socket, "update")
        grown = psutil.Process(server.process.pid).memory_info().rss - memory
        assert grown < 300 * 2**20, f"{limit} pages took {grown / 2**20:.0f} MiB"
        with connect(server.ws + "ws/backprop") as extra:  # one page too many
            error = receive(extra, "error")
            assert "serving 16 pages already" in error["message"]
            with pytest.raises(ConnectionClosed) as closed:
                extra.recv(timeout=10)
            assert closed.value.rcvd.code == 1013  # try again later
    server.wait_for(lambda s: s["open_pages"] == 0 and s["training"] == 0, 10, "pages to close")


def test_another_sites_page_cannot_connect(server):
    with pytest.raises(InvalidStatus):
        connect(server.ws + "ws/boundaries", origin="http://elsewhere.example")


def test_updates_per_second_for_a_2_8_8_1_network_on_500_points(server, capsys):
    with connect(server.ws + "ws/boundaries") as socket:
        receive(socket, "update")
        request(socket, {"type": "settings", "settings": {"hidden": [8, 8]}}, "update")
        request(socket, {"type": "play"}, "state")
        receive(socket, "update")
        start, count = time.perf_counter(), 40
        epochs = [receive(socket, "update")["epoch"] for _ in range(count)]
        rate = count / (time.perf_counter() - start)
    # An update trains one epoch, or 50 ms of one when the machine is busy.
    assert all(0 <= b - a <= 1 for a, b in itertools.pairwise(epochs)) and epochs[-1] > epochs[0]
    with capsys.disabled():
        print(f"\n2-8-8-1 on 500 points: {rate:.1f} updates per second")
