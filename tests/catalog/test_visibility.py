"""A category is visible to customers only if it and all its ancestors are
active; products only in visible categories. Staff see everything."""

from __future__ import annotations

import pytest

from bazary.catalog.models import get_category_model, get_product_model
from bazary.testing.catalog import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden_branch(catalog, tree):
    """electronics (inactive) > computers (active) > laptops (active)."""
    electronics = tree["electronics"]
    electronics.is_active = False
    electronics.save()
    return tree


def slugs(response):
    assert response.status_code == 200, response.content
    return {row["slug"] for row in response.json()["results"]}


def test_querysets(hidden_branch):
    Category = get_category_model()
    assert set(Category.objects.visible().values_list("slug", flat=True)) == {"books"}
    assert set(get_product_model().objects.visible().values_list("sku", flat=True)) == {"BK-1"}


def test_flat_list_hides_categories_under_an_inactive_ancestor(hidden_branch, api_client, manager_client):
    assert slugs(api_client.get("/api/categories/")) == {"books"}
    assert slugs(manager_client.get("/api/categories/")) == {"electronics", "computers", "laptops", "phones", "books"}


@pytest.mark.parametrize("slug", ["electronics", "computers", "laptops", "phones"])
def test_detail_is_404_for_customers(hidden_branch, api_client, manager_client, slug):
    assert api_client.get(f"/api/categories/{slug}/").status_code == 404
    assert manager_client.get(f"/api/categories/{slug}/").status_code == 200


def test_parent_filter_resolves_visible_parents_only(hidden_branch, api_client, manager_client):
    assert slugs(api_client.get("/api/categories/", {"parent": "electronics"})) == set()
    assert slugs(api_client.get("/api/categories/", {"parent": "computers"})) == set()
    assert slugs(api_client.get("/api/categories/", {"parent": "root"})) == {"books"}
    assert slugs(manager_client.get("/api/categories/", {"parent": "computers"})) == {"laptops"}


def test_products_under_an_inactive_ancestor_are_hidden(hidden_branch, api_client, manager_client):
    assert slugs(api_client.get("/api/products/")) == {"a-quiet-novel"}
    assert slugs(api_client.get("/api/products/", {"category": "electronics"})) == set()
    assert slugs(api_client.get("/api/products/", {"category": "computers"})) == set()
    assert api_client.get("/api/products/ultrabook-pro-14/").status_code == 404
    assert api_client.get("/api/products/ultrabook-pro-14/images/").status_code == 404
    assert slugs(manager_client.get("/api/products/", {"category": "computers"})) == {"ultrabook-pro-14"}
    detail = manager_client.get("/api/products/ultrabook-pro-14/").json()
    assert [a["slug"] for a in detail["category"]["ancestors"]] == ["electronics", "computers"]


def test_tree_and_list_agree(hidden_branch, api_client):
    tree = api_client.get("/api/categories/tree/").json()
    assert [node["slug"] for node in tree] == ["books"]


def test_customers_never_see_an_inactive_ancestor(tree, api_client):
    """Even through a serializer given a category the queryset would not show."""
    from rest_framework.test import APIRequestFactory

    from bazary.catalog.serializers import CategorySerializer, CategoryWithAncestorsSerializer

    tree["computers"].is_active = False
    tree["computers"].save()
    request = APIRequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    laptops = get_category_model().objects.get(slug="laptops")
    assert [a["slug"] for a in CategorySerializer(laptops, context={"request": request}).data["ancestors"]] == [
        "electronics"
    ]
    data = CategoryWithAncestorsSerializer(laptops, context={"request": request}).data
    assert [a["slug"] for a in data["ancestors"]] == ["electronics"]


def test_query_budgets_hold(hidden_branch, api_client, django_assert_max_num_queries):
    books = hidden_branch["books"]
    for i in range(5):
        child = CategoryFactory(name=f"Shelf {i}", parent=books)
        ProductFactory(name=f"Book {i}", category=child)
    with django_assert_max_num_queries(5):
        assert len(slugs(api_client.get("/api/products/"))) == 6
    with django_assert_max_num_queries(4):
        assert len(slugs(api_client.get("/api/categories/"))) == 6
    with django_assert_max_num_queries(5):
        detail = api_client.get("/api/products/book-0/").json()
    assert [a["slug"] for a in detail["category"]["ancestors"]] == ["books"]
    with django_assert_max_num_queries(5):
        assert api_client.get("/api/categories/shelf-0/").json()["ancestors"][0]["slug"] == "books"
    with django_assert_max_num_queries(2):
        api_client.get("/api/categories/tree/")
