"""Stock changes: atomic in the database, audited, and back-in-stock alerts."""

from __future__ import annotations

import logging
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .conf import catalog_settings
from .models import AbstractProduct, StockAlert, StockMovement, get_product_model
from .signals import back_in_stock

logger = logging.getLogger(__name__)


#: The database column is a 32-bit integer on every backend we support.
MAX_STOCK = 2**31 - 1


class StockError(Exception):
    """The change was refused; nothing was changed."""


class InsufficientStock(StockError):
    """The change would take the stock below zero."""


class StockLimitExceeded(StockError):
    """The change would take the stock above :data:`MAX_STOCK`."""


def adjust_stock(product: AbstractProduct, delta: int, *, reason: str = "", user: Any = None) -> int:
    """Add ``delta`` (negative to remove) to the product's stock and return the
    new stock.

    One conditional ``UPDATE ... SET stock = stock + delta WHERE stock + delta >= 0``:
    concurrent calls never oversell and never lose an update, without locking
    the row for the whole request. Raises :class:`InsufficientStock` (nothing
    changed) when the result would be negative.
    """
    model = get_product_model()
    with transaction.atomic():
        # The guard keeps the result within 0..MAX_STOCK (no integer overflow).
        guard = {"stock__gte": -delta} if delta < 0 else {"stock__lte": MAX_STOCK - delta}
        updated = model._default_manager.filter(pk=product.pk, **guard).update(
            stock=F("stock") + delta, updated_at=timezone.now()
        )
        if not updated:
            if not model._default_manager.filter(pk=product.pk).exists():
                raise model.DoesNotExist
            raise InsufficientStock if delta < 0 else StockLimitExceeded
        new_stock = model._default_manager.filter(pk=product.pk).values_list("stock", flat=True).get()
        StockMovement.objects.create(
            product_id=product.pk,
            delta=delta,
            stock_after=new_stock,
            reason=reason,
            user=user if user is not None and user.is_authenticated else None,
        )
        product.stock = new_stock
        if delta > 0 and new_stock - delta <= 0 < new_stock:
            # After commit: subscribers are told only about stock that exists.
            transaction.on_commit(lambda: notify_back_in_stock(product))
    return new_stock


def notify_back_in_stock(product: AbstractProduct) -> int:
    """Tell the users waiting for ``product``; returns how many were told."""
    alerts = StockAlert.objects.filter(product_id=product.pk, notified_at__isnull=True)
    user_ids = list(alerts.values_list("user_id", flat=True))
    if not user_ids:
        return 0
    users = get_user_model()._default_manager.filter(pk__in=user_ids)
    if apps.is_installed("bazary.notifications"):
        from bazary.notifications.api import notify

        notify(
            users,
            "catalog.back_in_stock",
            {"product_name": product.name, "product_slug": product.slug, "product_url": product_url(product)},
            target=product,
        )
    back_in_stock.send(sender=type(product), product=product, users=users)
    StockAlert.objects.filter(product_id=product.pk, user_id__in=user_ids, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    return len(user_ids)


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
