"""System checks of the registered kinds (the settings dict is checked by core)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Warning, register


@register("bazary")
def check_kinds(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from .channels import registry as channel_registry
    from .kinds import registry

    try:
        channels = {channel.code: channel for channel in channel_registry}
    except Exception:  # (a bad CHANNELS setting is reported by bazary_notifications.E004/E011)
        return []
    codes = set(channels)
    warnings: list[CheckMessage] = []
    for kind in registry:
        stored_only = [
            code for code in kind.default_channels if code in channels and not channels[code].uses_deliveries
        ]
        if kind.secret_context and stored_only:
            warnings.append(
                Warning(
                    f"Notification kind {kind.code!r} carries one-time secrets (secret_context) and is never "
                    f"sent on {', '.join(stored_only)}.",
                    hint="Channels that only store messages (in_app) would keep the secret in the database; "
                    "remove them from the kind's default_channels.",
                    id="bazary_notifications.W002",
                )
            )
        missing = [code for code in kind.default_channels if code not in codes]
        if missing and kind.mandatory:
            # A mandatory kind (security emails) that is never sent is not a
            # configuration anyone means.
            warnings.append(
                Error(
                    f"Mandatory notification kind {kind.code!r} uses channels that are not configured: "
                    f"{', '.join(missing)}.",
                    hint="Add them to BAZARY_NOTIFICATIONS['CHANNELS']: users cannot turn a mandatory kind off, "
                    "and without its channels it would silently never be sent.",
                    id="bazary_notifications.E018",
                )
            )
        elif missing:
            warnings.append(
                Warning(
                    f"Notification kind {kind.code!r} uses channels that are not configured: {', '.join(missing)}.",
                    hint="Add them to BAZARY_NOTIFICATIONS['CHANNELS'] or change the kind's default_channels; "
                    "until then the kind is not delivered on them.",
                    id="bazary_notifications.W001",
                )
            )
    return warnings
