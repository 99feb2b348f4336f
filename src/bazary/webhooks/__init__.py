"""Outgoing, signed webhooks: endpoints, an event registry, deliveries with retries.

A project sends its own event (registered with :data:`events.registry`) with::

    from bazary.webhooks import send_event

    send_event("shop.invoice_issued", {"id": invoice.pk}, key=f"invoice:{invoice.pk}")
"""

from __future__ import annotations

from typing import Any


def send_event(event_type: str, payload: Any, *, key: str | None = None, using: str = "default") -> None:
    """See :func:`bazary.webhooks.events.send_event` (imported late: this
    package is importable before Django's apps are ready)."""
    from .events import send_event as _send_event

    _send_event(event_type, payload, key=key, using=using)
