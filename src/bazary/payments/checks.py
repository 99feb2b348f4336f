"""System checks of the payments app (the settings dict itself is checked by core).

- ``bazary_payments.E020`` bazary.orders is not installed
- ``bazary_payments.E021`` Stripe is configured but the ``stripe`` package is not installed
"""

from __future__ import annotations

import importlib.util
from typing import Any

from django.apps import apps
from django.core.checks import CheckMessage, Error, register


@register("bazary")
def check_payments(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if not apps.is_installed("bazary.orders"):
        errors.append(
            Error(
                "bazary.payments needs bazary.orders.",
                hint="Add 'bazary.orders' to INSTALLED_APPS.",
                id="bazary_payments.E020",
            )
        )
    from .conf import provider_keys

    if provider_keys("stripe") is not None and importlib.util.find_spec("stripe") is None:
        errors.append(
            Error(
                "BAZARY_PAYMENTS configures Stripe but the stripe package is not installed.",
                hint="pip install 'bazary[stripe]'",
                id="bazary_payments.E021",
            )
        )
    return errors
