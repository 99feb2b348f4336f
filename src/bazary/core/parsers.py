"""Request parsing that turns text no database can store into a 400.

JSON can carry a NUL character (``"\\u0000"``) or a lone UTF-16 surrogate
(``"\\ud800"``). PostgreSQL refuses the first in text and ``jsonb``, and the
second cannot even be encoded as UTF-8, so either would surface as a 500 deep
in a save or a query. bazary's parser refuses them at the door instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def has_unstorable_text(value: str) -> bool:
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _strings(data: Any) -> Iterable[str]:
    # Iterative walk: a deeply nested body must not hit the recursion limit.
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:  # DRF only turns ValueError into a 400
            raise ParseError(_("JSON parse error - nested too deeply.")) from exc
        if any(has_unstorable_text(text) for text in _strings(data)):
            raise ParseError(_("Text may not contain NUL characters or unpaired surrogates."))
        return data
