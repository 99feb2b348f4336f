"""The notifications endpoints are fully described in the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from bazary.core.schema import SCHEMA_SETTINGS


@pytest.fixture
def schema(settings):
    settings.SPECTACULAR_SETTINGS = SCHEMA_SETTINGS
    GENERATOR_STATS.reset()
    patterns = [path("api/notifications/", include("bazary.notifications.urls"))]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    assert not GENERATOR_STATS, "drf-spectacular warned or errored on the notifications endpoints"
    return schema


def test_schema_is_valid_and_warning_free(schema):
    validate_schema(schema)


def test_every_operation_documents_its_errors(schema):
    operations = [(p, m, op) for p, methods in schema["paths"].items() for m, op in methods.items()]
    assert len(operations) == 9
    for route, method, operation in operations:
        responses = operation["responses"]
        assert "401" in responses, (route, method)
        if "{id}" in route:
            assert "404" in responses, (route, method)
        assert operation.get("summary"), (route, method)


def test_preferences_put_takes_a_json_list(schema):
    put = schema["paths"]["/api/notifications/preferences/"]["put"]
    assert set(put["requestBody"]["content"]) == {"application/json"}
    assert put["requestBody"]["content"]["application/json"]["schema"]["type"] == "array"
    assert "400" in put["responses"]


def test_preferences_describe_which_channels_are_listed(schema):
    operations = schema["paths"]["/api/notifications/preferences/"]
    assert "each channel that kind can be sent on" in operations["get"]["description"]
    assert "a channel the kind is never sent on" in operations["put"]["description"]
