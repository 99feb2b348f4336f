"""Starting payments, processing the providers' events, refunding.

Every change of money or status happens here, under row locks, through the
payment's and the order's transition functions.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from bazary.orders.models import Order, OrderStatus
from bazary.orders.money import quantize
from bazary.orders.transitions import TransitionNotAllowed, transition

from .exceptions import PaymentConflict, ProviderUnavailable
from .models import LIVE_STATUSES, Payment, PaymentEvent, PaymentStatus, Refund
from .money import from_minor, to_minor
from .signals import payment_created, payment_refunded, send_on_commit
from .transitions import set_status

if TYPE_CHECKING:
    from .providers import CardProvider

logger = logging.getLogger("bazary.payments")
P = PaymentStatus


@dataclass
class ProviderEvent:
    """A verified webhook event, in the provider-neutral terms bazary acts on."""

    id: str
    type: str
    payload: dict[str, Any]
    #: ``"captured"``, ``"failed"``, ``"refunded"``, or ``""`` (recorded only).
    action: str = ""
    reference: str = ""
    amount_minor: int | None = None
    currency: str = ""
    refunded_minor: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def start_payment(order: Order, provider: CardProvider) -> tuple[Payment, bool]:
    """The order's live payment with ``provider`` (``False``: it existed), or a
    new one for the order's total in the order's currency."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status != OrderStatus.PENDING_PAYMENT:
            raise PaymentConflict(_("This order is not waiting for a payment."), code="not_payable")
        live = Payment.objects.filter(order=locked, status__in=LIVE_STATUSES).first()
        if live is not None:
            if live.provider == provider.code and live.status == P.PENDING and live.reference:
                return live, False
            raise PaymentConflict(_("This order already has a payment in progress."), code="payment_in_progress")
        payment = Payment.objects.create(
            order=locked,
            provider=provider.code,
            amount=locked.total,
            currency=locked.currency,
            refunded_amount=Decimal(0),
        )
        send_on_commit(payment_created, payment)
    # The provider's API is called outside the order's lock; the idempotency
    # key (the payment's id) makes a retried call create one intent.
    try:
        reference, client_data = provider.create(payment)
    except ProviderUnavailable:
        set_status(payment, P.FAILED)
        raise
    payment.reference, payment.client_data = reference, client_data
    payment.save(update_fields=["reference", "client_data", "updated_at"])
    return payment, True


