"""What variants need beyond their models: the option values a variant is
given by name, the shapes the API shows (a product's options, a variant's
values), keeping a product's ``updated_at`` (its detail's ``Last-Modified``)
current when its variants or their values change, and its ``has_variants``
when its variants do."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from . import rules
from .models import Option, OptionValue, Variant, VariantOptionValue, get_product_model, value_slug


def find_value(option: Option, text: str) -> OptionValue | None:
    """The value of ``option`` whose slug or name (case-insensitively) is
    ``text``, in one query."""
    text = str(text).strip()
    if not text:
        return None
    return (
        OptionValue.objects.filter(option=option)
        .filter(Q(slug=value_slug(text)) | Q(name__iexact=text))
        .order_by("position", "pk")
        .first()
    )


def options_of(variants: Iterable[Variant]) -> list[dict[str, Any]]:
    """``[{slug, name, values: [{slug, name, color}]}]``: the options of
    ``variants`` (prefetched with their option links) and the values they use,
    each in its order (:func:`bazary.catalog.rules.options_json`); no query."""
    return rules.options_json(_option_link(link) for variant in variants for link in variant.option_links.all())


def _option_link(link: VariantOptionValue) -> rules.OptionLink:
    """What :func:`bazary.catalog.rules.options_json` reads of a link."""
    option, value = link.option, link.value
    return (
        link.option_id,
        option.position,
        option.name,
        option.slug,
        link.value_id,
        value.position,
        value.slug,
        value.name,
        value.color,
    )


def values_of(variant: Variant) -> list[dict[str, Any]]:
    """``[{option, option_name, value, name, color}]`` in the options' order
    (:func:`bazary.catalog.rules.option_order`)."""
    links = sorted(
        variant.option_links.all(),
        key=lambda link: rules.option_order(link.option.position, link.option.name, link.option_id),
    )
    return [
        {
            "option": link.option.slug,
            "option_name": link.option.name,
            "value": link.value.slug,
            "name": link.value.name,
            "color": link.value.color,
        }
        for link in links
    ]


def touch_products(product_ids: Iterable[Any]) -> None:
    ids = {pk for pk in product_ids if pk is not None}
    if ids:
        get_product_model()._default_manager.filter(pk__in=ids).update(updated_at=timezone.now())


def refresh_has_variants(product_ids: Iterable[Any], *, touch: bool = False) -> None:
    """Recompute ``has_variants`` of the products ``product_ids`` from their
    variants (and, with ``touch``, bump their ``updated_at``) in one UPDATE.
    Every write of variants calls it: the signals below for ``save()`` and
    ``delete()`` (a queryset's and a cascade's too), the import for its bulk
    inserts."""
    ids = {pk for pk in product_ids if pk is not None}
    if not ids:
        return
    fields: dict[str, Any] = {"has_variants": Exists(Variant.objects.filter(product=OuterRef("pk")))}
    if touch:
        fields["updated_at"] = timezone.now()
    get_product_model()._default_manager.filter(pk__in=ids).update(**fields)


def fix_has_variants(sender: Any = None, *, using: str = "default", apps: Any = None, **kwargs: Any) -> None:
    """``post_migrate``: correct every stale ``has_variants`` in two UPDATEs
    (set where a variant exists, cleared where none does). A swapped product
    model gets the column from its own migration, which cannot fill it: its
    existing products with variants would read as having none until this
    runs. Skipped while the product model has no such column yet."""
    from django.apps import apps as global_apps
    from django.db import router

    apps = apps or global_apps
    try:
        product = apps.get_model(get_product_model()._meta.label)
        variant = apps.get_model("bazary_catalog", "Variant")
    except LookupError:
        return
    if not any(field.name == "has_variants" for field in product._meta.get_fields()):
        return
    if not router.allow_migrate_model(using, product):
        return
    products = product._base_manager.using(using)
    variants = variant._base_manager.using(using)
    products.filter(has_variants=False, pk__in=variants.values("product_id")).update(has_variants=True)
    products.filter(has_variants=True).exclude(Exists(variants.filter(product=OuterRef("pk")))).update(
        has_variants=False
    )


def _variant_saved(sender: Any, instance: Variant, created: bool, **kwargs: Any) -> None:
    # A variant moved to another product (the admin's variant page can do it)
    # leaves its old product too.
    loaded = instance.__dict__.get("_loaded_product_id")
    refresh_has_variants([instance.product_id, loaded], touch=True)
    instance._loaded_product_id = instance.product_id  # type: ignore[attr-defined]
    if created and Variant.product.is_cached(instance):  # type: ignore[attr-defined]
        instance.product.has_variants = True  # the caller's product, as its row now is


def _variant_deleted(sender: Any, instance: Variant, **kwargs: Any) -> None:
    refresh_has_variants([instance.product_id], touch=True)


def _value_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created:
        return
    if isinstance(instance, OptionValue):
        links = VariantOptionValue.objects.filter(value=instance)
    else:
        links = VariantOptionValue.objects.filter(option=instance)
    touch_products(links.values_list("variant__product_id", flat=True).distinct())


def connect_variant_updates() -> None:
    """A product's detail shows its variants, their option values and the
    options' names: a change of any bumps the product's ``updated_at``; a
    variant saved or deleted recomputes its product's ``has_variants``."""
    from django.db.models.signals import post_delete, post_save

    post_save.connect(_variant_saved, sender=Variant, dispatch_uid="bazary_catalog_variant_saved")
    post_delete.connect(_variant_deleted, sender=Variant, dispatch_uid="bazary_catalog_variant_deleted")
    post_save.connect(_value_saved, sender=OptionValue, dispatch_uid="bazary_catalog_option_value_saved")
    post_save.connect(_value_saved, sender=Option, dispatch_uid="bazary_catalog_option_saved")
