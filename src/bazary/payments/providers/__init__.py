"""Card payment providers: the orders' :class:`~bazary.orders.providers.PaymentProvider`
interface, implemented on the providers' own SDKs.

A provider whose code is a key of ``BAZARY_PAYMENTS["PROVIDERS"]`` is
offered by :func:`bazary.orders.providers.payment_providers` (checkout) and
by ``orders/{number}/payments/``; an unconfigured one does not exist.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from bazary.orders.providers import PaymentProvider, RefundResult

from ..conf import configured, provider_keys
from ..exceptions import InvalidWebhook, ProviderUnavailable

#: Provider code → the import string of its class.
PROVIDER_CLASSES = {
    "stripe": "bazary.payments.providers.stripe.StripeProvider",
    "chapa": "bazary.payments.providers.chapa.ChapaProvider",
}


class CardProvider(PaymentProvider):
    """A provider that takes the money itself and tells us through webhooks."""

    expires = True

    def keys(self) -> dict[str, Any]:
        return provider_keys(self.code) or {}

    def start(self, order: Any, request: Any = None) -> dict[str, Any]:
        """At checkout: start the payment; a provider outage does not undo the
        order (the client retries on ``orders/{number}/payments/``)."""
        from ..services import start_payment

        try:
            payment, _created = start_payment(order, self)
        except ProviderUnavailable as error:
            return {"provider": self.code, "type": "card", "status": "unavailable", "detail": str(error.detail)}
        return self.client_response(payment)

    def client_response(self, payment: Any) -> dict[str, Any]:
        return {"provider": self.code, "type": "card", "payment": payment.pk, **payment.client_data}

    def handle_callback(self, request: Any) -> Any:
        """Verify and process a webhook; the order it concerns (or None)."""
        from ..services import record_event

        record = record_event(self, self.parse_webhook(request.body, request.headers))
        return record.payment.order if record is not None and record.payment is not None else None

    def refund(self, order: Any, amount: Decimal | None = None) -> RefundResult:
        from ..services import refund

        record = refund(order, amount, "", by=None)
        return RefundResult(amount=record.amount, status=record.status, reference=record.reference)

    # What each provider implements:

    def create(self, payment: Any) -> tuple[str, dict[str, Any]]:
        """Create the provider's payment for ``payment``: ``(reference, client data)``;
        :class:`ProviderUnavailable` when it refuses."""
        raise ProviderUnavailable

    def parse_webhook(self, body: bytes, headers: Any) -> Any:
        """The verified :class:`~bazary.payments.services.ProviderEvent` of a
        webhook; :class:`InvalidWebhook` when the signature does not verify."""
        raise InvalidWebhook("no webhooks")

    def send_refund(self, payment: Any, amount: Decimal, *, idempotency_key: str) -> RefundResult:
        raise ProviderUnavailable(_("This provider cannot refund."))


def configured_providers() -> list[CardProvider]:
    """An instance of each configured provider, in the order of ``PROVIDERS``."""
    return [import_string(PROVIDER_CLASSES[code])() for code in configured() if code in PROVIDER_CLASSES]


def get_card_provider(code: str) -> CardProvider | None:
    return next((provider for provider in configured_providers() if provider.code == code), None)
