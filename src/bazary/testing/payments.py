"""Test helpers of bazary.payments: fake Stripe and Chapa APIs on loopback
(one :class:`FakeServer` underneath) and webhook signatures made with each
provider's documented scheme.

The fakes answer the few endpoints bazary calls with the documented shapes of
the providers' objects; they prove that bazary speaks each protocol (Stripe's
through the real SDK), not how the providers themselves behave.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl

from .loopback import LoopbackHandler, LoopbackServer


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


class FakeServer(LoopbackServer):
    """What the fake provider APIs share: a threaded HTTP server on loopback
    (``url``), the log of the ``requests`` it received, JSON answers, and a
    lock around :meth:`handle`. ``with Fake() as api:`` serves while inside."""

    #: Extra headers of every answer.
    answer_headers: dict[str, str] = {}

    def __init__(self) -> None:
        super().__init__(_FakeHandler)
        self.requests: list[dict[str, Any]] = []
        self.fail = False
        self.url = self.base_url

    def parse(self, raw: bytes, content_type: str) -> dict[str, Any]:
        """The request's body: JSON, or form fields (``a[b]=1`` nested)."""
        if content_type.startswith("application/json"):
            try:
                value = json.loads(raw or b"{}")
            except ValueError:
                return {}
            return value if isinstance(value, dict) else {}
        return _nest(parse_qsl(raw.decode()))

    def handle(
        self, path: str, params: dict[str, Any], headers: dict[str, str], *, method: str = "POST"
    ) -> tuple[int, dict[str, Any]]:
        """``(status, JSON body)`` of a request (called under the lock); each fake answers its routes."""
        return 404, {"message": f"Unrecognized request URL {path}."}


class _FakeHandler(LoopbackHandler):
    def _serve(self) -> None:
        fake = self.owner
        params = fake.parse(self.read_body(), self.headers.get("Content-Type", ""))
        with fake.lock:
            fake.requests.append(
                {"method": self.command, "path": self.path, "params": params, "headers": dict(self.headers)}
            )
            code, body = fake.handle(self.path, params, dict(self.headers), method=self.command)
        self.reply(code, json.dumps(body).encode(), {"Content-Type": "application/json", **fake.answer_headers})

    do_GET = do_POST = _serve


class FakeStripe(FakeServer):
    """``with FakeStripe() as stripe_api:`` serves ``stripe_api.url`` (the
    SDK's ``api_base``); ``requests`` lists what it received,
    ``intents`` the PaymentIntents it made; set ``fail`` to answer errors."""

    def __init__(self) -> None:
        super().__init__()
        self.intents: dict[str, dict[str, Any]] = {}
        self.refunds: list[dict[str, Any]] = []
        self._replies: dict[str, tuple[int, dict[str, Any]]] = {}

    @property
    def answer_headers(self) -> dict[str, str]:  # type: ignore[override]
        return {"Request-Id": f"req_{secrets.token_hex(6)}"}

    def handle(
        self, path: str, params: dict[str, Any], headers: dict[str, str], *, method: str = "POST"
    ) -> tuple[int, dict[str, Any]]:
        key = headers.get("Idempotency-Key", "")
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


def chapa_signature(payload: bytes | str, secret: str) -> str:
    """An ``x-chapa-signature`` header: the hex HMAC-SHA256 of the raw body, keyed by the webhook secret."""
    body = payload.encode() if isinstance(payload, str) else payload
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())


