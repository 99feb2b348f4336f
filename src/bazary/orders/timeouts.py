"""``PAYMENT_TIMEOUT``: unpaid orders of providers that expire are cancelled
(and their stock released) once the timeout has passed.

Two ways to run it (docs/orders.md): the sweep :func:`cancel_unpaid_orders`
from cron (``manage.py bazary_cancel_unpaid_orders``) or enqueued periodically
(:data:`cancel_unpaid_orders_task`), and, with a task backend that can defer
(a DB or RQ worker), one :data:`cancel_if_unpaid` task per order, due when its
timeout ends, enqueued at checkout. Offline providers' orders (``expires =
False``) are never cancelled.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from bazary.core.tasks import task

from .conf import orders_settings
from .models import Order, OrderStatus
from .providers import get_provider, payment_providers
from .transitions import TransitionNotAllowed, transition


def expiring_providers() -> list[str]:
    return [provider.code for provider in payment_providers() if provider.expires]


def _cancel(order: Order) -> bool:
    try:
        transition(
            order,
            OrderStatus.CANCELLED,
            note=gettext("Not paid in time."),
            only_from=[OrderStatus.PENDING_PAYMENT],
        )
    except TransitionNotAllowed:
        return False  # paid or cancelled in the meantime
    return True


def cancel_unpaid_orders(*, now: datetime | None = None) -> list[str]:
    """Cancel every order still ``pending_payment`` with a provider that
    expires, placed more than ``PAYMENT_TIMEOUT`` ago; return their numbers."""
    cutoff = (now or timezone.now()) - orders_settings.PAYMENT_TIMEOUT
    due = Order.objects.filter(
        status=OrderStatus.PENDING_PAYMENT, created_at__lt=cutoff, payment_provider__in=expiring_providers()
    ).order_by("created_at", "pk")
    return [order.number for order in due.iterator() if _cancel(order)]


@task()
def cancel_unpaid_orders_task() -> int:
    """The sweep as a task, to enqueue from a periodic scheduler."""
    return len(cancel_unpaid_orders())


@task()
def cancel_if_unpaid(order_id: int) -> bool:
    """Cancel one order if its timeout has passed and it is still unpaid."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or order.status != OrderStatus.PENDING_PAYMENT:
        return False
    provider = get_provider(order.payment_provider)
    if provider is None or not provider.expires:
        return False
    if order.created_at > timezone.now() - orders_settings.PAYMENT_TIMEOUT:
        return False  # run early (a clock, a changed setting): the sweep will see it
    return _cancel(order)


def schedule_timeout(sender: Any, order: Order, **kwargs: Any) -> None:
    """``order_placed`` receiver: with a backend that defers, enqueue
    :data:`cancel_if_unpaid` for when the order's timeout ends."""
    provider = get_provider(order.payment_provider)
    if provider is None or not provider.expires:
        return
    # Asked before using(run_after=...): a backend that cannot defer refuses
    # such a task as soon as it is built (InvalidTaskError, a 500 after the
    # order was committed).
    if not cancel_if_unpaid.get_backend().supports_defer:
        return  # the immediate backend: cron runs the sweep
    cancel_if_unpaid.using(run_after=order.created_at + orders_settings.PAYMENT_TIMEOUT).enqueue(order.pk)
