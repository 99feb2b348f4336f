"""Test helpers for bazary.webhooks: endpoints with a known secret, and a real
HTTP receiver on loopback (a :class:`~bazary.testing.loopback.LoopbackServer`)
that verifies what it gets with ``standardwebhooks``.

The receiver is plain ``http://127.0.0.1``, or HTTPS with ``tls`` (a server
``SSLContext``, e.g. :meth:`bazary.testing.tls.CertificateAuthority.server_context`):
a project testing with it sets
``BAZARY_WEBHOOKS["ALLOW_PRIVATE_NETWORKS"] = True``.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from bazary.testing.loopback import LoopbackHandler, LoopbackServer
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


class Receiver(LoopbackServer):
    """An HTTP server on 127.0.0.1 in a thread (HTTPS with ``tls``). ``replies``
    are answered in turn (the last one repeats); every request is kept in
    ``received``. ``host`` names it in :attr:`url` (a name that resolves to
    127.0.0.1, and that the ``tls`` certificate names)."""

    print_errors = False  # a refused handshake is in tls_errors; nothing to print

    def __init__(self, replies: Iterable[Reply] = (), *, tls: ssl.SSLContext | None = None, host: str = "") -> None:
        super().__init__(_ReceiverHandler)
        self.replies = list(replies) or [Reply()]
        self.received: list[Received] = []
        #: With ``tls``: the server name (SNI) each client asked for, and the
        #: handshakes that failed (the client refused the certificate...).
        self.server_names: list[str | None] = []
        self.tls_errors: list[str] = []
        self.tls = tls
        #: The host of :attr:`url` (it listens on 127.0.0.1 whatever the name).
        self.host = host or "127.0.0.1"
        if tls is not None:

            def remember_name(sock: Any, server_name: str | None, context: Any) -> None:
                with self.lock:
                    self.server_names.append(server_name)

            tls.sni_callback = remember_name

    @property
    def url(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{self.host}:{self.port}/hook"


class _ReceiverHandler(LoopbackHandler):
    def setup(self) -> None:
        tls = self.owner.tls
        if tls is not None:  # the handshake in this request's thread, not in the accepting one
            self.request.settimeout(10)
            try:
                self.request = tls.wrap_socket(self.request, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                with self.owner.lock:
                    self.owner.tls_errors.append(str(exc))
                raise
        super().setup()

    def do_POST(self) -> None:
        receiver = self.owner
        body = self.read_body()
        with receiver.lock:
            receiver.received.append(Received(self.path, dict(self.headers.items()), body))
            reply = receiver.replies[min(len(receiver.received), len(receiver.replies)) - 1]
        self.reply(reply.status, reply.body, reply.headers)
