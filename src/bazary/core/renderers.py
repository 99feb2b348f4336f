"""bazary's JSON renderer: DRF's output, byte for byte, encoded by orjson.

DRF's :class:`~rest_framework.renderers.JSONRenderer` (as bazary configures
it: compact separators, ASCII escapes, ``NaN`` refused) encodes with the
standard library, calling back into Python for every value the C encoder does
not know. This renderer asks orjson first and turns its output into exactly
what DRF would have written:

- non-ASCII characters and DEL become ``\\uXXXX`` escapes (surrogate pairs
  past the BMP), as ``json.dumps(ensure_ascii=True)`` writes them;
- datetimes, dates, times, ``Decimal``, lazy translations and anything else
  orjson does not encode natively go through DRF's encoder
  (``JSONEncoder.default``), so their text is DRF's;
- whatever orjson refuses or would write differently takes DRF's path for the
  whole body: a lone surrogate, an integer past 64 bits, a non-string key, a
  float Python writes with an exponent (``1e+16`` and ``1e-05`` in Python,
  ``1e16`` and ``0.00001`` in orjson), or a pretty-printed (``; indent=``)
  request.

One difference is left: a float ``NaN`` or infinity, which DRF's strict
renderer refuses with an error (a 500), is written ``null``. No stored
value can hold one (the JSON parser refuses them).
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from rest_framework import renderers
from rest_framework.response import Response
from rest_framework.utils import encoders

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME
# What json.dumps(ensure_ascii=True) escapes and orjson writes as is.
_TO_ESCAPE = re.compile(r"[^\x00-\x7e]")
# Floats whose text differs: orjson's exponent form ("1e16", "2.5e-7") and the
# plain form it keeps below 1e-4 ("0.00001") where Python switches to an
# exponent. Either can also match inside a string ("item1e5"): then DRF
# renders the body again, which costs time only.
_FLOAT_TEXT = re.compile(rb"[0-9][eE][-+0-9]|0\.0000")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


class _Fallback(Exception):
    """A value whose text only DRF's renderer writes the same."""


_drf_default = encoders.JSONEncoder().default


def _default(value: Any) -> Any:
    if isinstance(value, float):  # a float subclass: orjson passes it here
        raise _Fallback
    return _drf_default(value)


class JSONRenderer(renderers.JSONRenderer):
    # ASCII escapes keep any echoed input (an "invalid choice" message repeats
    # it) encodable, whatever it holds.
    ensure_ascii = True

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        context = renderer_context or {}
        if self.get_indent(accepted_media_type or "", context) is not None or not (
            self.ensure_ascii and self.compact and self.strict
        ):
            return super().render(data, accepted_media_type, renderer_context)
        prerendered = getattr(context.get("response"), "prerendered_json", None)
        if prerendered is not None and type(self) is prerendered[0] and context["response"].data is data:
            return prerendered[1]
        try:
            body = orjson.dumps(data, default=_default, option=_OPTIONS)
        except (orjson.JSONEncodeError, _Fallback):
            return super().render(data, accepted_media_type, renderer_context)
        if _FLOAT_TEXT.search(body):
            return super().render(data, accepted_media_type, renderer_context)
        if not body.isascii() or b"\x7f" in body:
            body = _TO_ESCAPE.sub(_escape, body.decode()).encode()
        return body


class PrerenderedResponse(Response):
    """A ``Response`` whose JSON was already rendered (to hash it for an ETag):
    :class:`JSONRenderer` sends those bytes instead of encoding the data again.
    Any other renderer (the browsable API, a pretty-printed request, a
    project's renderer) renders ``data`` as usual."""

    def __init__(self, data: Any = None, *args: Any, json_body: bytes, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        self.prerendered_json = (JSONRenderer, json_body)
