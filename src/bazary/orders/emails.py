"""The order emails: placed (lines and totals), paid, shipped (tracking) and
cancelled to the customer, and "new order" to ``ORDER_STAFF_EMAILS``.

A customer with an account is told through ``notify()`` when
bazary.notifications is installed (kinds ``orders.<kind>``, recorded and
retried like every notification); guests, shops without notifications and the
staff addresses get the mail from a task. Either way the mail is rendered in
the customer's language (the user's ``language`` if the user model has one,
else the language the order was placed in) and the request never waits on SMTP.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from bazary.core.email import build_message, render_email
from bazary.core.tasks import task

from .conf import orders_settings
from .links import guest_order_url
from .models import Order, OrderStatus
from .money import quantize
from .providers import OfflinePayment, get_provider

TEMPLATE_DIR = "bazary/orders/email"

#: Customer kinds (code suffix → verbose name), each with ``<TEMPLATE_DIR>/<suffix>{_subject.txt,.txt}``.
KINDS: dict[str, Any] = {
    "placed": _("Order confirmation"),
    "paid": _("Order paid"),
    "shipped": _("Order shipped"),
    "cancelled": _("Order cancelled"),
}
STAFF_TEMPLATE = f"{TEMPLATE_DIR}/staff_new_order"

#: The status an order reaches → the email it sends.
ON_STATUS = {OrderStatus.PAID: "paid", OrderStatus.FULFILLED: "shipped", OrderStatus.CANCELLED: "cancelled"}


def template_for(kind: str) -> str:
    return f"{TEMPLATE_DIR}/{kind}"


def register_kinds() -> None:
    """Declare the customer kinds to bazary.notifications (from ``AppConfig.ready``)."""
    from bazary.notifications.kinds import Kind, registry

    for kind, verbose_name in KINDS.items():
        registry.register(
            Kind(
                code=f"orders.{kind}",
                template=template_for(kind),
                default_channels=("email",),
                # Receipts and shipping notices: a customer cannot turn them off.
                mandatory=True,
                verbose_name=verbose_name,
            )
        )


def language_of(order: Order) -> str:
    user_language = getattr(order.user, "language", "") if order.user is not None else ""
    return str(user_language or order.language or settings.LANGUAGE_CODE)


def order_context(order: Order) -> dict[str, Any]:
    """The JSON-able context of every order email (strings only)."""

    def money(amount: Any) -> str:
        return str(quantize(amount, order.currency))

    provider = get_provider(order.payment_provider)
    instructions = ""
    if isinstance(provider, OfflinePayment) and order.status == OrderStatus.PENDING_PAYMENT:
        instructions = str(provider.start(order).get("instructions", ""))
    return {
        "number": order.number,
        "status": order.status,
        "email": order.email,
        "placed_on": date_format(order.created_at, "DATE_FORMAT"),
        "currency": order.currency,
        "subtotal": money(order.subtotal),
        "shipping_price": money(order.shipping_price),
        "tax_total": money(order.tax_total),
        "total": money(order.total),
        "prices_include_tax": "yes" if order.prices_include_tax else "",
        "shipping_method_name": order.shipping_method_name,
        "payment_instructions": instructions,
        "tracking_number": order.tracking_number,
        "carrier": order.carrier,
        "lines": [
            {
                "name": line.product_name,
                "options": ", ".join(f"{o.get('option', '')}: {o.get('value', '')}" for o in line.options or []),
                "quantity": str(line.quantity),
                "unit_price": money(line.unit_price),
                "total": money(line.total),
            }
            for line in order.lines.all()
        ],
        "order_url": "",
    }


@task()
def send_order_email_task(template: str, context: dict[str, Any], to: list[str], language: str) -> int:
    """Render ``template`` in ``language`` and send it (JSON arguments only)."""
    return build_message(render_email(template, context, language=language), to).send()


def send_customer_email(order: Order, kind: str, *, request: Any = None) -> None:
    """Send the ``kind`` email of ``order`` to its customer."""
    if kind not in KINDS:
        raise ValueError(f"Unknown order email kind {kind!r}.")
    language = language_of(order)
    with translation.override(language):
        context = order_context(order)
        user = order.user
        if user is not None and apps.is_installed("bazary.notifications"):
            from bazary.notifications.api import notify

            own = (getattr(user, "email", "") or "").lower() == order.email.lower()
            notify(user, f"orders.{kind}", context, target=order, email=None if own else order.email)
            return
        if user is not None and not getattr(user, "is_active", True):
            return  # a deactivated account gets nothing
        if user is None:
            context["order_url"] = guest_order_url(order, request)
    send_order_email_task.enqueue(template_for(kind), context, [order.email], language)


def send_staff_email(order: Order) -> None:
    """Tell ``ORDER_STAFF_EMAILS`` about a new order (in the site's language)."""
    addresses = list(orders_settings.ORDER_STAFF_EMAILS)
    if not addresses:
        return
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        context = order_context(order)
    send_order_email_task.enqueue(STAFF_TEMPLATE, context, addresses, language)


def order_placed(order: Order, *, request: Any = None) -> None:
    """The emails of a new order: the confirmation and the staff's notice."""
    order = Order.objects.select_related("user").prefetch_related("lines").get(pk=order.pk)
    send_customer_email(order, "placed", request=request)
    send_staff_email(order)


def on_status_changed(sender: Any, order: Order, event: Any, **kwargs: Any) -> None:
    """``order_status_changed`` receiver: the paid, shipped and cancelled emails."""
    kind = ON_STATUS.get(event.to_status)
    if kind is None:
        return
    order = Order.objects.select_related("user").prefetch_related("lines").get(pk=order.pk)
    send_customer_email(order, kind)
