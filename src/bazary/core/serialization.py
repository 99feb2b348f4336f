"""Model rows as JSON values, for documents such as the personal-data export."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile


def json_value(value: Any) -> Any:
    """``value`` as a JSON value: times and dates as ISO 8601, money (Decimal) and UUIDs
    as strings, files as their URL (empty when there is none)."""
    if isinstance(value, FieldFile):
        if not value:
            return ""
        try:
            return value.url
        except ValueError:
            return value.name
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if value is None or isinstance(value, str | bool | int | float):
        return value
    return str(value)  # a field's own value type (a Country, an IP address...): its text form


def row(instance: models.Model, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every concrete field of ``instance`` (foreign keys as their id), as JSON values."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        if isinstance(field, models.FileField):
            value = getattr(instance, field.name)
        else:
            value = field.value_from_object(instance)
        data[field.attname if field.is_relation else field.name] = json_value(value)
    return data
