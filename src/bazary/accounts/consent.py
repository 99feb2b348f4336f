"""Marketing consent: given with a time and a source, withdrawn in one call.

The newsletter-style notification kinds (``Kind(marketing=True)`` in
bazary.notifications) reach only users whose ``marketing_opt_in`` is true.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

FIELDS = ("marketing_opt_in", "marketing_consent_at", "marketing_consent_source")


def set_marketing_consent(user: Any, opt_in: bool, *, source: str) -> None:
    """Record the user's choice, when it was made and where (``source``)."""
    user.marketing_opt_in = opt_in
    user.marketing_consent_at = timezone.now()
    user.marketing_consent_source = source[:64]
    user.save(update_fields=list(FIELDS))
