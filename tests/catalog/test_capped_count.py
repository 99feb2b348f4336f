"""The default pagination of products/ and categories/: a count bounded by
``MAX_COUNT`` with ``count_is_exact``; the exact one by setting."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from bazary.testing.catalog import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

EXACT = "bazary.catalog.pagination.CatalogPageNumberPagination"


@pytest.fixture
def eight(tree):
    return [ProductFactory(name=f"Item {i}", category=tree["books"]) for i in range(8)]


def test_past_the_cap_count_stops_and_says_it_is_not_exact(eight, api_client):
    with override_settings(BAZARY_CATALOG={"MAX_COUNT": 5}):
        first = api_client.get("/api/products/?page_size=2").json()
        assert first["count"] == 5
        assert first["count_is_exact"] is False
        assert [row["slug"] for row in first["results"]] == ["item-7", "item-6"]
        last = api_client.get("/api/products/?page_size=2&page=3").json()
        assert [row["slug"] for row in last["results"]] == ["item-3"]
        assert last["next"] is None
        past = api_client.get("/api/products/?page_size=2&page=4")
    assert past.status_code == 404
    assert "past the first 5 matching items" in past.json()["detail"]


def test_at_or_below_the_cap_the_count_is_exact(eight, api_client):
    with override_settings(BAZARY_CATALOG={"MAX_COUNT": 8}):
        at = api_client.get("/api/products/?page_size=3&page=3").json()
        past_the_end = api_client.get("/api/products/?page_size=3&page=4")
    assert (at["count"], at["count_is_exact"], len(at["results"])) == (8, True, 2)
    assert past_the_end.status_code == 404
    assert "past the first" not in past_the_end.json()["detail"]
    body = api_client.get("/api/products/?category=books").json()  # the default cap, 10,000
    assert (body["count"], body["count_is_exact"]) == (8, True)


def test_filters_are_counted_under_the_cap(eight, tree, api_client):
    ProductFactory(name="Laptop", category=tree["laptops"])
    with override_settings(BAZARY_CATALOG={"MAX_COUNT": 3}):
        filtered = api_client.get("/api/products/?category=laptops").json()
        books = api_client.get("/api/products/?category=books").json()
    assert (filtered["count"], filtered["count_is_exact"]) == (1, True)
    assert (books["count"], books["count_is_exact"]) == (3, False)


def test_categories_are_capped_too(tree, api_client):
    with override_settings(BAZARY_CATALOG={"MAX_COUNT": 3}):
        body = api_client.get("/api/categories/").json()
    assert (body["count"], body["count_is_exact"]) == (3, False)


def test_the_count_query_is_bounded(eight, api_client):
    with override_settings(BAZARY_CATALOG={"MAX_COUNT": 5}), CaptureQueriesContext(connection) as ctx:
        assert api_client.get("/api/products/?page_size=2").status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1
    assert "LIMIT 6" in counts[0]  # one past the cap: "exactly 5" is not "more than 5"
    # Any 6 rows will do: without ORDER BY the database stops at the 6th match
    # instead of sorting every match (2.7 s at 1M products for a filtered list).
    assert "ORDER BY" not in counts[0].upper()


def test_the_exact_class_counts_everything_in_the_same_shape(eight, api_client):
    with override_settings(BAZARY_CATALOG={"PAGINATION_CLASS": EXACT, "MAX_COUNT": 3}):
        categories = api_client.get("/api/categories/").json()
        with CaptureQueriesContext(connection) as ctx:
            response = api_client.get("/api/products/?page_size=3&page=3")
    body = response.json()
    assert list(body) == ["count", "count_is_exact", "next", "previous", "results"]
    assert (body["count"], body["count_is_exact"], len(body["results"])) == (8, True, 2)
    assert (categories["count"], categories["count_is_exact"]) == (5, True)
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1
    assert "LIMIT 4" not in counts[0]  # not the cap's subquery


def test_lists_that_always_page_by_number_carry_the_flag(eight, api_client):
    body = api_client.get("/api/tags/").json()
    assert body["count_is_exact"] is True


def test_max_count_below_one_is_a_check_error(db):
    CategoryFactory(name="Any")
    with override_settings(BAZARY_CATALOG={"MAX_COUNT": 0}), pytest.raises(SystemCheckError, match="E021"):
        call_command("check")


def test_the_schema_shows_the_flag_and_what_count_means(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    products = schema["components"]["schemas"]["PaginatedProductList"]
    assert products["properties"]["count_is_exact"]["type"] == "boolean"
    assert "count_is_exact" in products["required"]
    assert "MAX_COUNT" in products["properties"]["count"]["description"]
    tags = schema["components"]["schemas"]["PaginatedTagList"]
    assert tags["properties"]["count_is_exact"]["type"] == "boolean"
    assert "MAX_COUNT" not in tags["properties"]["count"]["description"]
