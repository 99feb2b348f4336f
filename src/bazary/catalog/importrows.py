"""Validation of import rows, compiled once per import instead of running a
DRF serializer per row.

:class:`~bazary.catalog.transfer.ImportRowSerializer` stays the definition of
a row (its fields, limits, messages and cross-field rules). :class:`RowValidator`
reads it once and compiles one check per column: a direct conversion for the
values a file nearly always holds (an ASCII string within its length, a plain
decimal within its digits, a digit string, ``true``/``false``) and, for any
value that conversion does not accept as it stands, the serializer field's own
``run_validation``, which either converts it the way DRF does or raises DRF's
message. The direct conversions accept only values DRF accepts and give the
value DRF gives (``tests/catalog/test_import_rows.py`` compares both over
many inputs), so a row is valid, converted and reported exactly as the
serializer would, at a fraction of its cost: no field copies, no ordered
dicts, no validator chain for a value already known to be fine.

The serializer's ``validate_<field>`` methods and its ``validate()`` run as
they are, on the converted row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.fields import empty, get_error_detail

#: A compiled check: the raw value to the converted one (or a ValidationError).
Check = Callable[[Any], Any]


class _Slow(Exception):
    """The direct conversion does not vouch for this value: ask DRF."""


def _is_plain_text(value: str) -> bool:
    """No NUL and no lone surrogate (DRF's CharField refuses both)."""
    if "\x00" in value:
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _char(field: serializers.CharField) -> Callable[[Any], Any]:
    max_length, min_length = field.max_length, field.min_length
    allow_blank, trim = field.allow_blank, field.trim_whitespace
    pattern = None
    if isinstance(field, serializers.SlugField | serializers.RegexField):
        # Their one RegexValidator, as DRF applies it (re.search).
        regexes = [
            cast(Any, v).regex for v in field.validators if hasattr(v, "regex") and not cast(Any, v).inverse_match
        ]
        if len(regexes) != 1:
            return _never
        pattern = regexes[0]
    extra_validators = [
        v
        for v in field.validators
        if type(v).__name__
        not in (
            "MaxLengthValidator",
            "MinLengthValidator",
            "ProhibitNullCharactersValidator",
            "ProhibitSurrogateCharactersValidator",
            "RegexValidator",
        )
    ]
    if extra_validators:
        return _never

    def check(value: Any) -> Any:
        if type(value) is not str:
            raise _Slow
        text = value.strip() if trim else value
        if not text:
            if not allow_blank:
                raise _Slow
            return ""
        if max_length is not None and len(text) > max_length:
            raise _Slow
        if min_length is not None and len(text) < min_length:
            raise _Slow
        if not _is_plain_text(text):
            raise _Slow
        if pattern is not None and not pattern.search(text):
            raise _Slow
        return text

    return check


def _decimal(field: serializers.DecimalField) -> Callable[[Any], Any]:
    places, max_digits = field.decimal_places, field.max_digits
    if places is None or max_digits is None or field.localize or _extra(field.validators):
        return _never
    min_value, max_value = field.min_value, field.max_value
    quantum = Decimal(1).scaleb(-places)
    max_whole = max_digits - places

    def check(value: Any) -> Any:
        if type(value) is str:
            text = value.strip()
            if not text or len(text) > 40:
                raise _Slow
        elif type(value) is int:
            text = str(value)
        else:
            raise _Slow
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _Slow from None
        if not number.is_finite():
            raise _Slow
        _sign, digits, exponent = number.as_tuple()
        exponent = int(exponent)
        if exponent > 0 or -exponent > places:
            raise _Slow
        whole = len(digits) + exponent
        if whole > max_whole:
            raise _Slow
        number = number.quantize(quantum)
        if (min_value is not None and number < min_value) or (max_value is not None and number > max_value):
            raise _Slow
        return number

    return check


_DIGITS = re.compile(r"[0-9]{1,18}")


def _integer(field: serializers.IntegerField) -> Callable[[Any], Any]:
    if _extra(field.validators):
        return _never
    min_value, max_value = field.min_value, field.max_value

    def check(value: Any) -> Any:
        if type(value) is int:
            number = value
        elif type(value) is str and _DIGITS.fullmatch(value.strip()):
            number = int(value)
        else:
            raise _Slow
        if (min_value is not None and number < min_value) or (max_value is not None and number > max_value):
            raise _Slow
        return number

    return check


def _boolean(field: serializers.BooleanField) -> Callable[[Any], Any]:
    if field.validators:
        return _never
    true_values, false_values = field.TRUE_VALUES, field.FALSE_VALUES

    def check(value: Any) -> Any:
        if type(value) is bool:
            return value
        if type(value) is str:
            if value in true_values:
                return True
            if value in false_values:
                return False
        raise _Slow

    return check


def _list_of_text(field: serializers.ListField) -> Callable[[Any], Any]:
    if not isinstance(field.child, serializers.CharField) or _extra(field.validators):
        return _never
    child = _compile(field.child)
    max_length, min_length, allow_empty = field.max_length, field.min_length, field.allow_empty

    def check(value: Any) -> Any:
        if type(value) is not list:
            raise _Slow
        if (max_length is not None and len(value) > max_length) or (min_length is not None and len(value) < min_length):
            raise _Slow
        if not value and not allow_empty:
            raise _Slow
        return [child(item) for item in value]

    return check


def _never(value: Any) -> Any:
    raise _Slow


_LENGTH_VALIDATORS = (
    "MaxLengthValidator",
    "MinLengthValidator",
    "MaxValueValidator",
    "MinValueValidator",
    "MaxDecimalPlacesValidator",
)


def _extra(validators: list[Any]) -> bool:
    """Validators besides those the compiled check applies itself."""
    return any(type(v).__name__ not in _LENGTH_VALIDATORS for v in validators)


def _compile(field: serializers.Field) -> Callable[[Any], Any]:
    # Most specific first (SlugField and RegexField are CharFields).
    if isinstance(field, serializers.CharField):
        return _char(field)
    if isinstance(field, serializers.DecimalField):
        return _decimal(field)
    if isinstance(field, serializers.BooleanField):
        return _boolean(field)
    if isinstance(field, serializers.IntegerField):
        return _integer(field)
    if isinstance(field, serializers.ListField):
        return _list_of_text(field)
    return _never


def compile_field(field: serializers.Field) -> Check:
    """``field``'s check: the direct conversion, else DRF's own validation."""
    fast = _compile(field)
    allow_null = field.allow_null

    def check(value: Any) -> Any:
        if value is None and allow_null:
            return None
        try:
            return fast(value)
        except _Slow:
            return field.run_validation(value)

    return check


class RowValidator:
    """Validates raw rows (dicts) as ``serializer_class`` would, compiled
    once. :meth:`validate` returns the converted row or raises
    :class:`~rest_framework.serializers.ValidationError` with the detail the
    serializer would give (``{field: [messages]}``, field order kept)."""

    def __init__(self, serializer_class: type[serializers.Serializer]) -> None:
        self.serializer = serializer_class()
        self.columns: list[tuple[str, bool, Any, Check, Callable[[Any], Any] | None]] = []
        for name, field in self.serializer.fields.items():
            if field.read_only:
                continue
            method = getattr(self.serializer, f"validate_{name}", None)
            default = field.default
            self.columns.append((name, field.required, default, compile_field(field), method))
        self.fields = self.serializer.fields

    def validate(self, raw: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        for name, required, default, check, method in self.columns:
            if name in raw:
                value = raw[name]
            elif required:
                errors[name] = [
                    serializers.ErrorDetail(str(self.fields[name].error_messages["required"]), code="required")
                ]
                continue
            elif default is not empty:
                data[name] = default() if callable(default) else default
                continue
            else:
                continue
            try:
                value = check(value)
                if method is not None:
                    value = method(value)
            except serializers.ValidationError as exc:
                errors[name] = exc.detail
                continue
            except DjangoValidationError as exc:
                errors[name] = get_error_detail(exc)
                continue
            data[name] = value
        if errors:
            raise serializers.ValidationError(errors)
        try:
            return self.serializer.validate(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from None
