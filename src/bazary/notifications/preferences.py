"""Which channels a user gets for a kind: the kind's defaults, the user's
choices over them, and mandatory kinds that no choice turns off."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import channels as channel_registry
from .channels import Channel
from .kinds import Kind, registry
from .models import Preference


class PreferenceError(ValueError):
    """A preference change that is not allowed; ``errors`` says why, by row index
    (the shape DRF gives a list serializer's errors)."""

    def __init__(self, errors: dict[int, dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


def default_enabled(kind: Kind, channel: str) -> bool:
    return channel in kind.default_channels


def kind_channels(kind: Kind, channels: Sequence[Channel] | None = None) -> list[str]:
    """The codes of the configured channels ``kind`` can be sent on, in
    ``CHANNELS`` order: a mandatory kind's default channels (it is never sent on
    others), every channel for other kinds (a user may turn on one that is off
    by default). A kind with one-time secrets (``secret_context``) is never
    written to a channel that only stores messages (``in_app``): the database
    would hold the secret."""
    configured = list(channel_registry.registry) if channels is None else channels
    codes = []
    for channel in configured:
        if kind.mandatory and not default_enabled(kind, channel.code):
            continue
        if kind.secret_context and not channel.uses_deliveries:
            continue
        codes.append(channel.code)
    return codes


def enabled_channels(kind: Kind, users: Sequence[Any]) -> dict[Any, list[str]]:
    """The channels (configured ones only) each user gets ``kind`` on, by user pk.
    One query for all users, none for a mandatory kind."""
    available = kind_channels(kind)
    if kind.mandatory or not users:
        return {user.pk: list(available) for user in users}
    choices: dict[Any, dict[str, bool]] = {}
    rows = Preference.objects.filter(kind=kind.code, user__in=[user.pk for user in users]).values_list(
        "user_id", "channel", "enabled"
    )
    for user_id, channel, enabled in rows:
        choices.setdefault(user_id, {})[channel] = enabled
    result = {}
    for user in users:
        own = choices.get(user.pk, {})
        result[user.pk] = [code for code in available if own.get(code, default_enabled(kind, code))]
    return result


def preference_rows(user: Any) -> list[dict[str, Any]]:
    """One row ``{kind, channel, enabled, mandatory}`` per registered kind and
    channel it can be sent on (:func:`kind_channels`): a mandatory email-only
    kind has an email row and no in-app row."""
    own = {
        (kind, channel): enabled
        for kind, channel, enabled in Preference.objects.filter(user=user).values_list("kind", "channel", "enabled")
    }
    configured = list(channel_registry.registry)
    rows = []
    for kind in registry:
        for channel in kind_channels(kind, configured):
            default = default_enabled(kind, channel)
            enabled = default if kind.mandatory else own.get((kind.code, channel), default)
            rows.append({"kind": kind.code, "channel": channel, "enabled": enabled, "mandatory": kind.mandatory})
    return rows


def set_preferences(user: Any, changes: Iterable[dict[str, Any]]) -> None:
    """Apply ``[{kind, channel, enabled}]``; all or nothing.

    Raises :class:`PreferenceError` for an unknown kind or channel, a channel
    the kind is never sent on (:func:`kind_channels`), or a change to a
    mandatory kind (it is delivered on its default channels, always).
    """
    changes = list(changes)
    configured = list(channel_registry.registry)
    codes = [channel.code for channel in configured]
    kinds = {kind.code: kind for kind in registry}
    errors: dict[int, dict[str, Any]] = {}
    for index, row in enumerate(changes):
        problem: dict[str, Any] = {}
        kind = kinds.get(row["kind"])
        if kind is None:
            problem["kind"] = [_("Unknown notification kind.")]
        if row["channel"] not in codes:
            problem["channel"] = [_("Unknown notification channel.")]
        elif kind is not None and row["channel"] not in kind_channels(kind, configured):
            problem["channel"] = [_("This notification is never sent on this channel.")]
        if (
            not problem
            and kind is not None
            and kind.mandatory
            and row["enabled"] != default_enabled(kind, row["channel"])
        ):
            problem["enabled"] = [_("This notification is mandatory and cannot be changed.")]
        if problem:
            errors[index] = problem
    if errors:
        raise PreferenceError(errors)
    with transaction.atomic():
        for row in changes:
            if kinds[row["kind"]].mandatory:
                continue  # nothing to store: mandatory kinds ignore preferences
            Preference.objects.update_or_create(
                user=user, kind=row["kind"], channel=row["channel"], defaults={"enabled": row["enabled"]}
            )
