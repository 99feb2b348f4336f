"""categories/, categories/tree/, categories/{slug}/."""

import pytest
from django.utils.http import http_date

from bazary.catalog.models import Category
from bazary.testing.catalog import CategoryFactory, ProductFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


def slugs(response):
    return [row["slug"] for row in response.json()["results"]]


def test_list_is_flat_and_hides_inactive_from_customers(tree, api_client, manager_client):
    CategoryFactory(name="Archive", is_active=False)
    response = api_client.get("/api/categories/")
    assert response.status_code == 200
    assert "archive" not in slugs(response)
    assert set(slugs(response)) == {"electronics", "computers", "laptops", "phones", "books"}
    assert "archive" in slugs(manager_client.get("/api/categories/"))


def test_list_carries_breadcrumbs_in_a_fixed_number_of_queries(tree, api_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # count, page, ancestors of the page
        response = api_client.get("/api/categories/")
    laptops = next(row for row in response.json()["results"] if row["slug"] == "laptops")
    assert [a["slug"] for a in laptops["ancestors"]] == ["electronics", "computers"]
    assert laptops["parent"] == "computers"


def test_filter_by_parent(tree, api_client):
    assert set(slugs(api_client.get("/api/categories/?parent=root"))) == {"electronics", "books"}
    assert set(slugs(api_client.get("/api/categories/?parent=electronics"))) == {"computers", "phones"}
    assert slugs(api_client.get("/api/categories/?parent=nope")) == []


def test_detail_has_ancestors_and_hides_inactive(tree, api_client):
    body = api_client.get("/api/categories/laptops/").json()
    assert [a["slug"] for a in body["ancestors"]] == ["electronics", "computers"]
    assert body["depth"] == 2
    CategoryFactory(name="Secret", is_active=False)
    assert api_client.get("/api/categories/secret/").status_code == 404
    assert api_client.get("/api/categories/does-not-exist/").status_code == 404


def test_tree_is_nested_and_hides_inactive(tree, api_client):
    CategoryFactory(name="Old stuff", is_active=False, parent=tree["books"])
    body = api_client.get("/api/categories/tree/").json()
    electronics = next(node for node in body if node["slug"] == "electronics")
    computers = next(node for node in electronics["children"] if node["slug"] == "computers")
    assert computers["children"] == [{"id": tree["laptops"].pk, "slug": "laptops", "name": "Laptops", "children": []}]
    books = next(node for node in body if node["slug"] == "books")
    assert books["children"] == []


def test_tree_costs_at_most_two_queries_whatever_its_size(db, api_client, django_assert_max_num_queries):
    parent = None
    for i in range(30):
        parent = CategoryFactory(name=f"Level {i}", parent=parent if i % 3 else None)
    with django_assert_max_num_queries(2):
        first = api_client.get("/api/categories/tree/")
    assert first.status_code == 200
    # Cached: no query at all the second time.
    with django_assert_max_num_queries(0):
        assert api_client.get("/api/categories/tree/").json() == first.json()


def test_tree_cache_is_invalidated_by_any_category_change(tree, api_client):
    before = api_client.get("/api/categories/tree/").json()
    tree["books"].name = "Novels"
    tree["books"].save()
    after = api_client.get("/api/categories/tree/").json()
    assert before != after
    assert any(node["name"] == "Novels" for node in after)
    tree["phones"].delete()
    assert "phones" not in str(api_client.get("/api/categories/tree/").json())


def test_tree_answers_conditional_gets(tree, api_client):
    response = api_client.get("/api/categories/tree/")
    etag, last_modified = response["ETag"], response["Last-Modified"]
    assert api_client.get("/api/categories/tree/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api_client.get("/api/categories/tree/", HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert api_client.get("/api/categories/tree/", HTTP_IF_MODIFIED_SINCE=http_date(0)).status_code == 200
    # The ETag is the body's: a save that changes nothing visible keeps it...
    Category.objects.get(slug="books").save()
    assert api_client.get("/api/categories/tree/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    # ...a rename does not.
    Category.objects.filter(slug="books").update(name="Novels")
    Category.objects.get(slug="books").save()
    changed = api_client.get("/api/categories/tree/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_staff_create_with_parent_slug(tree, manager_client):
    response = manager_client.post("/api/categories/", {"name": "Tablets", "parent": "computers"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "tablets"
    assert [a["slug"] for a in body["ancestors"]] == ["electronics", "computers"]
    assert Category.objects.get(slug="tablets").is_descendant_of(tree["electronics"])


def test_unknown_parent_is_400(tree, manager_client):
    response = manager_client.post("/api/categories/", {"name": "X", "parent": "nope"}, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()


@pytest.mark.parametrize("new_parent", ["electronics", "computers", "laptops"])
def test_cycles_are_400_and_nothing_moves(tree, manager_client, new_parent):
    response = manager_client.patch("/api/categories/electronics/", {"parent": new_parent}, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()
    assert Category.objects.get(slug="electronics").parent is None


def test_move_via_api(tree, manager_client):
    response = manager_client.patch("/api/categories/computers/", {"parent": "books"}, format="json")
    assert response.status_code == 200
    assert [a.slug for a in Category.objects.get(slug="laptops").get_ancestors()] == ["books", "computers"]


def test_delete_with_products_or_children_is_409(tree, manager_client):
    ProductFactory(category=tree["books"])
    assert manager_client.delete("/api/categories/books/").status_code == 409
    assert manager_client.delete("/api/categories/electronics/").status_code == 409
    assert Category.objects.filter(slug__in=["books", "electronics"]).count() == 2
    assert manager_client.delete("/api/categories/phones/").status_code == 204


@pytest.mark.parametrize(("who", "expected"), [("anonymous", 401), ("customer", 403), ("staff", 403), ("manager", 201)])
def test_create_permissions(tree, who, expected, customer, staff, manager):
    user = {"anonymous": None, "customer": customer, "staff": staff, "manager": manager}[who]
    response = client_for(user).post("/api/categories/", {"name": "Garden"}, format="json")
    assert response.status_code == expected


@pytest.mark.parametrize(("who", "expected"), [("anonymous", 401), ("customer", 403), ("staff", 403), ("manager", 200)])
def test_update_permissions(tree, who, expected, customer, staff, manager):
    user = {"anonymous": None, "customer": customer, "staff": staff, "manager": manager}[who]
    response = client_for(user).patch("/api/categories/books/", {"name": "Novels"}, format="json")
    assert response.status_code == expected


@pytest.mark.parametrize(("who", "expected"), [("anonymous", 401), ("customer", 403), ("staff", 403), ("manager", 204)])
def test_delete_permissions(tree, who, expected, customer, staff, manager):
    user = {"anonymous": None, "customer": customer, "staff": staff, "manager": manager}[who]
    assert client_for(user).delete("/api/categories/books/").status_code == expected


def test_category_image_upload_is_validated(tree, manager_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bazary.testing.catalog import image_upload

    ok = manager_client.post("/api/categories/", {"name": "Garden", "image": image_upload()}, format="multipart")
    assert ok.status_code == 201, ok.json()
    assert ok.json()["image"].startswith("http")
    bad = SimpleUploadedFile("x.png", b"GIF89a but not really", content_type="image/png")
    response = manager_client.post("/api/categories/", {"name": "Pond", "image": bad}, format="multipart")
    assert response.status_code == 400
    assert "image" in response.json()
    assert not Category.objects.filter(name="Pond").exists()


def test_a_tree_deeper_than_the_path_allows_is_400(db, manager_client):
    parent = None
    while parent is None or len(parent.path) <= 985:
        parent = CategoryFactory(parent=parent)
    response = manager_client.post("/api/categories/", {"name": "Too deep", "parent": parent.slug}, format="json")
    assert response.status_code == 400
    assert "deep" in str(response.json()["parent"])


@pytest.mark.parametrize("name", ["Tree", "Root"])
def test_generated_slugs_skip_the_reserved_ones(tree, manager_client, api_client, name):
    response = manager_client.post("/api/categories/", {"name": name}, format="json")
    assert response.status_code == 201, response.json()
    slug = response.json()["slug"]
    assert slug == f"{name.lower()}-2"
    assert api_client.get(f"/api/categories/{slug}/").status_code == 200
    # categories/tree/ is still the tree, ?parent=root still the roots.
    assert isinstance(api_client.get("/api/categories/tree/").json(), list)
    assert slug in slugs(api_client.get("/api/categories/", {"parent": "root"}))


@pytest.mark.parametrize("slug", ["tree", "root"])
def test_an_explicit_reserved_slug_is_400(tree, manager_client, slug):
    response = manager_client.post("/api/categories/", {"name": "X", "slug": slug}, format="json")
    assert response.status_code == 400
    assert "reserved" in response.json()["slug"][0]
    response = manager_client.patch("/api/categories/books/", {"slug": slug}, format="json")
    assert response.status_code == 400
    assert "reserved" in response.json()["slug"][0]
    assert not Category.objects.filter(slug=slug).exists()


def test_model_clean_refuses_a_reserved_slug(tree):
    from django.core.exceptions import ValidationError

    category = Category(name="Tree", slug="tree")
    with pytest.raises(ValidationError) as exc:
        category.full_clean()
    assert "slug" in exc.value.message_dict
