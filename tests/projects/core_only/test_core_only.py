"""bazary.core alone: checks pass, the schema and docs answer, no app is mounted."""

from io import StringIO

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_checks_and_migrations_are_clean():
    assert [m for m in run_checks() if m.level >= 30] == []
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_schema_and_docs_answer_and_no_other_app_is_mounted():
    client = APIClient()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert not [path for path in schema.json()["paths"] if path.startswith("/api/")]
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/redoc/").status_code == 200
    for path in ("/api/products/", "/api/auth/token/", "/api/notifications/"):
        assert client.get(path).status_code == 404