class FakeChapa(FakeServer):
    """``with FakeChapa() as chapa_api:`` serves ``chapa_api.url`` (the
    provider's ``API_BASE``): ``POST /v1/transaction/initialize``,
    ``GET /v1/transaction/verify/<tx_ref>`` and ``POST /v1/refund/<tx_ref>``
    with the bodies Chapa documents. ``transactions`` holds what was
    initialized (``status`` ``pending`` until :meth:`settle`); set ``fail``
    to answer errors. It proves bazary's side of the protocol, not Chapa's."""

    def __init__(self) -> None:
        super().__init__()
        self.transactions: dict[str, dict[str, Any]] = {}
        self.refunds: list[dict[str, Any]] = []

    def handle(
        self, path: str, params: dict[str, Any], headers: dict[str, str], *, method: str = "POST"
    ) -> tuple[int, dict[str, Any]]:
        if self.fail:
            return 500, {"message": "Something went wrong.", "status": "failed", "data": None}
        if not headers.get("Authorization", "").startswith("Bearer CHASECK"):
            return 401, {"message": "Invalid API Key or User doesn't exist", "status": "failed", "data": None}
        if method == "POST" and path == "/v1/transaction/initialize":
            return self._initialize(params)
        if method == "GET" and path.startswith("/v1/transaction/verify/"):
            transaction = self.transactions.get(path.rsplit("/", 1)[-1])
            if transaction is None:
                return 404, {"message": "Invalid transaction or Transaction not found", "status": "failed"}
            return 200, {"message": "Payment details", "status": "success", "data": self.verified(transaction)}
        if method == "POST" and path.startswith("/v1/refund/"):
            return self._refund(path.rsplit("/", 1)[-1], params)
        return super().handle(path, params, headers, method=method)

    def _initialize(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        missing = [name for name in ("amount", "currency", "tx_ref") if not params.get(name)]
        if missing:
            return 400, {"message": {name: [f"The {name} field is required."] for name in missing}, "status": "failed"}
        if params["tx_ref"] in self.transactions:
            return 400, {"message": "Transaction reference has been used before", "status": "failed", "data": None}
        self.transactions[params["tx_ref"]] = {
            **params,
            "status": "pending",
            "reference": f"AP{secrets.token_hex(5)}",
            "refunded": "0",
            "created_at": _now(),
        }
        token = secrets.token_urlsafe(12)
        return 200, {
            "message": "Hosted Link",
            "status": "success",
            "data": {"checkout_url": f"https://checkout.chapa.co/checkout/payment/{token}"},
        }

    def verified(self, transaction: dict[str, Any]) -> dict[str, Any]:
        """The ``data`` of a verify answer (amount as a number, as Chapa sends it)."""
        return {
            "first_name": transaction.get("first_name"),
            "last_name": transaction.get("last_name"),
            "email": transaction.get("email"),
            "currency": transaction["currency"],
            "amount": float(transaction["amount"]),
            "charge": 0.35,
            "mode": "test",
            "method": "test",
            "type": "API",
            "status": transaction["status"],
            "reference": transaction["reference"],
            "tx_ref": transaction["tx_ref"],
            "customization": transaction.get("customization") or {"title": None, "description": None, "logo": None},
            "meta": transaction.get("meta"),
            "created_at": transaction["created_at"],
            "updated_at": _now(),
        }

    def _refund(self, tx_ref: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        from decimal import Decimal

        transaction = self.transactions.get(tx_ref)
        if transaction is None or transaction["status"] != "success":
            return 400, {"message": "Transaction not found or not successful", "status": "failed", "data": None}
        reference = params.get("reference", "")
        if reference and any(refund["merchant_reference"] == reference for refund in self.refunds):
            return 400, {"message": "The reference has already been used", "status": "failed", "data": None}
        remaining = Decimal(str(transaction["amount"])) - Decimal(transaction["refunded"])
        amount = Decimal(params.get("amount") or remaining)
        if amount <= 0 or amount > remaining:
            return 400, {"message": "The refund amount exceeds the transaction amount", "status": "failed"}
        transaction["refunded"] = str(Decimal(transaction["refunded"]) + amount)
        refund = {
            "id": len(self.refunds) + 1,
            "chapa_reference": transaction["reference"],
            "bank_reference": secrets.token_hex(5).upper(),
            "amount": f"{amount:.2f}",
            "ref": f"MERC-REF-{secrets.token_hex(6)}",
            "currency": transaction["currency"],
            "status": "Refund Initiated",
            "reason": params.get("reason"),
            "merchant_reference": reference,
            "created_at": _now(),
            "updated_at": _now(),
        }
        self.refunds.append(refund)
        return 200, {
            "message": "Refund initiated successfully. Processing time: 1-3 business days",
            "status": "success",
            "data": refund,
        }

    def settle(self, tx_ref: str, status: str = "success") -> None:
        """The customer paid (``success``) or did not (``failed``); ``pending`` meanwhile."""
        with self.lock:
            self.transactions[tx_ref]["status"] = status

    def event(self, tx_ref: str, event: str = "charge.success", **changes: Any) -> bytes:
        """The JSON body of the webhook Chapa sends about ``tx_ref`` (``changes`` override its fields)."""
        transaction = self.transactions[tx_ref]
        body = {
            "event": event,
            "first_name": transaction.get("first_name"),
            "last_name": transaction.get("last_name"),
            "email": transaction.get("email"),
            "mobile": None,
            "currency": transaction["currency"],
            "amount": f"{float(transaction['amount']):.2f}",
            "charge": "0.35",
            "status": "success" if event == "charge.success" else "failed",
            "failure_reason": None,
            "mode": "test",
            "reference": transaction["reference"],
            "created_at": transaction["created_at"],
            "updated_at": _now(),
            "type": "API",
            "tx_ref": tx_ref,
            "payment_method": "test",
            "customization": {"title": None, "description": None, "logo": None},
            "meta": transaction.get("meta"),
            **changes,
        }
        return json.dumps(body).encode()
