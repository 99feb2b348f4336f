"""Test helpers of bazary.payments: a fake Stripe API on loopback and
webhook signatures made with Stripe's documented scheme.

The fake answers the few endpoints bazary calls with the documented shapes of
Stripe's objects; it proves that bazary speaks Stripe's protocol through the
real SDK, not how Stripe itself behaves.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


def stripe_signature(payload: bytes | str, secret: str, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header: ``t=<unix time>,v1=<hex HMAC-SHA256(secret, "t.payload")>``."""
    body = payload.decode() if isinstance(payload, bytes) else payload
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def stripe_event(event_type: str, obj: dict[str, Any], event_id: str | None = None) -> bytes:
    """The JSON body of a Stripe event delivering ``obj``."""
    return json.dumps(
        {
            "id": event_id or f"evt_{secrets.token_hex(12)}",
            "object": "event",
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "type": event_type,
            "data": {"object": obj},
        }
    ).encode()


def _nest(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (``metadata[order]=1``) back into a dict."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        target = out
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return out


class FakeStripe:
    """``with FakeStripe() as stripe_api:`` serves ``stripe_api.url`` (the
    SDK's ``api_base``); ``requests`` lists what it received,
    ``intents`` the PaymentIntents it made; set ``fail`` to answer errors."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.intents: dict[str, dict[str, Any]] = {}
        self.refunds: list[dict[str, Any]] = []
        self.fail = False
        self._replies: dict[str, tuple[int, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                params = _nest(parse_qsl(self.rfile.read(length).decode()))
                code, body = fake.handle(self.path, params, dict(self.headers))
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_{secrets.token_hex(6)}")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeStripe:
        # A short poll: shutdown() waits up to one interval (0.5 s by default) per test.
        threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, path: str, params: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        key = headers.get("Idempotency-Key", "")
        with self._lock:
            self.requests.append({"path": path, "params": params, "headers": headers})
            if self.fail:
                return 402, {"error": {"type": "card_error", "code": "card_declined", "message": "Declined."}}
            if not headers.get("Authorization", "").startswith("Bearer sk_"):
                return 401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided."}}
            if key and key in self._replies:
                return self._replies[key]
            if path == "/v1/payment_intents":
                reply = 200, self._intent(params)
            elif path == "/v1/refunds":
                reply = self._refund(params)
            else:
                reply = (
                    404,
                    {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL {path}."}},
                )
            if key:
                self._replies[key] = reply
            return reply

    def _intent(self, params: dict[str, Any]) -> dict[str, Any]:
        intent_id = f"pi_{secrets.token_hex(12)}"
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": int(params["amount"]),
            "amount_received": 0,
            "currency": params["currency"],
            "automatic_payment_methods": {
                "enabled": params.get("automatic_payment_methods", {}).get("enabled") == "true"
            },
            "client_secret": f"{intent_id}_secret_{secrets.token_hex(12)}",
            "metadata": params.get("metadata", {}),
            "status": "requires_payment_method",
            "livemode": False,
        }
        self.intents[intent_id] = intent
        return intent

    def _refund(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None:
            return 404, {"error": {"type": "invalid_request_error", "message": "No such payment_intent."}}
        refund = {
            "id": f"re_{secrets.token_hex(12)}",
            "object": "refund",
            "amount": int(params["amount"]),
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "status": "succeeded",
        }
        self.refunds.append(refund)
        return 200, refund

    def succeeded(self, intent_id: str) -> dict[str, Any]:
        """The PaymentIntent as a ``payment_intent.succeeded`` event carries it."""
        intent = dict(self.intents[intent_id])
        intent.update(status="succeeded", amount_received=intent["amount"])
        return intent
