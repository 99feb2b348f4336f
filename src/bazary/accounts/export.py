"""What bazary.accounts contributes to the personal-data export (``GET auth/me/export/``).

The export itself is :mod:`bazary.core.exports`: each installed app adds its
sections from ``AppConfig.ready()``; these are accounts' own.
"""

from __future__ import annotations

from typing import Any

from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from bazary.core.exports import registry
from bazary.core.serialization import json_value, row

from .models import AccountEvent, Address

#: Never exported: a hash is not the user's data, and it would only help an attacker.
PROFILE_EXCLUDE = ("password",)


def profile_of(user: Any) -> dict[str, Any]:
    """Every field of the user's row (whatever the user model), without the password hash,
    and the names of their groups."""
    data = row(user, exclude=PROFILE_EXCLUDE)
    groups = getattr(user, "groups", None)
    if groups is not None:
        data["groups"] = list(groups.order_by("name").values_list("name", flat=True))
    return data


def addresses_of(user: Any) -> list[dict[str, Any]]:
    return [row(address, exclude=("user",)) for address in Address.objects.filter(user=user).order_by("pk")]


def sessions_of(user: Any) -> list[dict[str, Any]]:
    """Every refresh token issued to the user (live, expired or revoked) and where it was used."""
    tokens = (
        OutstandingToken.objects.filter(user=user)
        .select_related("bazary_session__login", "blacklistedtoken")
        .order_by("created_at", "pk")
    )
    sessions = []
    for token in tokens:
        session = getattr(token, "bazary_session", None)
        login = session.login if session is not None else None
        blacklisted = getattr(token, "blacklistedtoken", None)
        sessions.append(
            {
                "id": token.pk,
                "created": json_value(token.created_at),
                "expires": json_value(token.expires_at),
                "revoked_at": json_value(blacklisted.blacklisted_at) if blacklisted is not None else None,
                "user_agent": session.user_agent if session is not None else "",
                "ip_address": session.ip_address if session is not None else None,
                "login": str(login.pk) if login is not None else None,
                "login_revoked_reason": login.revoked_reason if login is not None else "",
            }
        )
    return sessions


def activity_of(user: Any) -> list[dict[str, Any]]:
    """The account's activity log (``auth/activity/``), oldest first. A staff member who acted
    is given as ``by_staff`` only: who they are is their data, not the user's."""
    events = AccountEvent.objects.filter(user=user).order_by("created_at", "pk")
    return [
        {
            "kind": event.kind,
            "created_at": json_value(event.created_at),
            "ip": event.ip,
            "user_agent": event.user_agent,
            "data": json_value(event.data),
            "by_staff": event.actor_id is not None and event.actor_id != user.pk,
        }
        for event in events
    ]


def register_sections() -> None:
    """Called from ``AppConfig.ready()``."""
    registry.register("profile", profile_of)
    registry.register("addresses", addresses_of)
    registry.register("sessions", sessions_of)
    registry.register("activity", activity_of)
    from .mfa.export import mfa_of

    registry.register("mfa", mfa_of)  # second factors, never a secret
