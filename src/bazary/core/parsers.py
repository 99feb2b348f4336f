"""Request parsing that turns text no database can store into a 400.

JSON can carry a NUL character (``"\\u0000"``) or a lone UTF-16 surrogate
(``"\\ud800"``). PostgreSQL refuses the first in text and ``jsonb``, and the
second cannot even be encoded as UTF-8, so either would surface as a 500 deep
in a save or a query. JSON nested deeper than Python's recursion limit makes
DRF's parser raise ``RecursionError``, another 500. bazary's parsers refuse all
of these at the door instead.

Every bazary view gets its parsers through :func:`safe_parser_classes` (called
by ``BazaryAPIMixin.get_parsers``): DRF's own JSON, form and multipart parsers
named in a view's ``parser_classes`` are replaced by bazary's, and any other
parser must be a :class:`SafeParserMixin` subclass, so no view can bring an
unsafe parser back by accident.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.datastructures import MultiValueDict
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
        elif isinstance(item, MultiValueDict):  # form data: every value of every key
            for key, values in item.lists():
                stack.append(key)
                stack.extend(values)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class SafeParserMixin:
    """Mix into a DRF parser: what it parses is checked before a view sees it."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            result = super().parse(stream, media_type, parser_context)  # type: ignore[misc]
        except RecursionError as exc:  # DRF only turns ValueError into a 400
            raise ParseError(_("JSON parse error - nested too deeply.")) from exc
        if isinstance(result, parsers.DataAndFiles):
            texts: Iterable[str] = [
                *_strings(result.data),
                *(str(getattr(upload, "name", "") or "") for upload in result.files.values()),
            ]
        else:
            texts = _strings(result)
        if any(has_unstorable_text(text) for text in texts):
            raise ParseError(_("Text may not contain NUL characters or unpaired surrogates."))
        return result


class JSONParser(SafeParserMixin, parsers.JSONParser):
    pass


class FormParser(SafeParserMixin, parsers.FormParser):
    pass


class MultiPartParser(SafeParserMixin, parsers.MultiPartParser):
    pass


#: DRF's parsers and the bazary parser that stands in for each.
REPLACEMENTS: dict[type[parsers.BaseParser], type[parsers.BaseParser]] = {
    parsers.JSONParser: JSONParser,
    parsers.FormParser: FormParser,
    parsers.MultiPartParser: MultiPartParser,
}


def safe_parser_classes(classes: Sequence[type[parsers.BaseParser]]) -> list[type[parsers.BaseParser]]:
    """``classes`` with DRF's parsers swapped for bazary's; anything else unsafe is refused."""
    safe: list[type[parsers.BaseParser]] = []
    for cls in classes:
        cls = REPLACEMENTS.get(cls, cls)
        if not issubclass(cls, SafeParserMixin):
            raise ImproperlyConfigured(
                f"{cls.__module__}.{cls.__qualname__} is not a bazary parser: bazary views accept only "
                "parsers that mix in bazary.core.parsers.SafeParserMixin."
            )
        safe.append(cls)
    return safe
