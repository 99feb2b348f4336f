"""When back-in-stock alerts fire besides a restock, and whose alerts go.

An alert is for a product customers can see: :func:`~bazary.catalog.stock.notify_back_in_stock`
keeps the alerts of a hidden product (inactive, or in a hidden category) pending,
and this module fires them when the product becomes visible again while in
stock: the product (or a variant) is re-activated, the product is moved to a
visible category, or its category (or an ancestor) is re-activated or moved
out of a hidden branch. Only a change of those fields triggers it, so saving a
product for any other reason never sends an alert.

The alerts of a deleted account are deleted (:func:`forget_user`), on
``bazary.accounts``' ``user_deleted`` signal when that app is installed.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_init, post_save

from .models import StockAlert, Variant, get_category_model, get_product_model

#: The fields whose change can make a product visible, per model kind.
_PRODUCT_FIELDS = ("is_active", "category_id")
_CATEGORY_FIELDS = ("is_active", "parent_id")
_VARIANT_FIELDS = ("is_active",)
_SNAPSHOT = "_bazary_alert_visibility"


def _remember(fields: tuple[str, ...]):
    def receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
        # Deferred fields are absent from __dict__: unknown, compared as changed.
        setattr(instance, _SNAPSHOT, tuple(instance.__dict__.get(name) for name in fields))

    return receiver


def _may_have_appeared(instance: Any, fields: tuple[str, ...], created: bool, raw: bool) -> bool:
    """True when this save may have made hidden products visible: it is active
    now and one of ``fields`` differs from what was loaded."""
    before = getattr(instance, _SNAPSHOT, None)
    setattr(instance, _SNAPSHOT, tuple(getattr(instance, name) for name in fields))  # the next save compares to this
    if created or raw or not instance.is_active:
        return False
    return before != tuple(getattr(instance, name) for name in fields)


remember_product = _remember(_PRODUCT_FIELDS)
remember_category = _remember(_CATEGORY_FIELDS)
remember_variant = _remember(_VARIANT_FIELDS)


def product_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if _may_have_appeared(instance, _PRODUCT_FIELDS, created, raw):
        pk = instance.pk
        transaction.on_commit(lambda: notify_visible_products(pk__in=[pk]), using=kwargs.get("using"))


def category_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if _may_have_appeared(instance, _CATEGORY_FIELDS, created, raw):
        pk = instance.pk

        def fire() -> None:
            # Read after commit: a move rewrote the path of the whole branch.
            path = get_category_model()._default_manager.filter(pk=pk).values_list("path", flat=True).first()
            if path:
                notify_visible_products(category__path__startswith=path)

        transaction.on_commit(fire, using=kwargs.get("using"))


def variant_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if _may_have_appeared(instance, _VARIANT_FIELDS, created, raw):
        pk = instance.pk

        def fire() -> None:
            from .stock import notify_back_in_stock

            variant = Variant.objects.select_related("product").filter(pk=pk).first()
            if variant is not None:
                notify_back_in_stock(variant.product, variant=variant)

        transaction.on_commit(fire, using=kwargs.get("using"))


def notify_visible_products(**lookups: Any) -> int:
    """Send the pending alerts of the visible products matching ``lookups``
    that are in stock (a product with variants: through each active variant
    in stock); returns how many users were told."""
    from .stock import notify_back_in_stock

    products = (
        get_product_model()
        ._default_manager.visible()
        .filter(**lookups)
        .filter(pk__in=StockAlert.objects.filter(notified_at__isnull=True).values("product_id"))
    )
    told = 0
    for product in products:
        variants = Variant.objects.filter(product_id=product.pk)
        if not variants.exists():
            told += notify_back_in_stock(product)
            continue
        for variant in variants.filter(is_active=True, stock__gt=0):
            told += notify_back_in_stock(product, variant=variant)
    return told


def forget_user(user: Any) -> int:
    """Delete the user's stock alerts (an account being deleted); returns how many."""
    deleted, _ = StockAlert.objects.filter(user_id=user.pk).delete()
    return deleted


def forget_deleted_user(sender: Any, user: Any, **kwargs: Any) -> None:
    """``user_deleted`` receiver: the account is gone, so are its alerts."""
    forget_user(user)


def connect_alert_triggers() -> None:
    product, category = get_product_model(), get_category_model()
    post_init.connect(remember_product, sender=product, dispatch_uid="bazary_catalog_alerts_product_init")
    post_save.connect(product_saved, sender=product, dispatch_uid="bazary_catalog_alerts_product_save")
    post_init.connect(remember_category, sender=category, dispatch_uid="bazary_catalog_alerts_category_init")
    post_save.connect(category_saved, sender=category, dispatch_uid="bazary_catalog_alerts_category_save")
    post_init.connect(remember_variant, sender=Variant, dispatch_uid="bazary_catalog_alerts_variant_init")
    post_save.connect(variant_saved, sender=Variant, dispatch_uid="bazary_catalog_alerts_variant_save")
