"""A search's page counts its matches in the page's own query
(``COUNT(*) OVER ()``): the rows are read to rank them anyway, so the
separate ``COUNT(*)`` is not run. Counts, pages and 404s are the ones the
separate count gave, under either pagination class, on every backend."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from bazary.catalog.serializers import ProductSerializer
from bazary.testing.catalog import OptionFactory, ProductFactory, ProductImageFactory, TagFactory, VariantFactory

pytestmark = pytest.mark.django_db

EXACT = "bazary.catalog.pagination.CatalogPageNumberPagination"
CAPPED = "bazary.catalog.pagination.CatalogCappedCountPagination"


@pytest.fixture
def boots(tree):
    made = [ProductFactory(name=f"Boot {i}", price=f"{10 + i}.00", category=tree["books"]) for i in range(7)]
    ProductFactory(name="Sock", category=tree["books"])
    return made


def get(api_client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = api_client.get(url)
    return response, [q["sql"].upper() for q in ctx.captured_queries]


@pytest.mark.parametrize("pagination", [CAPPED, EXACT])
def test_a_search_page_is_counted_in_its_own_query(boots, api_client, pagination):
    with override_settings(BAZARY_CATALOG={"PAGINATION_CLASS": pagination}):
        response, sqls = get(api_client, "/api/products/?search=boot&page_size=3&page=2")
    body = response.json()
    assert response.status_code == 200
    assert (body["count"], body["count_is_exact"], len(body["results"])) == (7, True, 3)
    assert body["next"] is not None
    assert body["previous"] is not None
    assert not [sql for sql in sqls if "COUNT(*) FROM" in sql or "COUNT(*) AS" in sql]
    assert len([sql for sql in sqls if "COUNT(*) OVER" in sql]) == 1
    assert "_bazary_total" not in response.content.decode()


@pytest.mark.parametrize("pagination", [CAPPED, EXACT])
def test_counts_and_pages_are_the_ones_a_separate_count_gives(boots, api_client, pagination):
    """The last page, a filter applied after the search (the price), an empty
    first page and ``page=last``: each as the separate count answered."""
    with override_settings(BAZARY_CATALOG={"PAGINATION_CLASS": pagination}):
        last = api_client.get("/api/products/?search=boot&page_size=3&page=3").json()
        priced = api_client.get("/api/products/?search=boot&max_price=12").json()
        none = api_client.get("/api/products/?search=boot&min_price=100").json()
        by_name = api_client.get("/api/products/?search=boot&page=last&page_size=5").json()
        ordered = api_client.get("/api/products/?search=boot&ordering=price&page_size=2").json()
    assert ([r["slug"] for r in last["results"]], last["count"], last["next"]) == (["boot-0"], 7, None)
    assert (priced["count"], sorted(r["slug"] for r in priced["results"])) == (3, ["boot-0", "boot-1", "boot-2"])
    assert (none["count"], none["results"], none["next"]) == (0, [], None)
    assert (by_name["count"], [r["slug"] for r in by_name["results"]]) == (7, ["boot-1", "boot-0"])
    assert (ordered["count"], [r["slug"] for r in ordered["results"]]) == (7, ["boot-0", "boot-1"])


@pytest.mark.parametrize("pagination", [CAPPED, EXACT])
def test_a_page_past_the_last_is_still_a_404_with_the_reason(boots, api_client, pagination):
    with override_settings(BAZARY_CATALOG={"PAGINATION_CLASS": pagination}):
        past, sqls = get(api_client, "/api/products/?search=boot&page_size=3&page=4")
        zero = api_client.get("/api/products/?search=boot&page=0")
        word = api_client.get("/api/products/?search=boot&page=two")
        counted_first = api_client.get("/api/products/?category=books&page_size=3&page=4")  # 8 products
    assert past.status_code == 404
    assert past.json() == counted_first.json()
    assert [sql for sql in sqls if "COUNT(*) FROM" in sql or "COUNT(*) AS" in sql]  # counted to say why
    assert zero.status_code == 404
    assert word.status_code == 404


def test_past_max_count_the_count_stops_and_pages_past_it_are_a_404(boots, api_client):
    with override_settings(BAZARY_CATALOG={"MAX_COUNT": 4}):
        first = api_client.get("/api/products/?search=boot&page_size=2&page=2").json()
        past = api_client.get("/api/products/?search=boot&page_size=2&page=3")
    assert (first["count"], first["count_is_exact"], first["next"]) == (4, False, None)
    assert past.status_code == 404
    assert "past the first 4 matching items" in past.json()["detail"]


def test_the_same_body_as_a_separate_count(boots, api_client, monkeypatch):
    url = "/api/products/?search=boot&page_size=3&page=2"
    counted_in_page = api_client.get(url).json()
    monkeypatch.setattr("bazary.catalog.pagination._counts_in_page", lambda queryset: False)
    response, sqls = get(api_client, url)
    assert [sql for sql in sqls if "COUNT(*) FROM" in sql or "COUNT(*) AS" in sql]
    assert response.json() == counted_in_page


class RenamingSerializer(ProductSerializer):
    """Overrides to_representation: the list takes DRF's model-instance path."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["title"] = data.pop("name")
        return data


def test_the_model_instance_path_is_counted_in_its_page_too(boots, api_client):
    with override_settings(BAZARY_CATALOG={"PRODUCT_SERIALIZER": f"{__name__}.RenamingSerializer"}):
        response, sqls = get(api_client, "/api/products/?search=boot&page_size=3")
    body = response.json()
    assert (body["count"], len(body["results"]), body["results"][0]["title"]) == (7, 3, "Boot 6")
    assert not [sql for sql in sqls if "COUNT(*) FROM" in sql or "COUNT(*) AS" in sql]
    assert "_bazary_total" not in response.content.decode()


def test_a_list_without_search_is_counted_first(boots, api_client):
    _, sqls = get(api_client, "/api/products/?page_size=3")
    assert not [sql for sql in sqls if " OVER " in sql]
    assert [sql for sql in sqls if "COUNT(*)" in sql]


@pytest.mark.parametrize("page_size", [1, 100])
def test_a_search_page_costs_what_a_list_costs(tree, api_client, page_size, django_assert_num_queries):
    """First matches, then the page (counted in it), tags, primary images,
    variants and option values: 6 queries at any page size, a list's 6
    (count, page and the same four)."""
    size = OptionFactory(name="Size", values=["S", "M"])
    for i in range(3):
        boot = ProductFactory(name=f"Boot {i}", category=tree["books"], tags=[TagFactory(name=f"t{i}")])
        ProductImageFactory(product=boot, is_primary=True)
        VariantFactory(product=boot, sku=f"BOOT-{i}", values=[size.values.first()])
    with django_assert_num_queries(6):
        body = api_client.get(f"/api/products/?search=boot&page_size={page_size}").json()
    assert body["count"] == 3
    assert all(item["options"] and item["primary_image"] and item["tags"] for item in body["results"])
