"""The payment state machine: one table, one function; a payment never moves backwards.

``pending → authorized → captured``, and ``failed`` / ``cancelled`` from
``pending`` or ``authorized``. Once captured a payment stays captured (refunds
are counted in ``refunded_amount``); a late ``failed`` event is recorded and
ignored by the caller.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Payment, PaymentStatus
from .signals import payment_status_changed, send_on_commit

P = PaymentStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    P.PENDING: frozenset({P.AUTHORIZED, P.CAPTURED, P.FAILED, P.CANCELLED}),
    P.AUTHORIZED: frozenset({P.CAPTURED, P.FAILED, P.CANCELLED}),
    P.CAPTURED: frozenset(),
    P.FAILED: frozenset(),
    P.CANCELLED: frozenset(),
}


class PaymentTransitionNotAllowed(Exception):
    def __init__(self, payment: Payment, from_status: str, to_status: str) -> None:
        self.payment, self.from_status, self.to_status = payment, from_status, to_status
        super().__init__(f"Payment {payment.pk} cannot go from {from_status} to {to_status}.")


def set_status(payment: Payment, to_status: str, **changes: Any) -> Payment:
    """Lock ``payment``'s row, check the move against :data:`TRANSITIONS`
    (:class:`PaymentTransitionNotAllowed`, nothing changed), set it with
    ``changes``; return the locked, updated row (``payment`` is refreshed too)."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if to_status not in TRANSITIONS[locked.status]:
            raise PaymentTransitionNotAllowed(locked, locked.status, to_status)
        from_status, locked.status = locked.status, to_status
        if to_status == P.CAPTURED:
            locked.captured_at = timezone.now()
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save()
        send_on_commit(payment_status_changed, locked, from_status=from_status, to_status=to_status)
    for field in locked._meta.concrete_fields:
        setattr(payment, field.attname, getattr(locked, field.attname))
    return locked
