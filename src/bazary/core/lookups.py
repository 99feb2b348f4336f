"""Ids taken from URLs, which accept anything but ``/`` so that a bad one is a
JSON 404 from the API rather than Django's HTML one."""

from __future__ import annotations

import re
from typing import Any

from django.http import Http404

#: The largest id a (big) integer primary key holds.
MAX_ID = 2**63 - 1


def parse_id(value: Any) -> int:
    """An integer id from the URL, or a 404 (letters, signs, non-ASCII digits,
    or more than the database integer holds)."""
    text = str(value)
    if not re.fullmatch(r"[0-9]{1,19}", text) or int(text) > MAX_ID:
        raise Http404
    return int(text)
