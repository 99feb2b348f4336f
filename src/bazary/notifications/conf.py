"""``BAZARY_NOTIFICATIONS``: declared once, read late, validated by system checks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.module_loading import import_string

from bazary.core.conf import AppSettings, Option, page_sizes_are_valid, task_backend_is_valid

DEFAULT_CHANNELS = [
    "bazary.notifications.channels.InAppChannel",
    "bazary.notifications.channels.EmailChannel",
]


def _kinds_are_valid(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    from .kinds import kind_from_setting

    for index, entry in enumerate(values.get("KINDS") or ()):
        try:
            kind_from_setting(entry)
        except (TypeError, ValueError, ImportError) as exc:
            yield "bazary_notifications.E010", f"KINDS[{index}] is not a valid kind: {exc}"


def _channels_are_valid(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    from .channels import Channel, missing_hooks

    codes: list[str] = []
    for path in values.get("CHANNELS") or ():
        try:
            cls = import_string(path) if isinstance(path, str) else path
        except ImportError:
            continue  # reported as E004 by the core check
        if not (isinstance(cls, type) and issubclass(cls, Channel)) or not cls.code:
            yield "bazary_notifications.E011", f"CHANNELS: {path!r} is not a Channel subclass with a code."
            continue
        problem = missing_hooks(cls)
        if problem:
            yield "bazary_notifications.E019", problem
        codes.append(cls.code)
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        yield "bazary_notifications.E012", f"CHANNELS has more than one channel with code {', '.join(duplicates)}."


def _numbers_are_valid(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    if isinstance(values.get("MAX_ATTEMPTS"), int) and values["MAX_ATTEMPTS"] < 1:
        yield "bazary_notifications.E013", "MAX_ATTEMPTS must be at least 1."
    backoff = values.get("RETRY_BACKOFF_SECONDS")
    if isinstance(backoff, int | float) and backoff < 0:
        yield "bazary_notifications.E014", "RETRY_BACKOFF_SECONDS cannot be negative."
    stuck = values.get("STUCK_AFTER_SECONDS")
    if isinstance(stuck, int) and stuck < 1:
        yield "bazary_notifications.E016", "STUCK_AFTER_SECONDS must be at least 1."


notifications_settings = AppSettings(
    "BAZARY_NOTIFICATIONS",
    "bazary.notifications",
    {
        "CHANNELS": Option(
            DEFAULT_CHANNELS,
            (list, tuple),
            import_string=True,
            base="bazary.notifications.channels.Channel",
            help="Import strings of the Channel classes; each has a unique code.",
        ),
        "NOTIFICATION_SERIALIZER": Option(
            "bazary.notifications.serializers.NotificationSerializer",
            (str,),
            import_string=True,
            base="rest_framework.serializers.BaseSerializer",
            help="Serializer of the notifications in the API.",
        ),
        "KINDS": Option(
            [],
            (list, tuple),
            help="Extra kinds: dicts of Kind fields or import strings of Kind objects.",
        ),
        "FROM_EMAIL": Option(
            None, (str, type(None)), help="Sender of notification emails; None is DEFAULT_FROM_EMAIL."
        ),
        "TASK_BACKEND": Option("default", (str,), help="Alias in TASKS of the backend that sends deliveries."),
        "TASK_QUEUE": Option("default", (str,), help="Queue name of the delivery tasks."),
        "MAX_ATTEMPTS": Option(5, (int,), help="Attempts per delivery before it is marked failed."),
        "RETRY_BACKOFF_SECONDS": Option(
            30, (int, float), help="First retry delay; each further retry waits twice as long."
        ),
        "STUCK_AFTER_SECONDS": Option(
            900, (int,), help="bazary_retry_deliveries re-queues deliveries queued for longer than this."
        ),
        "PAGE_SIZE": Option(20, (int,)),
        "MAX_PAGE_SIZE": Option(100, (int,)),
    },
    validators=[
        _kinds_are_valid,
        _channels_are_valid,
        _numbers_are_valid,
        task_backend_is_valid("bazary_notifications.E015"),
        page_sizes_are_valid("bazary_notifications.E017"),
    ],
)
