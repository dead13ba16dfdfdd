"""The playground's web server: the pages, their static files, and one WebSocket per open page
whose session lives exactly as long as the page does.

All of wright's work runs on one worker thread: wright's grad mode (`no_grad`) is one switch for
the whole process, so two threads running wright code could switch it under each other (and the
interpreter lock would not let them run at once anyway). A page's request is one bounded job (an
epoch or 50 ms of training, one answer, one nudge) and jobs run first come first served, so many
open pages take turns instead of starving each other. The MNIST models are trained in a child
process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from starlette.applications import Starlette
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

import wright
from wright.playground import digits as digit_pages
from wright.playground.backprop import BackpropSession
from wright.playground.boundaries import BoundarySession
from wright.playground.digits import DigitModels
from wright.playground.settings import Choice, ParameterError, checked, message_type

STATIC = Path(__file__).resolve().parent / "static"
PAGES = {
    "/": "index.html",
    "/boundaries": "boundaries.html",
    "/digits": "digits.html",
    "/backprop": "backprop.html",
}


@dataclass(frozen=True)
class Limits:
    """What the server allows, so that no page (or many) can exhaust the machine.

    Attributes:
        pages: open pages (WebSocket sessions) at once; more are told to come back later.
        training: boundaries pages training at once; a further "play" is refused.
        message_bytes: the largest message a page may send.
        queued: requests a page may have waiting; more are refused until it catches up.
        epochs_per_play: epochs one press of play may run before training pauses by itself.
        updates_per_second: the most pictures a training page is sent each second.
        update_seconds: the longest a single update may train (a long epoch is continued).
    """

    pages: int = 16
    training: int = 4
    message_bytes: int = 64 * 1024
    queued: int = 8
    epochs_per_play: int = 5000
    updates_per_second: float = 30.0
    update_seconds: float = 0.05


class Playground:
    """The server's shared state: limits, the worker thread, the digit models, and counts of open
    and training pages.

    Args:
        limits: see Limits.
        digits: the MNIST models (default: the demos' cached ones, trained on first use).
        on_start: called once the server is ready (e.g. to open a browser).
    """

    def __init__(
        self,
        limits: Limits = Limits(),
        digits: DigitModels | None = None,
        on_start: Callable[[], None] | None = None,
    ) -> None:
        self.limits = limits
        self.digits = digits if digits is not None else DigitModels()
        self.on_start = on_start
        self.executor: ThreadPoolExecutor | None = None
        self.open_pages = 0
        self.training = 0

    async def work(self, function: Callable, *args) -> Any:
        """Run function(*args) on the worker thread and wait for it."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette):
        """Start the worker and the digit models; stop both on shutdown."""
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="playground")
        preparing = asyncio.create_task(self.digits.prepare(self.work))
        if self.on_start is not None:
            self.on_start()
        try:
            yield
        finally:
            preparing.cancel()
            self.digits.stop()
            self.executor.shutdown(wait=False, cancel_futures=True)

    def app(self) -> Starlette:
        """The Starlette application serving the pages."""
        routes = [Route(path, _page(name)) for path, name in PAGES.items()]
        routes += [
            Route("/status", self.status),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
            WebSocketRoute("/ws/boundaries", self._socket(BoundariesPage)),
            WebSocketRoute("/ws/digits", self._socket(DigitsPage)),
            WebSocketRoute("/ws/backprop", self._socket(BackpropPage)),
        ]
        return Starlette(routes=routes, lifespan=self.lifespan)

    async def status(self, request) -> JSONResponse:
        """Open and training pages, the limits, and the digit models' states, as JSON."""
        return JSONResponse(
            {
                "open_pages": self.open_pages,
                "training": self.training,
                "limits": self.limits.__dict__,
                "digits": self.digits.status(),
                "wright": wright.__version__,
            }
        )

    def _socket(self, page_class: type[Page]) -> Callable:
        async def endpoint(websocket: WebSocket) -> None:
            await self.serve_page(websocket, page_class)

        return endpoint

    async def serve_page(self, websocket: WebSocket, page_class: type[Page]) -> None:
        """Accept a page's WebSocket, run its session, and end the session when the page goes."""
        if not _same_origin(websocket):
            await websocket.close(code=1008)
            return
        await websocket.accept()
        if self.open_pages >= self.limits.pages:
            await _send(
                websocket,
                {
                    "type": "error",
                    "message": f"the playground is serving {self.open_pages} pages already "
                    f"(the most it allows); close one and reload this page",
                },
            )
            await websocket.close(code=1013)
            return
        self.open_pages += 1
        page = page_class(self, websocket)
        runner = asyncio.create_task(page.run())
        try:
            await self._receive(websocket, page, runner)
        finally:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await runner
            page.close()
            self.open_pages -= 1

    async def _receive(self, websocket: WebSocket, page: Page, runner: asyncio.Task) -> None:
        receiving = asyncio.ensure_future(websocket.receive())
        while True:
            done, _ = await asyncio.wait({receiving, runner}, return_when=asyncio.FIRST_COMPLETED)
            if runner in done:  # the session failed or the connection broke while sending
                receiving.cancel()
                return
            message = receiving.result()
            if message["type"] == "websocket.disconnect":
                return
            receiving = asyncio.ensure_future(websocket.receive())
            text = message.get("text")
            try:
                if text is None:
                    raise ParameterError("expected text messages (JSON), got binary data")
                if len(text) > self.limits.message_bytes:
                    raise ParameterError(
                        f"message too long: {len(text):,} characters, at most "
                        f"{self.limits.message_bytes:,}"
                    )
                try:
                    request = json.loads(text)
                except (ValueError, RecursionError):  # RecursionError: nested too deeply
                    raise ParameterError("expected a JSON message") from None
                if page.queue.full():
                    raise ParameterError(
                        "too many requests waiting; the page sends faster than the server works"
                    )
                page.queue.put_nowait(request)
            except ParameterError as error:
                await page.send_error(str(error))


