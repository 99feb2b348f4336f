"""What bazary.notifications contributes to the personal-data export (see :mod:`bazary.core.exports`)."""

from __future__ import annotations

from typing import Any

from bazary.core.exports import registry
from bazary.core.serialization import json_value

from .models import Delivery, Notification
from .preferences import preference_rows


def notifications_of(user: Any) -> list[dict[str, Any]]:
    """The user's in-app notifications."""
    rows = Notification.objects.filter(recipient=user).order_by("created_at", "pk")
    return [
        {
            "id": n.pk,
            "kind": n.kind,
            "title": n.title,
            "body": n.body,
            "data": json_value(n.data),
            "target": n.target_repr,
            "read_at": json_value(n.read_at),
            "created_at": json_value(n.created_at),
        }
        for n in rows
    ]


def deliveries_of(user: Any) -> list[dict[str, Any]]:
    """The messages sent (or queued) to the user on other channels (email...): where, what, when.

    Sealed one-time values (reset links) are never part of it."""
    rows = Delivery.objects.filter(recipient=user).order_by("created_at", "pk")
    return [
        {
            "id": d.pk,
            "kind": d.kind,
            "channel": d.channel,
            "address": d.address,
            "subject": d.subject,
            "body": d.body,
            "status": d.status,
            "created_at": json_value(d.created_at),
            "sent_at": json_value(d.sent_at),
        }
        for d in rows
    ]


def register_sections() -> None:
    registry.register("notifications", notifications_of)
    registry.register("notification_deliveries", deliveries_of)
    registry.register("notification_preferences", preference_rows)
