"""Order numbers: short enough to read out on the phone, random so that one
customer's number tells nothing about another's (no sequence to walk)."""

from __future__ import annotations

import secrets

#: Crockford's base 32 without the letters read as digits (I, L, O, U).
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_order_number() -> str:
    """``"7KQ2-M9XD"``: 40 random bits, about 10^12 possible numbers."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"
