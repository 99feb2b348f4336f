"""Stock changes: atomic in the database, audited, and back-in-stock alerts."""

from __future__ import annotations

import logging
from typing import Any, cast

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .conf import catalog_settings
from .models import AbstractProduct, StockAlert, StockMovement, Variant, get_product_model
from .signals import back_in_stock, stock_changed

logger = logging.getLogger(__name__)


#: The database column is a 32-bit integer on every backend we support.
MAX_STOCK = 2**31 - 1


class StockError(Exception):
    """The change was refused; nothing was changed."""


class InsufficientStock(StockError):
    """The change would take the stock below zero."""


class StockLimitExceeded(StockError):
    """The change would take the stock above :data:`MAX_STOCK`."""


class HasVariants(StockError):
    """The product has variants: its stock is theirs, change a variant's."""


def adjust_stock(target: AbstractProduct | Variant, delta: int, *, reason: str = "", user: Any = None) -> int:
    """Add ``delta`` (negative to remove) to the stock of a product or of a
    variant and return the new stock.

    One conditional ``UPDATE ... SET stock = stock + delta WHERE stock + delta >= 0``:
    concurrent calls never oversell and never lose an update, without locking
    the row for the whole request. Raises :class:`InsufficientStock` (nothing
    changed) when the result would be negative, :class:`HasVariants` for a
    product that sells through variants. Each change writes a
    :class:`StockMovement` (with the variant, for a variant).
    """
    is_variant = isinstance(target, Variant)
    model: Any = Variant if is_variant else get_product_model()
    with transaction.atomic():
        if not is_variant and Variant.objects.filter(product_id=target.pk).exists():
            raise HasVariants
        # The guard keeps the result within 0..MAX_STOCK (no integer overflow).
        guard = {"stock__gte": -delta} if delta < 0 else {"stock__lte": MAX_STOCK - delta}
        updated = model._default_manager.filter(pk=target.pk, **guard).update(
            stock=F("stock") + delta, updated_at=timezone.now()
        )
        if not updated:
            if not model._default_manager.filter(pk=target.pk).exists():
                raise model.DoesNotExist
            raise InsufficientStock if delta < 0 else StockLimitExceeded
        new_stock = model._default_manager.filter(pk=target.pk).values_list("stock", flat=True).get()
        product_id = cast(Any, target).product_id if is_variant else target.pk
        StockMovement.objects.create(
            product_id=product_id,
            variant_id=target.pk if is_variant else None,
            delta=delta,
            stock_after=new_stock,
            reason=reason,
            user=user if user is not None and user.is_authenticated else None,
        )
        stock_changed.send(
            sender=model,
            product_id=product_id,
            variant_id=target.pk if is_variant else None,
            old_stock=new_stock - delta,
            new_stock=new_stock,
            delta=delta,
            reason=reason,
        )
        if is_variant:
            # The product's detail shows its variants' stock: its Last-Modified moves.
            get_product_model()._default_manager.filter(pk=product_id).update(updated_at=timezone.now())
        target.stock = new_stock
        if delta > 0 and new_stock - delta <= 0 < new_stock:
            # After commit: subscribers are told only about stock that exists.
            if is_variant:
                variant = cast(Variant, target)
                transaction.on_commit(lambda: notify_back_in_stock(variant.product, variant=variant))
            else:
                product = cast(AbstractProduct, target)
                transaction.on_commit(lambda: notify_back_in_stock(product))
    return new_stock


def notify_back_in_stock(product: AbstractProduct, *, variant: Variant | None = None) -> int:
    """Tell the users waiting for ``product`` (or for ``variant`` of it, and
    those waiting for any variant of it); returns how many were told.

    Only when customers can see the product (``visible()``: active, in a
    visible category) and it (the variant: active) is in stock; otherwise the
    alerts stay pending, and :mod:`bazary.catalog.alerts` fires them once it
    is visible again. Only active users are told: the alerts of an inactive
    one stay pending too.
    """
    if not is_available(product, variant):
        return 0
    waiting = Q(variant__isnull=True) if variant is None else Q(variant_id=variant.pk) | Q(variant__isnull=True)
    alerts = _of_active_users(StockAlert.objects.filter(waiting, product_id=product.pk, notified_at__isnull=True))
    alert_ids, user_ids = [], set()
    for alert_id, user_id in alerts.values_list("pk", "user_id"):
        alert_ids.append(alert_id)
        user_ids.add(user_id)
    if not user_ids:
        return 0
    users = get_user_model()._default_manager.filter(pk__in=user_ids)
    context = {"product_name": product.name, "product_slug": product.slug, "product_url": product_url(product)}
    if variant is not None:
        context.update(variant_sku=variant.sku, variant_name=variant_label(variant))
    if apps.is_installed("bazary.notifications"):
        from bazary.notifications.api import notify

        notify(users, "catalog.back_in_stock", context, target=product)
    back_in_stock.send(sender=type(product), product=product, users=users, variant=variant)
    StockAlert.objects.filter(pk__in=alert_ids, notified_at__isnull=True).update(notified_at=timezone.now())
    return len(user_ids)


def is_available(product: AbstractProduct, variant: Variant | None = None) -> bool:
    """Customers can see ``product`` (and ``variant``, active) and it is in stock (one query)."""
    visible = get_product_model()._default_manager.visible().filter(pk=product.pk)
    if variant is None:
        return visible.filter(stock__gt=0).exists()
    return Variant.objects.filter(pk=variant.pk, is_active=True, stock__gt=0, product__in=visible).exists()


def _of_active_users(alerts: Any) -> Any:
    """``alerts`` without those of deactivated (and so of deleted) accounts."""
    try:
        get_user_model()._meta.get_field("is_active")
    except FieldDoesNotExist:  # a user model without the field: every account is active
        return alerts
    return alerts.filter(user__is_active=True)


def variant_label(variant: Variant) -> str:
    """ "M / Black": its option values in the options' order."""
    return " / ".join(value.name for value in variant.option_value_list())


def product_url(product: AbstractProduct) -> str:
    """``PRODUCT_URL`` with the product's slug (the shop's page), or else the
    product's path in the API."""
    from django.urls import NoReverseMatch, reverse

    template = catalog_settings.PRODUCT_URL
    if template:
        return template.replace("{slug}", product.slug)
    try:
        return reverse("bazary_catalog:product-detail", kwargs={"slug": product.slug})
    except NoReverseMatch:
        return ""
