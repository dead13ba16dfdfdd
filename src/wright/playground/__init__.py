"""`wright playground`: live web pages on the real framework (decision boundaries being learned,
a digit drawn and answered, backprop step by step), served locally by Starlette and uvicorn.

Example:
    Serve the pages (until Ctrl-C), then open http://127.0.0.1:8765/ in a browser:

    >>> from wright import playground
    >>> playground.serve(port=8765)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib.util
import socket
import webbrowser

__all__ = [
    "DEFAULT_PORT",
    "PlaygroundError",
    "listening_socket",
    "missing_packages",
    "serve",
    "url_of",
]

REQUIRED = ("starlette", "uvicorn", "websockets")
DEFAULT_PORT = 8765


class PlaygroundError(Exception):
    """A reason the playground cannot start, worded for the user (one line)."""


def missing_packages() -> list[str]:
    """The packages of the [playground] extra that cannot be imported."""
    return [name for name in REQUIRED if importlib.util.find_spec(name) is None]


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port) and listening; port 0 picks a free port.

    Raises:
        PlaygroundError: the port is taken or the address cannot be used.
    """
    if not 0 <= port <= 65535:
        raise PlaygroundError(f"port must be 0 to 65535, got {port}")
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        )[0]
    except socket.gaierror as error:
        raise PlaygroundError(f"cannot use host {host!r}: {error.strerror}") from None
    sock = socket.socket(family, kind, protocol)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as error:
        sock.close()
        if error.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            raise PlaygroundError(
                f"port {port} on {host} is already in use; choose another with --port"
            ) from None
        raise PlaygroundError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    return sock


def url_of(sock: socket.socket) -> str:
    """The http:// address of a listening socket."""
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


def serve(
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    open_browser: bool = False,
    quick: bool = False,
) -> None:
    """Serve the playground until interrupted (Ctrl+C or SIGTERM).

    Args:
        host: the address to listen on; the default lets only this machine in.
        port: the TCP port (0 for any free one); the address is printed once listening.
        open_browser: open the start page in the default web browser once serving.
        quick: small MNIST models trained in seconds, not the full cached ones (for tests).

    Raises:
        PlaygroundError: the [playground] extra is missing, or the port is taken.
    """
    if missing := missing_packages():
        raise PlaygroundError(
            f"the playground needs {', '.join(missing)}: pip install 'wright[playground]'"
        )
    import uvicorn
    from threadpoolctl import threadpool_limits

    from wright.playground.digits import DigitModels
    from wright.playground.server import Playground

    sock = listening_socket(host, port)
    url = url_of(sock)
    playground = Playground(
        digits=DigitModels(quick),
        on_start=(lambda: webbrowser.open(url)) if open_browser else None,
    )
    config = uvicorn.Config(
        playground.app(),
        log_level="warning",
        ws_max_size=playground.limits.message_bytes,
        ws_ping_interval=20.0,
    )
    print(f"wright playground: {url} (Ctrl+C stops it)", flush=True)
    try:
        # The pages multiply small matrices, where a second BLAS thread costs more than it saves.
        with threadpool_limits(1):
            uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