def record_event(provider: CardProvider, event: ProviderEvent) -> PaymentEvent | None:
    """Record and process ``event`` in one transaction; ``None`` when the
    provider sent it before (then nothing is done again)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = PaymentEvent.objects.create(
                    provider=provider.code, event_id=event.id, type=event.type, payload=event.payload
                )
        except IntegrityError:
            logger.info("payments: %s event %s seen before, not processed again", provider.code, event.id)
            return None
        payment = None
        if event.reference:
            payment = (
                Payment.objects.select_for_update()
                .filter(provider=provider.code, reference=event.reference)
                .order_by("-pk")
                .first()
            )
        note = ""
        if event.action and payment is None:
            note = "no payment has this reference"
        elif event.action:
            record.payment = payment
            note = _apply(provider, payment, event)  # type: ignore[arg-type]
        record.note = note[:255]
        record.processed_at = timezone.now()
        record.save(update_fields=["payment", "note", "processed_at"])
    if note:
        logger.warning("payments: %s event %s (%s): %s", provider.code, event.id, event.type, note)
    return record


def _apply(provider: CardProvider, payment: Payment, event: ProviderEvent) -> str:
    """Apply ``event`` to the locked ``payment``; a note when it changed nothing."""
    if event.action == "captured":
        if payment.status == P.CAPTURED:
            return ""
        if payment.status not in (P.PENDING, P.AUTHORIZED):
            return f"capture of a {payment.status} payment ignored"
        if event.amount_minor != to_minor(payment.amount, payment.currency) or (
            event.currency.upper() != payment.currency
        ):
            return "amount or currency differ from the payment's: not captured"
        set_status(payment, P.CAPTURED)
        order = payment.order
        try:
            transition(order, OrderStatus.PAID, note=f"{provider.code} {payment.reference}")
        except TransitionNotAllowed:
            if order.status == OrderStatus.CANCELLED:
                return _refund_late_capture(payment)
            return f"payment captured but the order is {order.status}: not marked paid"
        return ""
    if event.action == "failed":
        if payment.status in (P.PENDING, P.AUTHORIZED):
            set_status(payment, P.FAILED)
            return ""
        return f"failure of a {payment.status} payment ignored"
    if event.action == "refunded" and event.refunded_minor is not None:
        refunded = min(payment.amount, from_minor(event.refunded_minor, payment.currency))
        if payment.status == P.CAPTURED and refunded > payment.refunded_amount:
            amount, payment.refunded_amount = refunded - payment.refunded_amount, refunded
            payment.save(update_fields=["refunded_amount", "updated_at"])
            send_on_commit(payment_refunded, payment, amount=amount, refund=None)
            _refund_order_if_done(payment, by=None, note=f"{provider.code} refund")
        return ""
    return ""


#: The reason recorded on the automatic refund of a late capture.
LATE_CAPTURE_REASON = "Captured after the order was cancelled: refunded automatically."


def _refund_late_capture(payment: Payment) -> str:
    """The money of a cancelled order arrived (the customer paid after
    PAYMENT_TIMEOUT, or after cancelling): give it all back at once, since
    the order's stock is released. The capture stays recorded either way; a
    refund the provider refuses is logged as an error for staff to finish."""
    try:
        with transaction.atomic():
            refund(payment.order, None, LATE_CAPTURE_REASON, by=None)
    except (ProviderUnavailable, PaymentConflict, ValidationError) as error:
        logger.error(
            "payments: payment %s of cancelled order %s was captured and could not be refunded "
            "automatically (%s): refund it with orders/%s/refunds/",
            payment.pk,
            payment.order.number,
            error,
            payment.order.number,
        )
        return "captured after the order was cancelled; automatic refund failed: refund it by hand"
    logger.warning(
        "payments: payment %s was captured after order %s was cancelled: refunded automatically",
        payment.pk,
        payment.order.number,
    )
    return "captured after the order was cancelled: refunded automatically"


def _refund_order_if_done(payment: Payment, *, by: Any, note: str) -> None:
    if payment.refunded_amount < payment.amount:
        return
    # Already refunded (by the other path: the API or the provider's event): nothing to do.
    with contextlib.suppress(TransitionNotAllowed):
        transition(payment.order, OrderStatus.REFUNDED, by=by, note=note)


def refund(order: Order, amount: Decimal | None, reason: str, *, by: Any) -> Refund:
    """Refund ``amount`` (all that remains when ``None``) of the order's captured
    payment: checked under the payment's row lock, sent to the provider with an
    idempotency key derived from the state it applies to."""
    from .providers import get_card_provider

    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(order=order, status=P.CAPTURED).first()
        if payment is None:
            raise PaymentConflict(_("This order has no captured payment to refund."), code="nothing_to_refund")
        remaining = payment.amount - payment.refunded_amount
        if remaining <= 0:
            raise PaymentConflict(_("This order's payment is already fully refunded."), code="fully_refunded")
        value = remaining if amount is None else quantize(amount, payment.currency)
        if value <= 0 or value > remaining:
            raise ValidationError(
                {"amount": [_("At most %(remaining)s can be refunded.") % {"remaining": remaining}]},
                code="refund_too_large",
            )
        provider = get_card_provider(payment.provider)
        if provider is None:
            raise PaymentConflict(_("This payment's provider is no longer configured."), code="provider_absent")
        key = (
            f"bazary-refund-{payment.pk}-{to_minor(payment.refunded_amount, payment.currency)}"
            f"-{to_minor(value, payment.currency)}"
        )
        result = provider.send_refund(payment, value, idempotency_key=key)
        payment.refunded_amount += value
        payment.save(update_fields=["refunded_amount", "updated_at"])
        record = Refund.objects.create(
            payment=payment,
            amount=value,
            reason=reason,
            status=result.status,
            reference=result.reference,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        send_on_commit(payment_refunded, payment, amount=value, refund=record)
        _refund_order_if_done(payment, by=by, note=reason)
    return record
