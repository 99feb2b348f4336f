"""Stripe, with the official ``stripe`` SDK: PaymentIntents (automatic payment
methods; the client confirms with the client secret), webhooks verified by
``stripe.Webhook.construct_event`` over the raw body, refunds."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

import stripe
from django.utils.translation import gettext_lazy as _

from bazary.orders.providers import RefundResult

from ..exceptions import InvalidWebhook, ProviderUnavailable
from ..money import to_minor
from ..services import ProviderEvent
from . import CardProvider

logger = logging.getLogger("bazary.payments")


class StripeProvider(CardProvider):
    code = "stripe"
    name = _("Card (Stripe)")

    def client(self) -> stripe.StripeClient:
        keys = self.keys()
        base = keys.get("API_BASE")
        return stripe.StripeClient(
            keys.get("SECRET_KEY", ""),
            base_addresses={"api": base.rstrip("/")} if base else None,
            # Safe to retry: every write carries an idempotency key.
            max_network_retries=2,
        )

    def create(self, payment: Any) -> tuple[str, dict[str, Any]]:
        try:
            intent = self.client().v1.payment_intents.create(
                params={
                    "amount": to_minor(payment.amount, payment.currency),
                    "currency": payment.currency.lower(),
                    "automatic_payment_methods": {"enabled": True},
                    "metadata": {"order": payment.order.number, "payment": str(payment.pk)},
                },
                options={"idempotency_key": f"bazary-payment-{payment.pk}"},
            )
        except stripe.StripeError as error:
            # The SDK's message never contains the secret key.
            logger.warning("payments: stripe refused a PaymentIntent for payment %s: %s", payment.pk, error)
            raise ProviderUnavailable from error
        return intent.id, {"client_secret": intent.client_secret, "publishable_key": self.keys()["PUBLISHABLE_KEY"]}

    def parse_webhook(self, body: bytes, headers: Any) -> ProviderEvent:
        try:
            event = stripe.Webhook.construct_event(
                body, headers.get("Stripe-Signature"), self.keys().get("WEBHOOK_SECRET", "")
            )
        except (ValueError, stripe.SignatureVerificationError) as error:
            raise InvalidWebhook(str(error)) from error
        payload = json.loads(body)
        obj = payload.get("data", {}).get("object", {}) or {}
        found = ProviderEvent(id=str(payload.get("id", "")), type=str(payload.get("type", "")), payload=payload)
        if not found.id:
            raise InvalidWebhook("event without an id")
        if event.type == "payment_intent.succeeded":
            found.action, found.reference = "captured", str(obj.get("id", ""))
            found.amount_minor, found.currency = obj.get("amount_received"), str(obj.get("currency", ""))
        elif event.type == "payment_intent.payment_failed":
            found.action, found.reference = "failed", str(obj.get("id", ""))
        elif event.type == "charge.refunded":
            found.action, found.reference = "refunded", str(obj.get("payment_intent") or "")
            found.refunded_minor = obj.get("amount_refunded")
        return found

    def send_refund(self, payment: Any, amount: Decimal, *, idempotency_key: str) -> RefundResult:
        try:
            result = self.client().v1.refunds.create(
                params={"payment_intent": payment.reference, "amount": to_minor(amount, payment.currency)},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            logger.warning("payments: stripe refused a refund of payment %s: %s", payment.pk, error)
            raise ProviderUnavailable from error
        return RefundResult(amount=amount, status=str(result.status or "pending"), reference=result.id)
