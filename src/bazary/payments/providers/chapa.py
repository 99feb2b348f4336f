"""Chapa over its HTTP API (no SDK; the standard library's client): a
transaction initialized for the order's total returns the hosted checkout URL;
every webhook is only a hint, checked against ``GET /v1/transaction/verify``
before anything is marked paid; refunds through ``POST /v1/refund``.

- The webhook's ``x-chapa-signature`` (or ``Chapa-Signature``) must be the hex
  HMAC-SHA256 of the raw body keyed by ``WEBHOOK_SECRET`` (compared in
  constant time). Chapa also sends, in ``Chapa-Signature``, an HMAC of the
  secret itself: it does not cover the body, so it is never enough.
- What the verify answer says is what counts: ``success`` with the payment's
  amount and currency captures; ``failed`` fails; anything else is recorded
  and changes nothing. The event's id is the event type, the ``tx_ref`` and
  the verified status, so a redelivery is processed once and a later delivery
  that finds the transaction settled is processed again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from bazary.orders.money import minor_unit
from bazary.orders.providers import RefundResult

from ..exceptions import InvalidWebhook, ProviderUnavailable
from ..models import Payment
from ..services import ProviderEvent
from . import CardProvider

logger = logging.getLogger("bazary.payments")

#: Chapa's API (``API_BASE`` replaces it, e.g. for a test server).
DEFAULT_API_BASE = "https://api.chapa.co"
#: Seconds for the connection and for the answer.
TIMEOUT = 15
#: The largest answer read from Chapa.
MAX_ANSWER = 256 * 1024
#: Events about a transaction that are not a settlement to verify (Chapa's refunds and reversals).
NOT_SETTLEMENTS = frozenset({"charge.refunded", "charge.reversed"})


def decimal_or_none(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def minor_or_none(amount: Decimal | None, currency: str) -> int | None:
    """``amount`` in minor units; None when it has digits beyond them (so it matches no payment)."""
    if amount is None:
        return None
    units = amount / minor_unit(currency)
    return int(units) if units == units.to_integral_value() else None


class ChapaProvider(CardProvider):
    code = "chapa"
    name = _("Chapa")

    def call(self, method: str, path: str, *, json_body: Any = None, form: Any = None) -> tuple[int, dict[str, Any]]:
        """``(HTTP status, JSON answer)`` of Chapa's API; :class:`ProviderUnavailable`
        when it cannot be reached or answers something that is not JSON."""
        keys = self.keys()
        base = str(keys.get("API_BASE") or DEFAULT_API_BASE).rstrip("/")
        headers = {"Authorization": f"Bearer {keys.get('SECRET_KEY', '')}", "Accept": "application/json"}
        data = None
        if json_body is not None:
            data, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        elif form is not None:
            data, headers["Content-Type"] = urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
        # API_BASE is an http(s) URL (bazary_payments.E012), never file: or another scheme.
        request = urllib.request.Request(f"{base}{path}", data=data, headers=headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                status, raw = response.status, response.read(MAX_ANSWER)
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read(MAX_ANSWER)
        except (urllib.error.URLError, OSError) as error:
            # The message names the host and the reason, never the key.
            logger.warning("payments: chapa %s %s unreachable: %s", method, path.split("?")[0], error)
            raise ProviderUnavailable from error
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            logger.warning("payments: chapa %s %s answered %s without JSON", method, path, status)
            raise ProviderUnavailable
        return status, answer

    def create(self, payment: Any) -> tuple[str, dict[str, Any]]:
        order = payment.order
        tx_ref = f"bazary-{order.number}-{payment.pk}"
        recipient = str((order.shipping_address or {}).get("recipient_name") or "").split()
        body: dict[str, Any] = {
            "amount": str(payment.amount.quantize(minor_unit(payment.currency))),
            "currency": payment.currency,
            "email": order.email,
            "tx_ref": tx_ref,
            "meta": {"order": order.number, "payment": str(payment.pk)},
        }
        if recipient:
            body["first_name"], body["last_name"] = recipient[0], " ".join(recipient[1:])
        status, answer = self.call("POST", "/v1/transaction/initialize", json_body=body)
        checkout_url = (answer.get("data") or {}).get("checkout_url") if isinstance(answer.get("data"), dict) else None
        if status != 200 or answer.get("status") != "success" or not isinstance(checkout_url, str):
            logger.warning(
                "payments: chapa refused to initialize payment %s (%s): %s", payment.pk, status, answer.get("message")
            )
            raise ProviderUnavailable
        return tx_ref, {"redirect_url": checkout_url}

    def verify(self, tx_ref: str) -> dict[str, Any] | None:
        """The ``data`` of Chapa's verify answer for ``tx_ref``; None when Chapa does not know it."""
        status, answer = self.call("GET", f"/v1/transaction/verify/{urllib.parse.quote(tx_ref, safe='')}")
        data = answer.get("data")
        if status == 200 and answer.get("status") == "success" and isinstance(data, dict):
            return data
        if status in (400, 404):
            return None
        logger.warning("payments: chapa could not verify %s (%s): %s", tx_ref, status, answer.get("message"))
        raise ProviderUnavailable

    def signature_is_valid(self, body: bytes, headers: Any) -> bool:
        secret = str(self.keys().get("WEBHOOK_SECRET", ""))
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        for name in ("x-chapa-signature", "Chapa-Signature"):
            value = headers.get(name)
            if isinstance(value, str) and hmac.compare_digest(value.strip().lower().encode(), expected.encode()):
                return True
        return False

    def parse_webhook(self, body: bytes, headers: Any) -> ProviderEvent:
        """Check the signature, then ask Chapa what became of the transaction
        (:class:`ProviderUnavailable` when it cannot say: Chapa delivers again)."""
        if not self.signature_is_valid(body, headers):
            raise InvalidWebhook("no x-chapa-signature matches the body")
        try:
            payload = json.loads(body)
        except ValueError as error:
            raise InvalidWebhook("the body is not JSON") from error
        if not isinstance(payload, dict):
            raise InvalidWebhook("the body is not a JSON object")
        event, tx_ref = str(payload.get("event") or ""), str(payload.get("tx_ref") or "")
        if not event:
            raise InvalidWebhook("event without a type")
        found = ProviderEvent(id=f"{event}:{tx_ref}"[:200], type=event[:100], payload=payload, reference=tx_ref)
        if not event.startswith("charge.") or event in NOT_SETTLEMENTS or not tx_ref:
            return found  # recorded only (payouts, refunds made at Chapa...)
        if not Payment.objects.filter(provider=self.code, reference=tx_ref).exists():
            found.action = "captured"  # no payment of ours: recorded with a note, nothing asked
            return found
        verified = self.verify(tx_ref)
        status = str((verified or {}).get("status") or "unknown")
        found.id = f"{event}:{tx_ref}:{status}"[:255]
        found.extra = {"verified": verified}
        if verified is None or str(verified.get("tx_ref")) != tx_ref:
            return found
        if status == "success":
            currency = str(verified.get("currency") or "")
            found.action, found.currency = "captured", currency
            found.amount_minor = minor_or_none(decimal_or_none(verified.get("amount")), currency or "XXX")
        elif status in ("failed", "cancelled"):
            found.action = "failed"
        return found

    def send_refund(self, payment: Any, amount: Decimal, *, idempotency_key: str) -> RefundResult:
        form = {
            "amount": str(amount.quantize(minor_unit(payment.currency))),
            "reason": f"order {payment.order.number}",
            # Chapa refuses a reference it has seen: one refund per key.
            "reference": idempotency_key,
        }
        status, answer = self.call("POST", f"/v1/refund/{urllib.parse.quote(payment.reference, safe='')}", form=form)
        data: dict[str, Any] = answer["data"] if isinstance(answer.get("data"), dict) else {}
        if status != 200 or answer.get("status") != "success":
            logger.warning(
                "payments: chapa refused a refund of payment %s (%s): %s", payment.pk, status, answer.get("message")
            )
            raise ProviderUnavailable(_("Chapa refused the refund."))
        # Chapa pays refunds out in 1-3 business days: "Refund Initiated".
        return RefundResult(amount=amount, status="pending", reference=str(data.get("ref") or "")[:255])
