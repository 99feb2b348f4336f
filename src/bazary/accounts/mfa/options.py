"""The ``BAZARY_ACCOUNTS`` keys of two-factor sign-in, and their check (merged into ``conf``).

Imports nothing of bazary.accounts, so ``conf`` can import it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from bazary.core.conf import Option

OPTIONS = {
    "MFA_REQUIRED_FOR_STAFF": Option(
        False,
        (bool,),
        help="Staff accounts without a second factor get tokens that reach only the MFA setup endpoints.",
    ),
    "MFA_TOKEN_MAX_AGE": Option(300, (int,), help="Seconds the mfa_token of a password login stays valid."),
    "MFA_TOTP_ISSUER": Option("bazary", (str,), help="The issuer an authenticator app shows next to the account."),
    "PASSKEY_RP_ID": Option(
        "localhost", (str,), help="The WebAuthn relying party id: your site's domain, without scheme or port."
    ),
    "PASSKEY_RP_NAME": Option("bazary", (str,), help="The relying party name browsers show when creating a passkey."),
    "PASSKEY_ORIGINS": Option(
        ["http://localhost:8000"],
        (list, tuple),
        help="The origins (scheme://host[:port]) of the pages allowed to use passkeys.",
    ),
    "PASSKEY_CHALLENGE_MAX_AGE": Option(
        300, (int,), help="Seconds a passkey challenge (registration or login options) stays valid."
    ),
}


def _is_domain(value: str) -> bool:
    if not value or value != value.strip().lower() or any(c in value for c in "/:@ ") or value.endswith("."):
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return all(label and len(label) <= 63 for label in value.split("."))
    return False  # browsers refuse an IP address as relying party id


def passkey_settings_are_valid(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    """``bazary_accounts.E030``: the relying party id and the origins must fit together (WebAuthn rules)."""
    rp_id = values.get("PASSKEY_RP_ID")
    origins = values.get("PASSKEY_ORIGINS")
    if isinstance(rp_id, str) and not _is_domain(rp_id):
        yield (
            "bazary_accounts.E030",
            f"PASSKEY_RP_ID must be a lowercase domain name without scheme, port or path (not an IP address): "
            f"{rp_id!r}.",
        )
        return
    if not isinstance(origins, (list, tuple)) or not isinstance(rp_id, str):
        return
    if not origins:
        yield "bazary_accounts.E030", "PASSKEY_ORIGINS must name at least one origin."
    for origin in origins:
        parts = urlsplit(origin) if isinstance(origin, str) else None
        host = parts.hostname if parts else None
        if (
            parts is None
            or parts.scheme not in ("https", "http")
            or not host
            or parts.path not in ("", "/")
            or parts.query
            or parts.fragment
        ):
            yield (
                "bazary_accounts.E030",
                f"PASSKEY_ORIGINS has {origin!r}, which is not an origin like https://shop.example.",
            )
            continue
        if host != rp_id and not host.endswith("." + rp_id):
            yield (
                "bazary_accounts.E030",
                f"PASSKEY_ORIGINS has {origin!r}, whose host is neither PASSKEY_RP_ID ({rp_id!r}) "
                "nor a subdomain of it.",
            )
        elif parts.scheme == "http" and host != "localhost" and not host.endswith(".localhost"):
            yield (
                "bazary_accounts.E030",
                f"PASSKEY_ORIGINS has {origin!r}: browsers allow passkeys over http only on localhost.",
            )
