"""System checks of the registered event types (the settings dict is checked by core)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Warning, register


@register("bazary")
def check_endpoints_event_types(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    # Endpoints live in the database: checks read nothing there unless asked
    # (``check --database``), as Django's own database checks.
    if not databases:
        return []
    from django.db import DatabaseError

    from .events import registry
    from .models import Endpoint

    known = {event_type.code for event_type in registry}
    warnings: list[CheckMessage] = []
    try:
        endpoints = list(Endpoint.objects.filter(is_active=True).only("pk", "event_types"))
    except DatabaseError:  # not migrated yet
        return []
    for endpoint in endpoints:
        unknown = sorted(set(endpoint.event_types) - known - {"*"})
        if unknown:
            warnings.append(
                Warning(
                    f"Webhook endpoint {endpoint.pk} subscribes to event types nobody registers: {', '.join(unknown)}.",
                    hint="Install the app that sends them, or remove them from the endpoint.",
                    id="bazary_webhooks.W001",
                )
            )
    return warnings
