"""Carts: finding the request's cart (a user's, or a guest's by its token),
adding and changing lines within the caps and the stock, and merging a guest
cart into the user's at the first signed-in request that carries its token.

A guest cart is found by the ``X-Cart-Token`` header: 32 random bytes the API
returns when it creates the cart; only their SHA-256 is stored. When a
signed-in request (JWT or session: whatever authenticated it) carries the
token of a guest cart, that cart is merged into the user's: quantities added,
capped by the stock and ``MAX_LINE_QUANTITY``, lines beyond ``MAX_CART_LINES``
dropped, and the guest cart deleted. Login itself is untouched, so the orders
app needs nothing from the accounts app.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from bazary.catalog.models import Variant, VariantOptionValue, get_product_model

from .conf import orders_settings
from .exceptions import Conflict
from .models import Cart, CartLine

TOKEN_HEADER = "HTTP_X_CART_TOKEN"
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,100}")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_token(request: Any) -> str | None:
    """The well-formed cart token the request carries, if any."""
    token = request.META.get(TOKEN_HEADER, "")
    return token if TOKEN_RE.fullmatch(token) else None


def guest_cart(token: str | None) -> Cart | None:
    if not token:
        return None
    return Cart.objects.filter(token_hash=hash_token(token), user__isnull=True).first()


def cart_for(request: Any, *, create: bool = False) -> tuple[Cart | None, str | None]:
    """The request's cart (``None`` if it has none and ``create`` is False)
    and, when this call created a guest cart, its new token."""
    user = request.user
    token = request_token(request)
    if user.is_authenticated:
        cart = Cart.objects.filter(user=user).first()
        guest = guest_cart(token)
        if guest is not None:
            if cart is None:
                cart = Cart.objects.get_or_create(user=user)[0]
            merge(guest, cart)
        elif cart is None and create:
            cart = Cart.objects.get_or_create(user=user)[0]
        return cart, None
    cart = guest_cart(token)
    if cart is None and create:
        token = new_token()
        cart = Cart.objects.create(token_hash=hash_token(token))
        return cart, token
    return cart, None


def lines_of(cart: Cart | None) -> QuerySet[CartLine] | list[CartLine]:
    """The cart's lines with everything pricing needs, in three queries
    whatever their number: the lines with their product, category and variant
    (and whether the product is visible and has variants), then the variants'
    option values."""
    if cart is None or cart.pk is None:
        return []
    product_model = get_product_model()
    visible = product_model._default_manager.visible().filter(pk=OuterRef("product_id"))
    return (
        CartLine.objects.filter(cart=cart)
        .select_related("product", "variant", "variant__product")
        .annotate(product_visible=Exists(visible))
        .prefetch_related(
            Prefetch("variant__option_links", queryset=VariantOptionValue.objects.select_related("value", "option"))
        )
        .order_by("created_at", "pk")
    )


def orderable(product: Any, variant: Any) -> None:
    """400 unless ``product`` (or ``variant`` of it) can be put in a cart."""
    if variant is not None and not variant.is_active:
        raise ValidationError({"variant": [_("This variant is not available.")]}, code="unavailable")
    if variant is None and Variant.objects.filter(product_id=product.pk).exists():
        raise ValidationError(
            {"variant": [_("This product is sold in variants: choose one.")]}, code="variant_required"
        )


def stock_limit(item: Any) -> int | None:
    """How many of ``item`` a cart may hold because of stock (``None``: no limit)."""
    if not item.track_inventory or item.allow_backorder:
        return None
    return max(item.stock, 0)


def add_line(cart: Cart, product: Any, variant: Any, quantity: int) -> CartLine:
    """Add ``quantity`` of ``product`` (or of its ``variant``) to ``cart``: to
    its line if it has one. 400 over ``MAX_CART_LINES`` / ``MAX_LINE_QUANTITY``,
    409 over the stock."""
    orderable(product, variant)
    with transaction.atomic():
        Cart.objects.select_for_update().filter(pk=cart.pk).first()  # one change of a cart at a time
        lookup = (
            {"variant": variant}
            if variant is not None
            else {"product": product, "variant__isnull": True, "for_variant": False}
        )
        line = CartLine.objects.filter(cart=cart, **lookup).first()
        if line is None and CartLine.objects.filter(cart=cart).count() >= orders_settings.MAX_CART_LINES:
            raise ValidationError(
                {
                    "non_field_errors": [
                        _("A cart holds at most %(max)d lines.") % {"max": orders_settings.MAX_CART_LINES}
                    ]
                },
                code="max_cart_lines",
            )
        total = quantity + (line.quantity if line is not None else 0)
        check_quantity(variant if variant is not None else product, total)
        if line is None:
            line = CartLine.objects.create(
                cart=cart,
                product=product,
                variant=variant,
                for_variant=variant is not None,
                name=product.name,
                quantity=total,
            )
        else:
            line.quantity = total
            line.save(update_fields=["quantity"])
        cart.save(update_fields=["updated_at"])
    return line


def check_quantity(item: Any, quantity: int) -> None:
    maximum = orders_settings.MAX_LINE_QUANTITY
    if quantity > maximum:
        raise ValidationError(
            {"quantity": [_("At most %(max)d of one item per order.") % {"max": maximum}]}, code="max_line_quantity"
        )
    limit = stock_limit(item)
    if limit is not None and quantity > limit:
        raise Conflict({"quantity": [_("Only %(stock)d in stock.") % {"stock": limit}]}, code="insufficient_stock")


def set_quantity(line: CartLine, quantity: int) -> CartLine:
    item = line.variant if line.variant is not None else line.product
    if item is not None:
        check_quantity(item, quantity)
    elif quantity > orders_settings.MAX_LINE_QUANTITY:
        check_quantity(None, quantity)
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    return line


def merge(guest: Cart, cart: Cart) -> None:
    """Move the lines of ``guest`` into ``cart`` (quantities added, capped by
    stock and ``MAX_LINE_QUANTITY``; lines over ``MAX_CART_LINES`` dropped)
    and delete ``guest``."""
    with transaction.atomic():
        if not Cart.objects.select_for_update().filter(pk=guest.pk, user__isnull=True).exists():
            return  # merged by a concurrent request
        existing = {(line.product_id, line.variant_id, line.for_variant): line for line in cart.lines.all()}
        count = len(existing)
        for line in guest.lines.select_related("product", "variant"):
            item = line.variant if line.variant is not None else line.product
            if item is None:
                continue
            key = (line.product_id, line.variant_id, line.for_variant)
            target = existing.get(key)
            quantity = line.quantity + (target.quantity if target is not None else 0)
            quantity = min(quantity, orders_settings.MAX_LINE_QUANTITY)
            limit = stock_limit(item)
            if limit is not None:
                quantity = min(quantity, limit)
            if target is not None:
                if quantity > target.quantity:
                    target.quantity = quantity
                    target.save(update_fields=["quantity"])
            elif quantity > 0 and count < orders_settings.MAX_CART_LINES:
                try:
                    with transaction.atomic():
                        CartLine.objects.create(
                            cart=cart,
                            product_id=line.product_id,
                            variant_id=line.variant_id,
                            for_variant=line.for_variant,
                            name=line.name,
                            quantity=quantity,
                        )
                        count += 1
                except IntegrityError:
                    continue
        guest.delete()
