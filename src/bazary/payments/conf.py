"""``BAZARY_PAYMENTS``: the payments' settings, read late (see :mod:`bazary.core.conf`).

``PROVIDERS`` maps a provider's code to its keys. A provider listed there is
offered at checkout and on ``orders/{number}/payments/``; one that is not
listed is simply absent.

- ``bazary_payments.E010`` an unknown provider code
- ``bazary_payments.E011`` a configured provider lacks a key (or it is not a non-empty string)
- ``bazary_payments.E012`` ``API_BASE`` is not an http(s) URL
- ``bazary_payments.E013`` a ``THROTTLE_RATES`` value is not a rate like ``"30/hour"``
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bazary.core.conf import AppSettings, Option, rates_are_valid

#: The keys each provider needs; ``API_BASE`` is optional everywhere.
REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "stripe": ("SECRET_KEY", "PUBLISHABLE_KEY", "WEBHOOK_SECRET"),
    "chapa": ("SECRET_KEY", "WEBHOOK_SECRET"),
}


def _providers_are_valid(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    providers = values.get("PROVIDERS")
    if not isinstance(providers, dict):
        return
    for code, keys in providers.items():
        if code not in REQUIRED_KEYS:
            yield "bazary_payments.E010", f"PROVIDERS[{code!r}]: unknown provider (one of {sorted(REQUIRED_KEYS)})."
            continue
        keys = keys if isinstance(keys, dict) else {}
        for key in REQUIRED_KEYS[code]:
            value = keys.get(key)
            if not (isinstance(value, str) and value.strip()):
                # The value itself is never echoed: it may be a secret.
                yield "bazary_payments.E011", f"PROVIDERS[{code!r}][{key!r}] is missing or empty."
        base = keys.get("API_BASE")
        if base is not None and not (isinstance(base, str) and base.startswith(("http://", "https://"))):
            yield (
                "bazary_payments.E012",
                f"PROVIDERS[{code!r}]['API_BASE'] must be an http(s) URL such as https://api.stripe.com.",
            )


payments_settings = AppSettings(
    "BAZARY_PAYMENTS",
    "bazary.payments",
    {
        "PROVIDERS": Option(
            {},
            (dict,),
            help="Provider code → its keys, e.g. {'stripe': {'SECRET_KEY': ..., 'PUBLISHABLE_KEY': ..., "
            "'WEBHOOK_SECRET': ...}}; read them from the environment.",
        ),
        "THROTTLE_RATES": Option(
            {"refund": "30/hour"},
            (dict,),
            help="Per-endpoint rates: 'refund' (POST orders/{number}/refunds/, per staff user); None: no limit.",
        ),
    },
    validators=[_providers_are_valid, rates_are_valid("THROTTLE_RATES", "bazary_payments.E013")],
)


def provider_keys(code: str) -> dict[str, Any] | None:
    """The configured keys of provider ``code``, or None when it is not configured."""
    keys = configured().get(code)
    return keys if isinstance(keys, dict) else None


def configured() -> dict[str, Any]:
    """``PROVIDERS``; a malformed value (reported by the checks) reads as none."""
    providers = payments_settings.PROVIDERS
    return providers if isinstance(providers, dict) else {}
