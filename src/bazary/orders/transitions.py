"""The order state machine: one table of allowed transitions and one function
that applies them.

bazary keeps its own small table rather than using django-fsm-2: the machine
has six states, the transition must lock the order row and write its
:class:`~bazary.orders.models.OrderEvent` in the same transaction, and
cancelling must release stock exactly once; with a library those three would
still be bazary's code around its decorators, and one more dependency would
protect nothing a dict does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Order, OrderEvent, OrderStatus
from .signals import order_status_changed
from .stock import release

S = OrderStatus

#: From each status, the statuses an order may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.FULFILLED, S.CANCELLED, S.REFUNDED}),
    S.FULFILLED: frozenset({S.DELIVERED, S.REFUNDED}),
    S.DELIVERED: frozenset({S.REFUNDED}),
    # A paid order that was cancelled still has the customer's money.
    S.CANCELLED: frozenset({S.REFUNDED}),
    S.REFUNDED: frozenset(),
}

#: Statuses a customer may cancel from (not once it is fulfilled).
CUSTOMER_CANCELLABLE = frozenset({S.PENDING_PAYMENT, S.PAID})


class TransitionNotAllowed(Exception):
    """The order cannot go from its status to the one asked; nothing changed."""

    def __init__(self, order: Order, from_status: str, to_status: str) -> None:
        self.order, self.from_status, self.to_status = order, from_status, to_status
        super().__init__(f"Order {order.number} cannot go from {from_status} to {to_status}.")


def is_allowed(order: Order, from_status: str, to_status: str) -> bool:
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        return False
    # Only money taken can be refunded.
    return not (from_status == S.CANCELLED and to_status == S.REFUNDED and order.paid_at is None)


def transition(
    order: Order,
    to_status: str,
    *,
    by: Any = None,
    note: str = "",
    internal: bool = False,
    only_from: Iterable[str] | None = None,
    **changes: Any,
) -> OrderEvent:
    """Move ``order`` to ``to_status``: lock its row, check the move against
    :data:`TRANSITIONS` (:class:`TransitionNotAllowed` otherwise), set the
    status with its timestamp and ``changes`` (e.g. ``tracking_number``),
    release the reserved stock when an order that was never fulfilled is
    cancelled or refunded (once: ``stock_released``), and record the
    :class:`OrderEvent` (``internal``: its note is for staff only), all in
    one transaction. ``order`` is refreshed. ``only_from`` also refuses the
    move unless the locked row is in one of those statuses (a check made
    before the lock may be stale: the payment timeout cancels only orders
    still unpaid)."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        from_status = locked.status
        stale = only_from is not None and from_status not in set(only_from)
        if stale or not is_allowed(locked, from_status, to_status):
            raise TransitionNotAllowed(locked, from_status, to_status)
        now = timezone.now()
        locked.status = to_status
        if to_status == S.PAID:
            locked.paid_at = now
        elif to_status == S.FULFILLED:
            locked.fulfilled_at = now
        elif to_status == S.CANCELLED:
            locked.cancelled_at = now
        for name, value in changes.items():
            setattr(locked, name, value)
        if to_status in (S.CANCELLED, S.REFUNDED) and locked.fulfilled_at is None and not locked.stock_released:
            release(locked.lines.all(), reason=f"order {locked.number} {to_status}", user=by)
            locked.stock_released = True
        locked.save()
        actor = by if by is not None and getattr(by, "is_authenticated", False) else None
        event = OrderEvent.objects.create(
            order=locked, from_status=from_status, to_status=to_status, actor=actor, note=note, internal=internal
        )
        transaction.on_commit(lambda: order_status_changed.send(sender=Order, order=locked, event=event))
    for field in locked._meta.concrete_fields:
        setattr(order, field.attname, getattr(locked, field.attname))
    return event


def status_label(status: str) -> str:
    return str(dict(OrderStatus.choices).get(status, status))
