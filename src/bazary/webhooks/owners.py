"""Telling people about an endpoint that was disabled.

Through bazary.notifications when it is installed (kind
``webhooks.endpoint_disabled``, to the endpoint's creator if still an active
staff member, else to the active superusers); always in the log.
"""

from __future__ import annotations

from typing import Any, cast

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import Endpoint

KIND = "webhooks.endpoint_disabled"


def register_kind() -> None:
    if not apps.is_installed("bazary.notifications"):
        return
    from bazary.notifications.kinds import Kind, registry

    registry.register(
        Kind(
            code=KIND,
            template="bazary/webhooks/email/endpoint_disabled",
            default_channels=("in_app", "email"),
            verbose_name=cast(str, _("Webhook endpoint disabled")),
        )
    )


def owners(endpoint: Endpoint) -> list[Any]:
    """Who is told: the creator, if an active staff member; else every active superuser."""
    creator = endpoint.created_by
    if creator is not None and creator.is_active and creator.is_staff:
        return [creator]
    return list(get_user_model()._default_manager.filter(is_superuser=True, is_active=True))


def tell_disabled(endpoint: Endpoint) -> int:
    """Notify the endpoint's owners that it was disabled; returns how many were told."""
    if not apps.is_installed("bazary.notifications"):
        return 0
    from bazary.notifications.api import notify

    users = owners(endpoint)
    if not users:
        return 0
    context = {"endpoint_id": endpoint.pk, "url": endpoint.url, "reason": endpoint.disabled_reason}
    notify(users, KIND, context, target=endpoint)
    return len(users)
