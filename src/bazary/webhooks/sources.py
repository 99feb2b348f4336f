"""The events of the other bazary apps, from their signals.

Connected in ``ready()`` for the apps that are installed (``apps.is_installed``):
none of them imports webhooks. Event types are registered only for what is
installed, so endpoints can subscribe to nothing nobody sends.

- catalog: ``product.created|updated|deleted``, ``variant.created|updated|deleted``,
  ``category.created|updated|deleted`` (``post_save``/``post_delete``; bulk
  writes that send no signal, such as the import's upserts, send no event),
  ``stock.changed`` (``bazary.catalog.signals.stock_changed``: old and new stock).
- orders: ``order.created`` (``order_placed``) and ``order.paid|fulfilled|delivered|cancelled|refunded``
  (``order_status_changed``, sent by ``bazary.orders.transitions.transition()``
  for every status change); the order's number, status, amounts and lines,
  the customer's id, and email and addresses only with ``INCLUDE_PII``.
- payments: ``payment.created`` (``payment_created``), ``payment.authorized|captured|failed|cancelled``
  (``payment_status_changed``, sent by ``bazary.payments.transitions.set_status()``
  for every status change) and ``payment.refunded`` (``payment_refunded``: each
  refund, partial or full, made through bazary or reported by the provider);
  ids, amounts and statuses, never the client data (a client secret); the
  refund's free-text reason only with ``INCLUDE_PII``.
- accounts: ``customer.created`` (``post_save`` of a new user) and
  ``customer.deleted`` (``user_deleted``, or the row deleted); the id only,
  unless ``INCLUDE_PII``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models.signals import post_delete, post_save

from . import owners
from .conf import webhooks_settings
from .events import EventType, registry, send_event

CATALOG_TYPES = [
    EventType("product.created", "A product was created."),
    EventType("product.updated", "A product was changed."),
    EventType("product.deleted", "A product was deleted."),
    EventType("variant.created", "A product variant was created."),
    EventType("variant.updated", "A product variant was changed."),
    EventType("variant.deleted", "A product variant was deleted."),
    EventType("category.created", "A category was created."),
    EventType("category.updated", "A category was changed."),
    EventType("category.deleted", "A category was deleted."),
    EventType("stock.changed", "The stock of a product or variant changed (old and new stock)."),
]
ORDER_STATUS_TYPES = {
    "paid": EventType("order.paid", "An order was paid."),
    "fulfilled": EventType("order.fulfilled", "An order was fulfilled (shipped)."),
    "delivered": EventType("order.delivered", "An order was delivered."),
    "cancelled": EventType("order.cancelled", "An order was cancelled."),
    "refunded": EventType("order.refunded", "An order was refunded."),
}
ORDER_TYPES = [EventType("order.created", "An order was placed at checkout."), *ORDER_STATUS_TYPES.values()]
PAYMENT_STATUS_TYPES = {
    "authorized": EventType("payment.authorized", "A payment was authorized (not captured yet)."),
    "captured": EventType("payment.captured", "A payment was captured: the money was taken."),
    "failed": EventType("payment.failed", "A payment failed."),
    "cancelled": EventType("payment.cancelled", "A payment was cancelled."),
}
PAYMENT_TYPES = [
    EventType("payment.created", "A payment of an order was started with a provider."),
    *PAYMENT_STATUS_TYPES.values(),
    EventType("payment.refunded", "Money of a captured payment was refunded (partly or fully)."),
]
ACCOUNTS_TYPES = [
    EventType("customer.created", "An account was created."),
    EventType("customer.deleted", "An account was deleted (anonymised) or removed."),
]


def product_data(product: Any) -> dict[str, Any]:
    return {
        "id": product.pk,
        "slug": product.slug,
        "name": product.name,
        "sku": product.sku,
        "price": product.price,
        "compare_at_price": product.compare_at_price,
        "currency": product.currency,
        "stock": product.stock,
        "is_active": product.is_active,
        "category": product.category.slug if product.category_id else None,
        "updated_at": product.updated_at,
    }


def variant_data(variant: Any) -> dict[str, Any]:
    return {
        "id": variant.pk,
        "product": variant.product_id,
        "sku": variant.sku,
        "price": variant.price,
        "stock": variant.stock,
        "is_active": variant.is_active,
        "updated_at": variant.updated_at,
    }


def category_data(category: Any) -> dict[str, Any]:
    return {
        "id": category.pk,
        "slug": category.slug,
        "name": category.name,
        "parent": category.parent_id,
        "is_active": category.is_active,
    }


def _money(amount: Any, currency: str) -> Any:
    """An order's or a payment's amount with the currency's decimals, as the
    API shows it (stored with three: "80.000" for 80.00 USD once read back)."""
    from bazary.orders.money import quantize

    return None if amount is None else quantize(amount, currency)


def order_data(order: Any) -> dict[str, Any]:
    currency = order.currency
    data: dict[str, Any] = {
        "number": order.number,
        "status": order.status,
        "customer": order.user_id,
        "currency": order.currency,
        "subtotal": _money(order.subtotal, currency),
        "shipping_price": _money(order.shipping_price, currency),
        "tax_total": _money(order.tax_total, currency),
        "total": _money(order.total, currency),
        "payment_provider": order.payment_provider,
        "shipping_method": order.shipping_method,
        "tracking_number": order.tracking_number,
        "created_at": order.created_at,
        "paid_at": order.paid_at,
        "fulfilled_at": order.fulfilled_at,
        "cancelled_at": order.cancelled_at,
        "lines": [
            {
                "product": line.product_id,
                "variant": line.variant_id,
                "sku": line.sku,
                "name": line.product_name,
                "quantity": line.quantity,
                "unit_price": _money(line.unit_price, currency),
                "total": _money(line.total, currency),
            }
            for line in order.lines.all()
        ],
    }
    if webhooks_settings.INCLUDE_PII:
        data.update(email=order.email, shipping_address=order.shipping_address, billing_address=order.billing_address)
    return data


def payment_data(payment: Any) -> dict[str, Any]:
    # Never client_data: it holds what the customer's browser needs to pay (a client secret).
    return {
        "id": payment.pk,
        "order": payment.order.number,
        "provider": payment.provider,
        "status": payment.status,
        "amount": _money(payment.amount, payment.currency),
        "currency": payment.currency,
        "refunded_amount": _money(payment.refunded_amount, payment.currency),
        "reference": payment.reference,
        "created_at": payment.created_at,
        "updated_at": payment.updated_at,
        "captured_at": payment.captured_at,
    }


def customer_data(user: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": user.pk}
    if webhooks_settings.INCLUDE_PII:
        data.update(
            email=getattr(user, "email", ""),
            first_name=getattr(user, "first_name", ""),
            last_name=getattr(user, "last_name", ""),
        )
    return data


def _committed(model: type[models.Model], pk: Any, describe: Callable[[Any], dict[str, Any]]) -> Any:
    """A payload read at commit time: the committed row (None if it is gone by then)."""

    def payload() -> dict[str, Any] | None:
        row = model._default_manager.filter(pk=pk).first()
        return None if row is None else describe(row)

    return payload


def _model_events(resource: str, model: type[models.Model], describe: Callable[[Any], dict[str, Any]]) -> None:
    def saved(sender: Any, instance: Any, created: bool, raw: bool = False, using: str = "default", **kw: Any) -> None:
        if raw:  # loaddata
            return
        action = "created" if created else "updated"
        send_event(
            f"{resource}.{action}",
            _committed(model, instance.pk, describe),
            key=f"{resource}:{instance.pk}",
            using=using,
        )

    def deleted(sender: Any, instance: Any, using: str = "default", **kw: Any) -> None:
        # What it was, taken now: after the commit there is nothing to read.
        send_event(f"{resource}.deleted", {"id": instance.pk}, key=f"{resource}:{instance.pk}", using=using)

    uid = f"bazary.webhooks.{resource}"
    post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"{uid}.saved")
    post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=f"{uid}.deleted")


def _stock_changed(sender: Any, **kwargs: Any) -> None:
    payload = {key: kwargs.get(key) for key in ("product_id", "variant_id", "old_stock", "new_stock", "delta")}
    payload["reason"] = kwargs.get("reason", "")
    send_event("stock.changed", payload)


def connect_catalog() -> None:
    from bazary.catalog.models import Variant, get_category_model, get_product_model
    from bazary.catalog.signals import stock_changed

    for event_type in CATALOG_TYPES:
        registry.register(event_type)
    _model_events("product", get_product_model(), product_data)
    _model_events("variant", Variant, variant_data)
    _model_events("category", get_category_model(), category_data)
    stock_changed.connect(_stock_changed, weak=False, dispatch_uid="bazary.webhooks.stock_changed")


def _user_saved(
    sender: Any, instance: Any, created: bool, raw: bool = False, using: str = "default", **kw: Any
) -> None:
    if created and not raw:
        user = get_user_model()
        send_event(
            "customer.created", _committed(user, instance.pk, customer_data), key=f"customer:{instance.pk}", using=using
        )


def _user_gone(sender: Any, instance: Any = None, user: Any = None, using: str = "default", **kw: Any) -> None:
    account = user if user is not None else instance
    # Never personal data here: a deleted account's data is what it asked to lose.
    send_event("customer.deleted", {"id": account.pk}, key=f"customer:{account.pk}", using=using)


def connect_accounts() -> None:
    from bazary.accounts.signals import user_deleted

    for event_type in ACCOUNTS_TYPES:
        registry.register(event_type)
    user = get_user_model()
    post_save.connect(_user_saved, sender=user, dispatch_uid="bazary.webhooks.customer_created")
    post_delete.connect(_user_gone, sender=user, dispatch_uid="bazary.webhooks.customer_removed")
    user_deleted.connect(_user_gone, dispatch_uid="bazary.webhooks.customer_deleted")


def _order_placed(sender: Any, order: Any, **kwargs: Any) -> None:
    # Sent after the commit already: the event goes at once.
    send_event("order.created", order_data(order))


def _order_status_changed(sender: Any, order: Any, event: Any, **kwargs: Any) -> None:
    event_type = ORDER_STATUS_TYPES.get(event.to_status)
    if event_type is not None:
        send_event(event_type.code, {**order_data(order), "from_status": event.from_status})


def connect_orders() -> None:
    from bazary.orders.signals import order_placed, order_status_changed

    for event_type in ORDER_TYPES:
        registry.register(event_type)
    order_placed.connect(_order_placed, dispatch_uid="bazary.webhooks.order_placed")
    order_status_changed.connect(_order_status_changed, dispatch_uid="bazary.webhooks.order_status_changed")


def _payment_created(sender: Any, payment: Any, **kwargs: Any) -> None:
    # The payments' signals are sent after the commit already: the event goes at once.
    send_event("payment.created", payment_data(payment))


def _payment_status_changed(sender: Any, payment: Any, from_status: str, to_status: str, **kwargs: Any) -> None:
    event_type = PAYMENT_STATUS_TYPES.get(to_status)
    if event_type is not None:
        send_event(event_type.code, {**payment_data(payment), "from_status": from_status})


def _payment_refunded(sender: Any, payment: Any, amount: Any, refund: Any = None, **kwargs: Any) -> None:
    detail: dict[str, Any] = {
        "id": getattr(refund, "pk", None),
        "amount": _money(amount, payment.currency),
        "status": getattr(refund, "status", ""),
        "reference": getattr(refund, "reference", ""),
        "created_at": getattr(refund, "created_at", None),
    }
    if webhooks_settings.INCLUDE_PII:  # free text written by staff: it may name the customer
        detail["reason"] = getattr(refund, "reason", "")
    send_event("payment.refunded", {**payment_data(payment), "refund": detail})


def connect_payments() -> None:
    from bazary.payments.signals import payment_created, payment_refunded, payment_status_changed

    for event_type in PAYMENT_TYPES:
        registry.register(event_type)
    payment_created.connect(_payment_created, dispatch_uid="bazary.webhooks.payment_created")
    payment_status_changed.connect(_payment_status_changed, dispatch_uid="bazary.webhooks.payment_status_changed")
    payment_refunded.connect(_payment_refunded, dispatch_uid="bazary.webhooks.payment_refunded")


def connect_sources() -> None:
    if apps.is_installed("bazary.catalog"):
        connect_catalog()
    if apps.is_installed("bazary.orders"):
        connect_orders()
    if apps.is_installed("bazary.payments"):
        connect_payments()
    if apps.is_installed("bazary.accounts"):
        connect_accounts()
    owners.register_kind()