def _page(name: str) -> Callable:
    async def endpoint(request) -> FileResponse:
        return FileResponse(STATIC / name, headers={"Cache-Control": "no-cache"})

    return endpoint


def _same_origin(websocket: WebSocket) -> bool:
    # A page from another site must not drive this server through the user's browser.
    origin = websocket.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == websocket.headers.get("host")


async def _send(websocket: WebSocket, message: dict) -> None:
    await websocket.send_text(json.dumps(message, allow_nan=False))


class Page:
    """One open page's session: requests come in on `queue`, and `run` answers them in order.

    Subclasses list the request types they take in TYPES and implement `start` and `handle`.
    """

    TYPES: tuple[str, ...] = ()

    def __init__(self, playground: Playground, websocket: WebSocket) -> None:
        self.playground = playground
        self.websocket = websocket
        self.queue: asyncio.Queue = asyncio.Queue(playground.limits.queued)

    async def send(self, message: dict) -> None:
        """Send one JSON message to the page."""
        await _send(self.websocket, message)

    async def send_error(self, text: str) -> None:
        """Show `text` on the page as a problem with the last request."""
        await self.send({"type": "error", "message": text})

    async def run(self) -> None:
        """Start the session, then answer requests until the page closes (the task is
        cancelled)."""
        await self.guarded(self.start)
        while True:
            await self.next_request()

    async def next_request(self, timeout: float | None = None) -> None:
        """Wait for one request (up to `timeout` seconds) and handle it."""
        try:
            request = await asyncio.wait_for(self.queue.get(), timeout)
        except asyncio.TimeoutError:
            return
        await self.guarded(self.handle, request)

    async def guarded(self, function: Callable, *args) -> None:
        """Run a step of the session; bad requests and failures become messages on the page."""
        try:
            await function(*args)
        except ParameterError as error:
            await self.send_error(str(error))
        except Exception as error:
            # A page that went away ends the session; anything else is reported and survived.
            if isinstance(error, (WebSocketDisconnect, OSError)) or self._gone():
                raise
            await self._internal(error)

    def _gone(self) -> bool:
        states = (self.websocket.client_state, self.websocket.application_state)
        return any(state != WebSocketState.CONNECTED for state in states)

    async def _internal(self, error: Exception) -> None:
        traceback.print_exception(error)
        await self.send_error(
            f"the server could not do that ({type(error).__name__}); details are in its log"
        )

    async def start(self) -> None:
        """Send the page its first picture."""

    async def handle(self, request: Any) -> None:
        """Answer one request from the page."""

    def close(self) -> None:
        """Release what the session holds (called once the page has gone)."""


