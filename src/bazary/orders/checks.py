"""System checks of the orders' hooks (the settings dict itself is checked by core).

- ``bazary_orders.E020`` bazary.catalog is not installed
- ``bazary_orders.E021`` two shipping methods share a code
- ``bazary_orders.E022`` two payment providers share a code
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.apps import apps
from django.core.checks import CheckMessage, Error, register


@register("bazary")
def check_orders(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if not apps.is_installed("bazary.catalog"):
        errors.append(
            Error(
                "bazary.orders needs bazary.catalog.",
                hint="Add 'bazary.catalog' to INSTALLED_APPS.",
                id="bazary_orders.E020",
            )
        )
    from .conf import orders_settings

    for option, check_id in (("SHIPPING_METHODS", "bazary_orders.E021"), ("PAYMENT_PROVIDERS", "bazary_orders.E022")):
        try:
            classes = getattr(orders_settings, option)
        except (ImportError, TypeError, ValueError):
            classes = []  # reported by bazary_orders.E003/E004
        codes = Counter(getattr(cls, "code", None) for cls in classes)
        for code, count in codes.items():
            if count > 1:
                errors.append(Error(f"{option} holds {count} classes with the code {code!r}.", id=check_id))
    return errors
