"""One-time secrets (reset and verification links, tokens) kept out of stored messages.

A kind lists the context keys that hold such secrets in ``Kind.secret_context``
(bazary's account mails: ``url`` and ``token``). For those keys ``notify()``
renders the templates with a placeholder instead of the value, so the stored
``Delivery.subject``/``body``/``html`` hold placeholders and ``Delivery.data``
holds the context without the secrets. The values themselves are sealed into
``Delivery.sealed`` with a key derived from ``SECRET_KEY`` (:mod:`bazary.core.sealing`); staff who
can view deliveries, and anyone holding a copy of the database, see
placeholders and ciphertext.

The delivery worker unseals the values in memory (:func:`reveal`), puts them
in place of the placeholders and sends; the row it writes back never holds
them. A failed attempt keeps the sealed values, so a retry, the admin's resend
action or ``bazary_retry_deliveries`` sends the same working link; a sent
delivery keeps neither placeholder values nor the sealed copy. The worker
needs the ``SECRET_KEY`` of the process that called ``notify()`` (or has it in
``SECRET_KEY_FALLBACKS``); a row sealed with a key it does not have fails on
record with :class:`Unreadable`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.html import escape

from bazary.core import sealing

if TYPE_CHECKING:
    from .models import Delivery

#: Salt of the sealing key derived from ``SECRET_KEY``; changing it makes every sealed row unreadable.
KEY_SALT = "bazary.notifications.withheld"
PURPOSE = "delivery secrets"


class Unreadable(Exception):
    """Sealed values this process cannot open (sealed with another ``SECRET_KEY``)."""


@dataclass(frozen=True)
class Withheld:
    """The secret values of one message and the placeholders that stand for them, by context key."""

    values: dict[str, str]
    placeholders: dict[str, str]

    def seal(self) -> str:
        payload = json.dumps({"values": self.values, "placeholders": self.placeholders})
        return sealing.seal(payload, salt=KEY_SALT, purpose=PURPOSE)


def split(context: dict[str, Any], keys: Iterable[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """``context`` without the secret ``keys``, and the secret values (as text) it had."""
    secret_keys = [key for key in keys if key in context]
    public = {key: value for key, value in context.items() if key not in secret_keys}
    return public, {key: str(context[key]) for key in secret_keys}


def withhold(values: dict[str, str]) -> Withheld:
    """Fresh placeholders for ``values`` (one message's). A placeholder is
    plain ASCII that no escaping changes and nobody can predict."""
    nonce = secrets.token_hex(8)
    return Withheld(values=dict(values), placeholders={key: f"[withheld:{key}:{nonce}]" for key in values})


def unseal(sealed: str) -> Withheld:
    try:
        payload = json.loads(sealing.unseal(sealed, salt=KEY_SALT, purpose=PURPOSE))
    except (sealing.Unreadable, ValueError) as exc:
        raise Unreadable(
            "The delivery's one-time values were sealed with a SECRET_KEY this process does not have "
            "(add the old key to SECRET_KEY_FALLBACKS)."
        ) from exc
    return Withheld(values=payload["values"], placeholders=payload["placeholders"])


def reveal(delivery: Delivery) -> None:
    """Put the delivery's sealed values back in its subject, bodies and data, in
    memory only, for the channel to send. Never save a revealed delivery."""
    if not delivery.sealed:
        return
    withheld = unseal(delivery.sealed)
    for key, placeholder in withheld.placeholders.items():
        value = withheld.values[key]
        delivery.subject = delivery.subject.replace(placeholder, value)
        delivery.body = delivery.body.replace(placeholder, value)
        # The HTML template would have escaped the value, as it does any variable.
        delivery.html = delivery.html.replace(placeholder, escape(value))
    delivery.data = {**delivery.data, **withheld.values}
