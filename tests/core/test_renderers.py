"""bazary's orjson-backed JSON renderer writes exactly what DRF's renderer
(ASCII escapes, compact, strict) writes, whatever the value."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy as _
from rest_framework import renderers

from bazary.core.renderers import JSONRenderer, PrerenderedResponse


class DRFRenderer(renderers.JSONRenderer):
    ensure_ascii = True


UTC = datetime.UTC
VALUES = [
    {"name": "Äpfel 🍐 ✓", "tab": "a\tb\nc\x00\x1f\x7f", "sep": "\u2028\u2029", "quote": '"\\/<>&'},
    {"price": Decimal("12.50"), "n": Decimal("-0.00"), "big": 2**63 - 1, "neg": -(2**63)},
    {"at": datetime.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), "naive": datetime.datetime(2024, 1, 2)},
    {"day": datetime.date(2024, 2, 29), "time": datetime.time(23, 59, 1, 5), "span": datetime.timedelta(days=1)},
    {"id": uuid.UUID("12345678-1234-5678-1234-567812345678"), "lazy": _("Not found."), "tuple": (1, "2")},
    {"floats": [0.5, 100.0, 1e15, 1e16, 1e-4, 1e-05, 2.5e-7, 123456789.123, -0.0, 1.7976931348623157e308]},
    {"huge": 2**64, "keys": {1: "one", None: "none", 2.5: "float"}},  # orjson refuses both: DRF's path
    {"surrogate": "\ud800 lone"},  # orjson refuses it: DRF's path
    ["nested", [[[{"a": [None, True, False]}]]], {}, []],
    {"text": "item1e5 and 0.00001 inside strings"},  # looks like a float: DRF's path, same bytes
    "a string",
    42,
]


@pytest.mark.parametrize("value", VALUES)
def test_the_body_is_drfs_byte_for_byte(value):
    assert JSONRenderer().render(value) == DRFRenderer().render(value)


@pytest.mark.parametrize("media_type", ["application/json; indent=4", "application/json; indent=0"])
def test_pretty_printing_is_drfs(media_type):
    value = {"b": [1, 2], "a": "é"}
    assert JSONRenderer().render(value, media_type) == DRFRenderer().render(value, media_type)


def test_non_finite_floats_are_refused_as_drf_refuses_them():
    for value in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="JSON compliant"):
            DRFRenderer().render({"x": value})
    # The one difference, documented: orjson writes null for them.
    assert JSONRenderer().render({"x": float("nan")}) == b'{"x":null}'


def test_a_prerendered_response_is_not_encoded_again():
    data = {"a": 1}
    response = PrerenderedResponse(data, json_body=b'{"a":1}')
    # The renderer returns the very bytes given (were it encoding again, the
    # sentinel below would not come back).
    response.prerendered_json = (JSONRenderer, b"sentinel")
    assert JSONRenderer().render(data, "application/json", {"response": response}) == b"sentinel"
    # Other data, a pretty-printed request or another renderer class encode it.
    assert JSONRenderer().render({"a": 2}, "application/json", {"response": response}) == b'{"a":2}'
    assert JSONRenderer().render(data, "application/json; indent=2", {"response": response}) != b"sentinel"

    class Other(JSONRenderer):
        pass

    assert Other().render(data, "application/json", {"response": response}) == b'{"a":1}'
