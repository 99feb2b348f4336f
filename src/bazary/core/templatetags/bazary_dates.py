"""``{% load bazary_dates %}``: times in a message, shown in its reader's zone and language.

Notification and email contexts are JSON, so a time travels as an ISO 8601
string; ``{{ when|local_datetime }}`` turns it back into a time and formats it
in the active time zone and language (the recipient's, see
:func:`bazary.core.email.render_email`), with Django's localised
``DATETIME_FORMAT`` (or the format given: ``{{ when|local_datetime:"DATE_FORMAT" }}``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format

register = template.Library()


@register.filter
def local_datetime(value: Any, format_name: str = "DATETIME_FORMAT") -> str:
    """An aware time or an ISO 8601 string → the time in the active zone, formatted; anything else unchanged."""
    when = value
    if isinstance(value, str):
        try:
            when = parse_datetime(value)
        except ValueError:
            when = None
        if when is None:
            return value
    if not isinstance(when, datetime.datetime):
        return value if isinstance(value, str) else ""
    if timezone.is_naive(when):
        when = timezone.make_aware(when, datetime.UTC)
    return date_format(timezone.localtime(when), format_name, use_l10n=True)
