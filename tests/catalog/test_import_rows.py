"""The compiled row validation of imports (bazary.catalog.importrows) gives
what ImportRowSerializer gives: the same converted row, or the same errors."""

from __future__ import annotations

import itertools
import json

import pytest
from rest_framework import serializers

from bazary.catalog.importrows import RowValidator
from bazary.catalog.transfer import ImportRowSerializer

pytestmark = pytest.mark.django_db  # the category rule reads nothing, but settings may

VALID = {
    "sku": "SKU-1",
    "name": "Walnut desk",
    "price": "12.50",
    "category": "Furniture/Desks",
}

#: Values tried in every column: ordinary ones and every edge the direct
#: conversions decide on (blank, whitespace, lengths, digits, signs, types).
SAMPLES = [
    "",
    " ",
    "abc",
    "  padded  ",
    "x" * 60,
    "x" * 61,
    "x" * 64,
    "x" * 65,
    "x" * 300,
    "x" * 301,
    "a\x00b",
    "caf\u00e9",
    "bad \ud800 surrogate",
    "my-slug_1",
    "not a slug",
    "USD",
    "usd",
    "USDX",
    "0",
    "00",
    "-0",
    "1",
    " 7 ",
    "-3",
    "+4",
    "2147483647",
    "2147483648",
    "5.0",
    "1_000",
    "12.5",
    "12.50",
    "12.505",
    "0.001",
    "-0.01",
    "9999999999.99",
    "99999999999.9",
    "10000000000",
    "1e3",
    "1E-2",
    "NaN",
    "inf",
    "-Infinity",
    "1" * 41,
    "true",
    "false",
    "True",
    "yes",
    "no",
    "on",
    "off",
    "t",
    "2",
    0,
    1,
    2,
    -1,
    2**40,
    12.5,
    True,
    False,
    None,
    [],
    ["a", "b"],
    ["a", ""],
    ["x" * 61],
    ["ok"] * 50,
    ["ok"] * 51,
    [None],
    [1, 2],
    {"a": 1},
    "Electronics/Phones",
    "Electronics//Phones",
    " Electronics / Phones ",
    "/",
    "admin",  # a reserved slug
]

COLUMNS = [
    name
    for name in ImportRowSerializer().fields
    if name not in ("variants", "attributes")  # DRF's own validation in both
]


def outcome(validate, row):
    try:
        return ("ok", validate(row))
    except serializers.ValidationError as exc:
        return ("error", json.loads(json.dumps(exc.detail)), codes(exc.detail))


def codes(detail):
    if isinstance(detail, dict):
        return {key: codes(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [codes(item) for item in detail]
    return getattr(detail, "code", None)


@pytest.fixture(scope="module")
def both():
    validator = RowValidator(ImportRowSerializer)
    serializer = ImportRowSerializer()
    return validator.validate, serializer.run_validation


@pytest.mark.parametrize("column", COLUMNS)
def test_every_sample_value_gives_what_the_serializer_gives(both, column):
    fast, slow = both
    for value in SAMPLES:
        row = {**VALID, column: value}
        assert outcome(fast, row) == outcome(slow, row), (column, value)


def test_missing_columns_and_cross_field_rules(both):
    fast, slow = both
    rows = [{}, {"sku": "A"}, {**VALID, "compare_at_price": "1.00"}, {**VALID, "compare_at_price": "20"}]
    for drop in itertools.combinations(VALID, 2):
        rows.append({key: value for key, value in VALID.items() if key not in drop})
    rows.append({**VALID, "options": ["Size"], "variants": [{"options": {"Size": "S"}}, {"options": {"Size": "s"}}]})
    rows.append({**VALID, "options": ["Size"], "variants": [{"options": {"Colour": "S"}}]})
    rows.append({**VALID, "options": ["Size"], "variants": [{"options": {"Size": "S"}, "price": "x"}]})
    rows.append({**VALID, "options": ["Size"], "stock": "3", "variants": [{"options": {"Size": "S"}}]})
    rows.append({**VALID, "attributes": {"colour": "red"}})
    rows.append({**VALID, "attributes": "not json"})
    rows.append({**VALID, "unknown": "ignored"})
    for row in rows:
        assert outcome(fast, row) == outcome(slow, row), row


def test_converted_values_have_the_serializers_types(both):
    fast, _ = both
    row = fast({**VALID, "stock": "7", "is_active": "false", "tags": ["a", " b "], "compare_at_price": None})
    assert row["price"].as_tuple().exponent == -2
    assert (row["stock"], row["is_active"], row["tags"], row["compare_at_price"]) == (7, False, ["a", "b"], None)
    assert row["category"] == ["Furniture", "Desks"]
