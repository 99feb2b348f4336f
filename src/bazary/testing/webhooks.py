"""Test helpers for bazary.webhooks: endpoints with a known secret, and a real
HTTP receiver on loopback that verifies what it gets with ``standardwebhooks``.

The receiver is plain ``http://127.0.0.1``: a project testing with it sets
``BAZARY_WEBHOOKS["ALLOW_PRIVATE_NETWORKS"] = True``.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from bazary.webhooks.models import Endpoint, new_secret


def make_endpoint(url: str, event_types: Iterable[str] = ("*",), **fields: Any) -> tuple[Endpoint, str]:
    """A saved endpoint and its secret (in clear, as the API shows it once)."""
    secret = new_secret()
    endpoint = Endpoint(url=url, event_types=list(event_types), **fields)
    endpoint.set_secret(secret)
    endpoint.save()
    return endpoint, secret


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def verify(self, secret: str) -> Any:
        """The payload if ``secret`` signed it (Standard Webhooks' check), else ``WebhookVerificationError``."""
        return Webhook(secret).verify(self.body, self.headers)

    def verifies(self, secret: str) -> bool:
        try:
            self.verify(secret)
        except WebhookVerificationError:
            return False
        return True


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread. ``replies`` are answered in
    turn (the last one repeats); every request is kept in ``received``."""

    def __init__(self, replies: Iterable[Reply] = ()) -> None:
        self.replies = list(replies) or [Reply()]
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                    index = min(len(receiver.received), len(receiver.replies)) - 1
                    reply = receiver.replies[index]
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                # The client may read what it wants and go.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(reply.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll: shutdown() waits up to one interval (0.5 s by default) per test.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
