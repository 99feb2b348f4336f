"""What variants need beyond their models: the option values a variant is
given by name, the shapes the API shows (a product's options, a variant's
values), and keeping a product's ``updated_at`` (its detail's
``Last-Modified``) current when its variants or their values change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils import timezone

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
    each in its order; no query."""
    options: dict[int, tuple[Option, dict[int, OptionValue]]] = {}
    for variant in variants:
        for link in variant.option_links.all():
            entry = options.setdefault(link.option_id, (link.option, {}))
            entry[1][link.value_id] = link.value
    ordered = sorted(options.values(), key=lambda entry: (entry[0].position, entry[0].name, entry[0].pk))
    return [
        {
            "slug": option.slug,
            "name": option.name,
            "values": [
                {"slug": value.slug, "name": value.name, "color": value.color}
                for value in sorted(values.values(), key=lambda value: (value.position, value.pk))
            ],
        }
        for option, values in ordered
    ]


def values_of(variant: Variant) -> list[dict[str, Any]]:
    """``[{option, option_name, value, name, color}]`` in the options' order."""
    links = sorted(
        variant.option_links.all(), key=lambda link: (link.option.position, link.option.name, link.option_id)
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


def _variant_changed(sender: Any, instance: Variant, **kwargs: Any) -> None:
    touch_products([instance.product_id])


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
    options' names: a change of any bumps the product's ``updated_at``."""
    from django.db.models.signals import post_delete, post_save

    post_save.connect(_variant_changed, sender=Variant, dispatch_uid="bazary_catalog_variant_saved")
    post_delete.connect(_variant_changed, sender=Variant, dispatch_uid="bazary_catalog_variant_deleted")
    post_save.connect(_value_saved, sender=OptionValue, dispatch_uid="bazary_catalog_option_value_saved")
    post_save.connect(_value_saved, sender=Option, dispatch_uid="bazary_catalog_option_saved")
