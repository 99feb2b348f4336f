"""``notify()``: the one way bazary and projects send notifications."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from bazary.core.email import recipient_locale, render_email

from . import deliveries, withheld
from .channels import Message
from .channels import registry as channel_registry
from .kinds import Kind, registry
from .models import Delivery, DeliveryStatus
from .preferences import enabled_channels

__all__ = ["NotifyResult", "notify"]


@dataclass
class NotifyResult:
    """What ``notify()`` stored: in-app messages written and deliveries queued."""

    messages: int = 0
    deliveries: list[Delivery] = field(default_factory=list)


def notify(
    recipients: Any,
    kind: str | Kind,
    context: dict[str, Any] | None = None,
    *,
    actor: models.Model | None = None,
    target: models.Model | None = None,
    email: str | None = None,
) -> NotifyResult:
    """Notify ``recipients`` (a user, a list of users or a queryset) of ``kind``.

    For each recipient and each channel the recipient gets this kind on
    (the kind's defaults, the user's preferences, mandatory kinds always),
    the kind's templates are rendered with ``context`` plus ``recipient``,
    ``actor``, ``target`` and ``kind``; in-app rows are written at once and
    every other channel gets a :class:`~bazary.notifications.models.Delivery`
    that a task sends (and retries). All rows of one call are written in one
    transaction with bulk inserts.

    ``context`` must be JSON-serializable: it is stored with the notification,
    except the kind's ``secret_context`` keys (one-time links), which are
    stored as placeholders and sealed until sent (see :mod:`.withheld`).
    ``email`` sends the email to that address instead of the user's (for
    example a new, unconfirmed address) and needs exactly one recipient.
    Inactive recipients (``is_active`` false: deactivated or deleted accounts)
    are skipped, except for kinds with ``farewell=True``; so are recipients
    without marketing consent for kinds with ``marketing=True``. Each message
    is rendered in its recipient's ``language`` and ``timezone`` when the user
    has them (:func:`bazary.core.email.recipient_locale`).
    """
    kind = kind if isinstance(kind, Kind) else registry.get(kind)
    context = {} if context is None else context
    if not isinstance(context, dict):
        raise TypeError(f"notify() context must be a dict, not {type(context).__name__}.")
    try:
        json.dumps(context)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"notify() context must be JSON-serializable: {exc}") from exc

    users = _users(recipients)
    if email is not None and len(users) != 1:
        raise ValueError("notify(email=...) needs exactly one recipient.")
    # Deactivated and deleted accounts get nothing, but the farewell itself.
    users = [user for user in users if kind.reaches(user)]
    if not users:
        return NotifyResult()

    channels = {channel.code: channel for channel in channel_registry}
    per_user = enabled_channels(kind, users)
    # One-time links and tokens: stored as placeholders, their values sealed.
    public, secret_values = withheld.split(context, kind.secret_context)
    written: dict[str, list[Message]] = {}
    rows: list[Delivery] = []
    for user in users:
        codes = per_user.get(user.pk, [])
        if not codes:
            continue
        held = withheld.withhold(secret_values) if secret_values else None
        placeholders = held.placeholders if held else {}
        template_context = {
            **public,
            **placeholders,
            "recipient": user,
            "actor": actor,
            "target": target,
            "kind": kind,
        }
        # In the recipient's language and time zone, when they have them.
        locale = recipient_locale(user)
        message = Message(
            kind=kind,
            recipient=user,
            rendered=render_email(kind.template, template_context, language=locale.language, timezone=locale.timezone),
            context=public,
            actor=actor,
            target=target,
            addresses={"email": email} if email else {},
        )
        for code in codes:
            channel = channels[code]
            if not channel.uses_deliveries:
                written.setdefault(code, []).append(message)
                continue
            address = channel.get_address(message)
            if not address:
                continue  # nowhere to send it (e.g. a user without an email address)
            rows.append(
                Delivery(
                    kind=kind.code,
                    channel=code,
                    recipient=user,
                    address=address[:320],
                    subject=message.rendered.subject[:255],
                    body=message.rendered.text,
                    html=message.rendered.html or "",
                    data=public,
                    sealed=held.seal() if held else "",
                    status=DeliveryStatus.QUEUED,
                )
            )

    with transaction.atomic():
        for code, messages in written.items():
            channels[code].write(messages)
        created = Delivery.objects.bulk_create(rows, batch_size=500)
    deliveries.enqueue(delivery.pk for delivery in created)
    return NotifyResult(messages=sum(len(m) for m in written.values()), deliveries=created)


def _users(recipients: Any) -> list[Any]:
    """A user, an iterable of users or a queryset → unique saved users, in order."""
    if recipients is None:
        return []
    if isinstance(recipients, models.Model):
        candidates: Iterable[Any] = [recipients]
    elif isinstance(recipients, Iterable) and not isinstance(recipients, str | bytes | dict):
        candidates = recipients
    else:
        raise TypeError(f"notify() recipients must be a user, a list or a queryset, not {type(recipients).__name__}.")
    users, seen = [], set()
    for user in candidates:
        if not isinstance(user, models.Model) or user.pk is None:
            raise TypeError(f"notify() recipients must be saved users, not {user!r}.")
        if user.pk not in seen:
            seen.add(user.pk)
            users.append(user)
    return users
