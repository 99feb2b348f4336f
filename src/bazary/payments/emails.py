"""The refund email: one to the customer for each refund of their payment.

Sent by the ``payment_refunded`` receiver (so after the refund's transaction
commits), for refunds made through ``orders/{number}/refunds/`` and for
refunds a provider reports (Stripe's ``charge.refunded`` for a refund made in
its dashboard). Like the orders'
emails: through ``notify()`` (kind ``payments.refunded``) for a customer with
an account when bazary.notifications is installed, otherwise by a task to the
order's address (a guest's with their order link); in the customer's language.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from bazary.orders.money import quantize

KIND = "payments.refunded"
TEMPLATE = "bazary/payments/email/refunded"
#: Lazy: translated when shown (Kind's field is typed str).
VERBOSE_NAME: Any = _("Refund")


def register_kinds() -> None:
    """Declare ``payments.refunded`` to bazary.notifications (from ``AppConfig.ready``)."""
    from bazary.notifications.kinds import Kind, registry

    registry.register(
        Kind(
            code=KIND,
            template=TEMPLATE,
            default_channels=("email",),
            # A record of money given back: a customer cannot turn it off.
            mandatory=True,
            verbose_name=VERBOSE_NAME,
        )
    )


def send_refund_email(order_pk: int, amount: Decimal, refunded_total: Decimal, *, pending: bool) -> None:
    """Tell the customer of order ``order_pk`` that ``amount`` was refunded."""
    from bazary.orders.emails import language_of, order_context, send_order_email_task
    from bazary.orders.links import guest_order_url
    from bazary.orders.models import Order

    order = Order.objects.select_related("user").prefetch_related("lines").get(pk=order_pk)
    language = language_of(order)
    with translation.override(language):
        context = order_context(order)
        context.update(
            refund_amount=str(quantize(amount, order.currency)),
            refunded_total=str(quantize(refunded_total, order.currency)),
            refund_pending="yes" if pending else "",
        )
        user = order.user
        if user is not None and apps.is_installed("bazary.notifications"):
            from bazary.notifications.api import notify

            own = (getattr(user, "email", "") or "").lower() == order.email.lower()
            notify(user, KIND, context, target=order, email=None if own else order.email)
            return
        if user is not None and not getattr(user, "is_active", True):
            return  # a deactivated account gets nothing
        if user is None:
            # Only a link a mail client can open (GUEST_ORDER_URL, or an absolute API URL).
            url = guest_order_url(order)
            context["order_url"] = url if url.startswith(("http://", "https://")) else ""
    send_order_email_task.enqueue(TEMPLATE, context, [order.email], language)


def on_payment_refunded(sender: Any, payment: Any, amount: Decimal, refund: Any = None, **kwargs: Any) -> None:
    """``payment_refunded`` receiver (sent after the commit): the refund email."""
    pending = refund is not None and refund.status == "pending"
    send_refund_email(payment.order_id, amount, payment.refunded_amount, pending=pending)
