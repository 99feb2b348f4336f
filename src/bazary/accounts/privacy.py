"""What deleting an account erases beyond the account's own rows (connected to ``user_deleted``).

The account's activity events are anonymised by :func:`bazary.accounts.activity.forget_user`.
Failed sign-ins at an address with no account then (before it registered, or
someone trying it) are not linked to the account but carry the address in
their data; they are anonymised here too, so the log keeps no trace of the
person's address once the account is gone.
"""

from __future__ import annotations

from typing import Any

from .models import AccountEvent


def forget_unlinked_events(sender: Any, user: Any, email: str = "", **kwargs: Any) -> int:
    """Anonymise the events without an account that name ``email`` (the former address)."""
    if not email:
        return 0
    return AccountEvent.objects.filter(user__isnull=True, data__email__iexact=email).update(
        ip=None, user_agent="", data={}
    )
