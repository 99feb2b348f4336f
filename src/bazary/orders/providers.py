"""Payment providers: ``BAZARY_ORDERS["PAYMENT_PROVIDERS"]`` names their classes.

A provider starts a payment for an order (what the client shows or where it
sends the customer), handles the provider's callback (a webhook), and
refunds. The offline providers shipped here take no money themselves: the
order waits in ``pending_payment`` until staff mark it paid, and
``PAYMENT_TIMEOUT`` never cancels it (``expires`` is False). Card providers
(the payments app) implement the same interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from .conf import orders_settings


class PaymentError(Exception):
    """The provider refused or could not do what was asked."""


@dataclass
class RefundResult:
    amount: Decimal
    #: ``"manual"``: staff return the money themselves; ``"succeeded"``, ``"pending"``: a provider's answer.
    status: str
    reference: str = ""


class PaymentProvider:
    """Subclass, set ``code`` and ``name``, override the three methods."""

    code: str = ""
    name: Any = ""
    #: Unpaid orders of this provider are cancelled after ``PAYMENT_TIMEOUT``.
    expires: bool = True

    def start(self, order: Any, request: Any = None) -> dict[str, Any]:
        """Begin paying ``order``: a JSON-able dict for the client (a redirect
        URL, a client secret, instructions...)."""
        raise PaymentError(f"{type(self).__name__} cannot take payments")

    def handle_callback(self, request: Any) -> Any:
        """Handle the provider's call about a payment; return the order it concerns."""
        raise PaymentError(f"{type(self).__name__} receives no callbacks")

    def refund(self, order: Any, amount: Decimal | None = None) -> RefundResult:
        """Give back ``amount`` (all of the order's total when ``None``)."""
        raise PaymentError(f"{type(self).__name__} cannot refund")


class OfflinePayment(PaymentProvider):
    """Paid outside the shop; staff mark the order paid, and refund by hand."""

    expires = False
    instructions: Any = ""

    def start(self, order: Any, request: Any = None) -> dict[str, Any]:
        return {
            "provider": self.code,
            "type": "offline",
            "instructions": str(self.instructions).format(
                number=order.number, total=order.total, currency=order.currency
            ),
        }

    def handle_callback(self, request: Any) -> Any:
        raise PaymentError(_("Offline payments have no callbacks: staff mark the order paid."))

    def refund(self, order: Any, amount: Decimal | None = None) -> RefundResult:
        return RefundResult(amount=order.total if amount is None else amount, status="manual")


class BankTransfer(OfflinePayment):
    """Subclass and set ``instructions`` to give your bank details
    (``{number}``, ``{total}`` and ``{currency}`` are filled in)."""

    code = "bank_transfer"
    name = _("Bank transfer")
    instructions = _("Transfer {total} {currency} quoting the order number {number}.")


class CashOnDelivery(OfflinePayment):
    code = "cash_on_delivery"
    name = _("Cash on delivery")
    instructions = _("Pay {total} {currency} when your order {number} is delivered.")


def payment_providers() -> list[PaymentProvider]:
    """``PAYMENT_PROVIDERS``, then the card providers configured in
    ``BAZARY_PAYMENTS["PROVIDERS"]`` when bazary.payments is installed."""
    providers: list[PaymentProvider] = [cls() for cls in orders_settings.PAYMENT_PROVIDERS]
    if apps.is_installed("bazary.payments"):
        from bazary.payments.providers import configured_providers

        providers += configured_providers()
    return providers


def get_provider(code: str) -> PaymentProvider | None:
    return next((provider for provider in payment_providers() if provider.code == code), None)
