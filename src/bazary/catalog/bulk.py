"""Staff bulk operations on products (``POST products/bulk/``).

One action on up to ``BULK_MAX_ITEMS`` products, all or nothing: every slug
and parameter is checked first (a 400 lists every bad one), then the action
runs in one transaction with a few set-based queries (``update()``,
``bulk_update()``, ``bulk_create()``), not a ``save()`` per product. What
``save()`` and the catalog's signals keep current is kept current here too:
``updated_at`` (the detail's ``Last-Modified``/ETag), the PostgreSQL search
vectors when tags change, the held back-in-stock alerts of products made
visible again, a :class:`~bazary.catalog.models.PriceChange` per
changed price, and stored image files once deleted products are gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any, cast

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .exceptions import Conflict
from .models import PriceChange, ProductImage, Tag, Variant, get_category_model, get_product_model
from .money import round_price
from .search import update_search_vectors

ACTIONS = (
    "activate",
    "deactivate",
    "set_price",
    "change_price",
    "assign_category",
    "add_tags",
    "remove_tags",
    "delete",
)
#: Actions that change prices (and write PriceChange rows).
PRICE_ACTIONS = ("set_price", "change_price")


@dataclass
class BulkResult:
    action: str
    matched: int
    changed: int


def resolve_products(slugs: list[str]) -> list[Any]:
    """The products of ``slugs`` (duplicates once), or a 400 naming each slug
    that no product has, by its position in the list."""
    manager = get_product_model()._default_manager
    found = {
        p.slug: p
        for p in manager.filter(slug__in=set(slugs)).only("pk", "slug", "price", "compare_at_price", "currency")
    }
    missing = {
        str(index): [_("No product has the slug %(slug)r.") % {"slug": slug}]
        for index, slug in enumerate(slugs)
        if slug not in found
    }
    if missing:
        raise serializers.ValidationError({"slugs": missing})
    unique = dict.fromkeys(slugs)
    return [found[slug] for slug in unique]


def apply(action: str, products: list[Any], params: dict[str, Any], user: Any = None) -> BulkResult:
    """Run ``action`` on ``products`` (from :func:`resolve_products`) in one
    transaction; returns how many rows changed."""
    handler = globals()[f"_{action}"]
    user = user if user is not None and getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        changed = handler([p.pk for p in products], products, params, user)
    return BulkResult(action=action, matched=len(products), changed=changed)


def _queryset(ids: list[Any]) -> Any:
    return get_product_model()._default_manager.filter(pk__in=ids)


def _release_held_alerts(ids: list[Any]) -> None:
    """As the ``post_save`` receivers of :mod:`bazary.catalog.alerts` do for
    a save: products re-activated or moved may be visible again, and their
    held back-in-stock alerts go once the change commits."""
    from .alerts import notify_visible_products

    if ids:
        transaction.on_commit(partial(notify_visible_products, pk__in=list(ids)))


def _set_active(ids: list[Any], value: bool) -> int:
    rows = _queryset(ids).exclude(is_active=value)
    changed = list(rows.values_list("pk", flat=True))
    _queryset(changed).update(is_active=value, updated_at=timezone.now())
    if value:
        _release_held_alerts(changed)
    return len(changed)


def _activate(ids: list[Any], products: list[Any], params: dict[str, Any], user: Any) -> int:
    return _set_active(ids, True)


def _deactivate(ids: list[Any], products: list[Any], params: dict[str, Any], user: Any) -> int:
    return _set_active(ids, False)


def new_price(current: Decimal, currency: str, params: dict[str, Any]) -> Decimal:
    """The price an action gives ``current``: ``price`` as it is, or
    ``current`` changed by ``percent`` (``-10`` is 10% off) or ``amount``,
    rounded half-up to the currency and never below zero."""
    if "price" in params:
        return round_price(params["price"], currency)
    if params.get("percent") is not None:
        return round_price(current * (1 + params["percent"] / Decimal(100)), currency)
    return round_price(current + params["amount"], currency)


def _price_plan(products: list[Any], params: dict[str, Any], action: str) -> tuple[list[Any], list[Any]]:
    """The products and variants whose price changes, with ``_old_price``
    set; a 400 when a new price would be above a compare-at price."""
    errors: dict[str, list[str]] = {}
    changed_products, changed_variants = [], []
    index_of = {p.pk: i for i, p in enumerate(products)}
    for product in products:
        price = new_price(product.price, product.currency, params)
        if product.compare_at_price is not None and price > product.compare_at_price:
            errors.setdefault(str(index_of[product.pk]), []).append(
                str(
                    _("The new price %(price)s would be above the compare-at price %(compare_at)s.")
                    % {"price": price, "compare_at": product.compare_at_price}
                )
            )
        elif price != product.price:
            product._old_price, product.price = product.price, price
            changed_products.append(product)
    if action == "change_price":
        # Variants with a price of their own change by the same rule (those
        # without one follow the product's price).
        currency = {p.pk: p.currency for p in products}
        variants: Any = Variant.objects.filter(product_id__in=list(index_of), price__isnull=False).only(
            "pk", "product_id", "sku", "price", "compare_at_price"
        )
        for variant in variants:
            price = new_price(variant.price, currency[variant.product_id], params)
            if variant.compare_at_price is not None and price > variant.compare_at_price:
                errors.setdefault(str(index_of[variant.product_id]), []).append(
                    str(
                        _("Variant %(sku)s: the new price %(price)s would be above its compare-at price.")
                        % {"sku": variant.sku, "price": price}
                    )
                )
            elif price != variant.price:
                variant._old_price, variant.price = variant.price, price
                changed_variants.append(variant)
    if errors:
        raise serializers.ValidationError({"slugs": errors})
    return changed_products, changed_variants


def _write_prices(products: list[Any], params: dict[str, Any], user: Any, action: str) -> int:
    changed_products, changed_variants = _price_plan(products, params, action)
    now = timezone.now()
    for row in (*changed_products, *changed_variants):
        row.updated_at = now
    model = get_product_model()
    model._default_manager.bulk_update(changed_products, ["price", "updated_at"])
    Variant.objects.bulk_update(changed_variants, ["price", "updated_at"])
    # A variant's price shows in its product's detail: move its Last-Modified.
    touched = {v.product_id for v in changed_variants} - {p.pk for p in changed_products}
    if touched:
        _queryset(list(touched)).update(updated_at=now)
    reason = str(_("Bulk %(action)s") % {"action": action.replace("_", " ")})
    PriceChange.objects.bulk_create(
        [
            PriceChange(product_id=p.pk, old_price=p._old_price, new_price=p.price, reason=reason, user=user)
            for p in changed_products
        ]
        + [
            PriceChange(
                product_id=v.product_id,
                variant_id=v.pk,
                old_price=v._old_price,
                new_price=v.price,
                reason=reason,
                user=user,
            )
            for v in changed_variants
        ]
    )
    return len(changed_products) + len(changed_variants)


def _set_price(ids: list[Any], products: list[Any], params: dict[str, Any], user: Any) -> int:
    return _write_prices(products, params, user, "set_price")


def _change_price(ids: list[Any], products: list[Any], params: dict[str, Any], user: Any) -> int:
    return _write_prices(products, params, user, "change_price")


def resolve_category(slug: str) -> Any:
    category = get_category_model()._default_manager.filter(slug=slug).first()
    if category is None:
        raise serializers.ValidationError({"category": [_("No category has the slug %(slug)r.") % {"slug": slug}]})
    return category


def resolve_tags(slugs: list[str]) -> list[Tag]:
    found = {tag.slug: tag for tag in Tag.objects.filter(slug__in=set(slugs))}
    missing = {
        str(i): [_("No tag has the slug %(slug)r.") % {"slug": slug}]
        for i, slug in enumerate(slugs)
        if slug not in found
    }
    if missing:
        raise serializers.ValidationError({"tags": missing})
    return list({found[slug].pk: found[slug] for slug in slugs}.values())


def _assign_category(ids: list[Any], products: list[Any], params: dict[str, Any], user: Any) -> int:
    category = params["category_obj"]
    changed = list(_queryset(ids).exclude(category=category).values_list("pk", flat=True))
    _queryset(changed).update(category=category, updated_at=timezone.now())
    _release_held_alerts(changed)
    return len(changed)


def _through() -> tuple[Any, str]:
    model = get_product_model()
    through = cast(Any, model._meta.get_field("tags")).remote_field.through
    fk = next(f.name for f in through._meta.get_fields() if getattr(f, "related_model", None) is model)
    return through, fk


def _tags_changed(product_ids: set[Any]) -> None:
    """What the m2m_changed receivers do for a save: the search vectors and
    ``updated_at`` (Last-Modified) of the products whose tags changed."""
    if product_ids:
        update_search_vectors(_queryset(list(product_ids)))
        _queryset(list(product_ids)).update(updated_at=timezone.now())


def _add_tags(ids: list[Any], products: list[Any], params: dict[str, Any], user: Any) -> int:
    through, fk = _through()
    tag_ids = [tag.pk for tag in params["tag_objs"]]
    have = set(through.objects.filter(**{f"{fk}_id__in": ids, "tag_id__in": tag_ids}).values_list(f"{fk}_id", "tag_id"))
    rows = [(pk, tag_id) for pk in ids for tag_id in tag_ids if (pk, tag_id) not in have]
    through.objects.bulk_create([through(**{f"{fk}_id": pk, "tag_id": tag_id}) for pk, tag_id in rows])
    changed = {pk for pk, _tag in rows}
    _tags_changed(changed)
    return len(changed)


def _remove_tags(ids: list[Any], products: list[Any], params: dict[str, Any], user: Any) -> int:
    through, fk = _through()
    links = through.objects.filter(**{f"{fk}_id__in": ids, "tag_id__in": [tag.pk for tag in params["tag_objs"]]})
    changed = set(links.values_list(f"{fk}_id", flat=True))
    links.delete()
    _tags_changed(changed)
    return len(changed)


def _delete(ids: list[Any], products: list[Any], params: dict[str, Any], user: Any) -> int:
    images = list(ProductImage.objects.filter(product_id__in=ids).values_list("image", flat=True))
    try:
        with transaction.atomic():
            _queryset(ids).delete()
    except (ProtectedError, RestrictedError) as exc:
        raise Conflict(
            _("Some of these products are still referred to (e.g. by orders); deactivate them instead.")
        ) from exc
    storage = ProductImage._meta.get_field("image").storage  # type: ignore[attr-defined]
    for name in images:
        if name:
            transaction.on_commit(partial(storage.delete, name))
    return len(ids)
