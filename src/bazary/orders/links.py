"""The signed link a guest's confirmation email carries to their order.

The token is an HMAC of the order number (Django's signing, keyed by
``SECRET_KEY`` with a salt of its own): it opens that one order, read-only,
and nothing else. It does not expire (it stands for the receipt the guest
keeps); rotating ``SECRET_KEY`` revokes every token.
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from .conf import orders_settings

SALT = "bazary.orders.guest-order-link"


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def order_token(number: str) -> str:
    """The token of order ``number``."""
    return _signer().signature(number)


def token_is_valid(number: str, token: Any) -> bool:
    if not isinstance(token, str) or not token or len(token) > 200:
        return False
    return constant_time_compare(order_token(number), token)


def guest_order_url(order: Any, request: Any = None) -> str:
    """``GUEST_ORDER_URL`` filled in (``{number}``, ``{token}``), or the API's
    own ``orders/{number}/?token=...`` (absolute when ``request`` is given)."""
    token = order_token(order.number)
    template = orders_settings.GUEST_ORDER_URL
    if template:
        return str(template).format(number=order.number, token=token)
    path = reverse("bazary_orders:order-detail", kwargs={"number": order.number}) + f"?token={token}"
    return request.build_absolute_uri(path) if request is not None else path