class BoundariesPage(Page):
    """The boundaries page: play, pause, step, reset and settings for one BoundarySession."""

    TYPES = ("settings", "play", "pause", "step", "reset")

    def __init__(self, playground: Playground, websocket: WebSocket) -> None:
        super().__init__(playground, websocket)
        self.session: BoundarySession | None = None
        self.playing = False
        self.epochs_at_play = 0

    async def start(self) -> None:
        """Make the session and send its settings, data and first picture."""
        self.session = await self.playground.work(BoundarySession)
        await self.send_state()
        await self.send({"type": "data", **self.session.data()})
        await self.send_update()

    async def run(self) -> None:
        """Answer requests; while playing, train and send pictures between them."""
        await self.guarded(self.start)
        limits = self.playground.limits
        while True:
            if not self.playing:
                await self.next_request()
                continue
            while not self.queue.empty() and self.playing:
                await self.guarded(self.handle, self.queue.get_nowait())
            if not self.playing:
                continue
            started = time.monotonic()
            await self.guarded(self._train_and_send, limits.update_seconds)
            session = self.session
            if session.diverged:
                await self.pause(
                    "training diverged (the loss is no longer a number): lower the learning "
                    "rate, then press reset"
                )
            elif session.epoch - self.epochs_at_play >= limits.epochs_per_play:
                await self.pause(
                    f"paused after {limits.epochs_per_play} epochs, the most one press of play "
                    "runs; press play to go on"
                )
            rest = 1 / limits.updates_per_second - (time.monotonic() - started)
            if rest > 0:
                await asyncio.sleep(rest)

    async def _train_and_send(self, budget: float | None) -> None:
        def job():
            self.session.train(budget)
            return self.session.snapshot()

        await self.send({"type": "update", **await self.playground.work(job)})

    async def send_update(self) -> None:
        """Send the current picture."""
        await self.send({"type": "update", **await self.playground.work(self.session.snapshot)})

    async def send_state(self) -> None:
        """Send the settings in force and whether training runs."""
        await self.send(
            {"type": "state", "settings": self.session.settings, "playing": self.playing}
        )

    async def pause(self, reason: str | None = None) -> None:
        """Stop training (giving back its slot) and tell the page, with `reason` if any."""
        if self.playing:
            self.playing = False
            self.playground.training -= 1
        await self.send_state()
        if reason:
            await self.send({"type": "notice", "message": reason})

    async def handle(self, request: Any) -> None:
        """settings {settings: {...}}, play, pause, step (one epoch), reset (new weights)."""
        kind = message_type(request, self.TYPES)
        if self.session is None:
            raise ParameterError("the session is still starting; try again")
        if kind == "settings":
            rebuilt = await self.playground.work(self.session.update, request.get("settings"))
            await self.send_state()
            if "data" in rebuilt:
                await self.send({"type": "data", **self.session.data()})
            if not self.playing:
                await self.send_update()
        elif kind == "play":
            if self.playing:
                return
            if self.session.diverged:
                raise ParameterError("training diverged: press reset (perhaps with a lower rate)")
            if self.playground.training >= self.playground.limits.training:
                raise ParameterError(
                    f"{self.playground.training} pages are training already (the most this "
                    "server allows at once); pause one of them first"
                )
            self.playground.training += 1
            self.playing = True
            self.epochs_at_play = self.session.epoch
            await self.send_state()
        elif kind == "pause":
            await self.pause()
        elif kind == "step":
            await self.pause()
            if self.session.diverged:
                raise ParameterError("training diverged: press reset (perhaps with a lower rate)")
            await self._train_and_send(None)
        else:  # reset
            await self.playground.work(self.session.reset)
            await self.send_update()

    def close(self) -> None:
        """Give back the training slot of a page that closed while playing."""
        if self.playing:
            self.playing = False
            self.playground.training -= 1


