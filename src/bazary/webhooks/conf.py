"""``BAZARY_WEBHOOKS``: declared once, read late, validated by system checks."""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from typing import Any

from bazary.core.conf import AppSettings, Option, page_sizes_are_valid, task_backend_is_valid


def _numbers_are_valid(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    timeout = values.get("TIMEOUT")
    if isinstance(timeout, int | float) and not 0 < timeout <= 60:
        yield "bazary_webhooks.E010", "TIMEOUT must be more than 0 and at most 60 seconds."
    if isinstance(values.get("MAX_ATTEMPTS"), int) and not 1 <= values["MAX_ATTEMPTS"] <= 50:
        yield "bazary_webhooks.E011", "MAX_ATTEMPTS must be between 1 and 50."
    delays = values.get("RETRY_DELAYS")
    if isinstance(delays, list | tuple) and not all(
        isinstance(d, int | float) and not isinstance(d, bool) and d >= 0 for d in delays
    ):
        yield "bazary_webhooks.E012", "RETRY_DELAYS must be a list of seconds (numbers, 0 or more)."
    if isinstance(values.get("DISABLE_AFTER"), int) and values["DISABLE_AFTER"] < 0:
        yield "bazary_webhooks.E013", "DISABLE_AFTER cannot be negative (0 never disables an endpoint)."
    bundle = values.get("CA_BUNDLE")
    if isinstance(bundle, str):
        from .transport import load_ca_bundle

        try:
            load_ca_bundle(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), bundle)  # no system store: only the bundle is read
        except (OSError, ValueError) as exc:
            yield "bazary_webhooks.E017", f"CA_BUNDLE {bundle!r} cannot be read as PEM CA certificates: {exc}"
    grace = values.get("SECRET_GRACE_PERIOD")
    if isinstance(grace, int) and grace < 0:
        yield "bazary_webhooks.E014", "SECRET_GRACE_PERIOD cannot be negative."


webhooks_settings = AppSettings(
    "BAZARY_WEBHOOKS",
    "bazary.webhooks",
    {
        "TIMEOUT": Option(10, (int, float), help="Seconds to connect and to wait for each read of an answer."),
        "MAX_ATTEMPTS": Option(6, (int,), help="Attempts per delivery before it is marked failed."),
        "RETRY_DELAYS": Option(
            [10, 60, 300, 1800, 7200],
            (list, tuple),
            help="Seconds to wait after the 1st, 2nd... failed attempt; past the end each wait doubles.",
        ),
        "DISABLE_AFTER": Option(
            5, (int,), help="Consecutive events failed for good after which an endpoint is disabled (0: never)."
        ),
        "ALLOW_PRIVATE_NETWORKS": Option(
            False, (bool,), help="Deliver to loopback/private/link-local addresses and plain http:// URLs."
        ),
        "CA_BUNDLE": Option(
            None,
            (str, type(None)),
            help="A PEM file (or a directory of them) of CA certificates trusted for https deliveries, "
            "besides the system's: for receivers with a private CA.",
        ),
        "INCLUDE_PII": Option(False, (bool,), help="Customer events carry email and names, not only the id."),
        "SECRET_GRACE_PERIOD": Option(
            86400, (int,), help="Seconds the previous secret still signs deliveries after a rotation."
        ),
        "TASK_BACKEND": Option("default", (str,), help="Alias in TASKS of the backend that sends deliveries."),
        "TASK_QUEUE": Option("default", (str,), help="Queue name of the delivery tasks."),
        "PAGE_SIZE": Option(20, (int,)),
        "MAX_PAGE_SIZE": Option(100, (int,)),
    },
    validators=[
        _numbers_are_valid,
        task_backend_is_valid("bazary_webhooks.E015"),
        page_sizes_are_valid("bazary_webhooks.E016"),
    ],
)
