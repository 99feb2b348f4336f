"""Model fields of the catalog."""

from __future__ import annotations

from typing import Any

from django.db import models


class SearchVectorField(models.Field):
    """A ``tsvector`` column on PostgreSQL (``text``, left empty, elsewhere).

    Like ``django.contrib.postgres.search.SearchVectorField``, which cannot be
    imported without psycopg on Django 6: the catalog must load on SQLite-only
    installs. PostgreSQL lookups are registered when the PostgreSQL search
    backend first runs (see :mod:`bazary.catalog.search`).
    """

    description = "PostgreSQL tsvector"

    def db_type(self, connection: Any) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"