NUDGE_RULES = {"model": Choice(digit_pages.MODELS)}


class DigitsPage(Page):
    """The draw-a-digit page: drawings, noise and nudges answered by the shared digit models."""

    TYPES = ("draw", "noise", "nudge")

    def __init__(self, playground: Playground, websocket: WebSocket) -> None:
        super().__init__(playground, websocket)
        self.image = np.zeros((digit_pages.SIDE, digit_pages.SIDE), np.float32)
        self.sent_status: dict | None = None

    async def run(self) -> None:
        """Answer requests, and tell the page whenever a model becomes ready."""
        while True:
            await self.guarded(self._send_models)
            done = self.playground.digits.done.is_set()
            await self.next_request(None if done else 0.5)

    async def _send_models(self) -> None:
        status = self.playground.digits.status()
        if status == self.sent_status:
            return
        newly_ready = self.sent_status is not None and any(
            status[n]["state"] == "ready" != self.sent_status[n]["state"] for n in status
        )
        self.sent_status = status
        await self.send(
            {
                "type": "models",
                "status": status,
                "first_layer": self.playground.digits.first_layer(),
                "now": time.time(),
            }
        )
        if newly_ready:
            await self._answer("drawing")

    async def _answer(self, source: str, **extra) -> None:
        answer = await self.playground.work(self.playground.digits.answer, self.image)
        await self.send({"type": "answer", "source": source, **answer, **extra})

    async def handle(self, request: Any) -> None:
        """draw {pixels: 784 numbers in [0, 1], row by row}, noise, nudge {model}."""
        kind = message_type(request, self.TYPES)
        if kind == "draw":
            pixels = digit_pages.PIXELS.check("pixels", request.get("pixels"))
            drawing = np.asarray(pixels, np.float32).reshape(digit_pages.SIDE, digit_pages.SIDE)
            self.image = await self.playground.work(digit_pages.mnist_like, drawing)
            await self._answer("drawing")
        elif kind == "noise":
            self.image = await self.playground.work(
                lambda: wright.rand(digit_pages.SIDE, digit_pages.SIDE).numpy()
            )
            await self._answer("noise")
        else:
            name = checked({"model": request.get("model")}, NUDGE_RULES, {})["model"]
            if name not in self.playground.digits.models:
                raise ParameterError(f"the {name} network is not ready yet; wait for it")
            nudged, epsilon, before, after = await self.playground.work(
                self.playground.digits.nudge, self.image, name
            )
            if not np.isfinite(epsilon):
                raise ParameterError(
                    f"no nudge of up to 0.5 per pixel changes the {name} network's answer"
                )
            self.image = nudged
            nudge = {"model": name, "epsilon": epsilon, "before": before, "after": after}
            await self._answer("nudge", nudge=nudge)


class BackpropPage(Page):
    """The backprop page: forward, backward and update on one BackpropSession."""

    TYPES = ("settings", "forward", "backward", "update", "restart")

    async def start(self) -> None:
        """Make the session and send its first picture."""
        self.session = BackpropSession()
        await self.send_snapshot()

    async def send_snapshot(self) -> None:
        """Send every number of the network as it stands."""
        await self.send({"type": "network", **self.session.snapshot()})

    async def handle(self, request: Any) -> None:
        """settings {settings: {...}}, forward, backward, update, restart (fresh weights)."""
        kind = message_type(request, self.TYPES)
        action = {
            "settings": lambda: self.session.update(request.get("settings")),
            "forward": self.session.forward,
            "backward": self.session.backward,
            "update": self.session.step,
            "restart": self.session.restart,
        }[kind]
        await self.playground.work(action)
        await self.send_snapshot()
