"""CatalogCappedCountPagination: page numbers with a bounded COUNT(*)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from bazary.catalog.pagination import CatalogCappedCountPagination
from bazary.testing.catalog import ProductFactory

pytestmark = pytest.mark.django_db


class FivePagination(CatalogCappedCountPagination):
    max_count = 5


CAPPED = {"PAGINATION_CLASS": "tests.catalog.test_capped_count.FivePagination"}


@pytest.fixture
def eight(tree):
    return [ProductFactory(name=f"Item {i}", category=tree["books"]) for i in range(8)]


def test_count_stops_at_max_count_and_pages_past_it_are_404(eight, api_client):
    with override_settings(BAZARY_CATALOG=CAPPED):
        first = api_client.get("/api/products/?page_size=2").json()
        assert first["count"] == 5
        assert [row["slug"] for row in first["results"]] == ["item-7", "item-6"]
        last = api_client.get("/api/products/?page_size=2&page=3").json()
        assert [row["slug"] for row in last["results"]] == ["item-3"]
        assert last["next"] is None
        assert api_client.get("/api/products/?page_size=2&page=4").status_code == 404


def test_below_the_cap_the_count_is_exact(eight, api_client):
    with override_settings(
        BAZARY_CATALOG={"PAGINATION_CLASS": CatalogCappedCountPagination.__module__ + ".CatalogCappedCountPagination"}
    ):
        body = api_client.get("/api/products/?page_size=3&page=3").json()
    assert body["count"] == 8
    assert len(body["results"]) == 2


def test_the_count_query_is_bounded(eight, api_client):
    with override_settings(BAZARY_CATALOG=CAPPED), CaptureQueriesContext(connection) as ctx:
        assert api_client.get("/api/products/?page_size=2").status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1
    assert "LIMIT 5" in counts[0]
