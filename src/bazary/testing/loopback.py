"""A real HTTP server on 127.0.0.1 for tests, serving from a thread of the
test's process: what the webhook :class:`~bazary.testing.webhooks.Receiver`,
the fake payment providers (:class:`~bazary.testing.payments.FakeServer`) and
a project's own loopback servers share.

A server is a :class:`LoopbackServer` with a :class:`LoopbackHandler`
subclass that answers the requests (``do_GET``, ``do_POST``...); the handler
reaches the server object as :attr:`LoopbackHandler.owner`::

    class Hello(LoopbackHandler):
        def do_GET(self) -> None:
            self.reply(200, b"hello", {"Content-Type": "text/plain"})

    with LoopbackServer(Hello) as server:
        urllib.request.urlopen(f"{server.base_url}/")
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self, cast


class _HTTPServer(ThreadingHTTPServer):
    owner: LoopbackServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.owner.print_errors:
            super().handle_error(request, client_address)


class LoopbackHandler(BaseHTTPRequestHandler):
    """The request handler of a :class:`LoopbackServer`: it logs nothing."""

    @property
    def owner(self) -> Any:
        """The :class:`LoopbackServer` this request came to."""
        return cast(_HTTPServer, self.server).owner

    def read_body(self) -> bytes:
        """The request's body (``Content-Length`` bytes; none without it)."""
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def reply(self, status: int, body: bytes = b"", headers: Mapping[str, str] | None = None) -> None:
        """Answer ``status`` with ``body`` (its ``Content-Length`` added) and ``headers``."""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # The client may read what it wants and go.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1, on a free port (:attr:`port`),
    answering with ``handler`` while inside ``with``; leaving the block stops
    it and closes its socket. ``lock`` is for what the handlers record (each
    request has a thread of its own)."""

    #: Whether an exception in a handler is printed (the standard library's
    #: traceback on stderr); off where failing requests are expected.
    print_errors = True

    def __init__(self, handler: type[LoopbackHandler]) -> None:
        self.lock = threading.Lock()
        self.server = _HTTPServer(("127.0.0.1", 0), handler)
        self.server.owner = self
        self.port: int = self.server.server_address[1]
        # A short poll: shutdown() waits up to one interval (0.5 s by default) per test.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
