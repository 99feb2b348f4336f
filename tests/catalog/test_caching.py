"""Conditional GETs of product detail follow every change shown in its body;
the tree cache is invalidated again when a category write commits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from django.utils.http import http_date

from bazary.catalog.models import Tag, get_category_model, get_product_model
from bazary.catalog.tree import TREE_KEY, cached_tree, tree_version

pytestmark = pytest.mark.django_db

URL = "/api/products/ultrabook-pro-14/"


@pytest.fixture
def validators(catalog, api_client):
    """Every timestamp an hour in the past, then the detail's validators."""
    past = timezone.now() - timedelta(hours=1)
    get_product_model().objects.update(updated_at=past)
    get_category_model().objects.update(updated_at=past)
    response = api_client.get(URL)
    assert response.status_code == 200
    assert response["Last-Modified"] == http_date(past.timestamp())
    assert api_client.get(URL, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    return response["ETag"], response["Last-Modified"]


def assert_changed(api_client, etag, last_modified):
    assert api_client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert api_client.get(URL, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


def test_renaming_a_tag_changes_both_validators(catalog, api_client, validators):
    tag = Tag.objects.get(slug="sale")
    tag.name = "Clearance"
    tag.save()
    assert_changed(api_client, *validators)


def test_deleting_a_tag_changes_both_validators(catalog, api_client, validators):
    Tag.objects.get(slug="sale").delete()
    assert_changed(api_client, *validators)


def test_untagging_changes_both_validators(catalog, api_client, validators):
    catalog["laptop"].tags.remove(catalog["sale"])
    assert_changed(api_client, *validators)


@pytest.mark.parametrize("slug", ["electronics", "computers"])
def test_renaming_an_ancestor_changes_both_validators(catalog, api_client, validators, slug):
    category = get_category_model().objects.get(slug=slug)
    category.name = f"{category.name} & more"
    category.save()
    assert_changed(api_client, *validators)


def test_tree_is_invalidated_again_on_commit(tree, django_capture_on_commit_callbacks):
    stale = [{"id": 0, "slug": "stale", "name": "Stale", "children": []}]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        books = tree["books"]
        books.name = "Novels"
        books.save()
        # A concurrent reader, before the commit, still sees the old rows and
        # caches them under the version the save just set.
        cache.set(TREE_KEY.format(active_only=1, version=tree_version()), stale, None)
        assert cached_tree(active_only=True)[0] == stale
    assert callbacks, "the invalidation must also run on commit"
    fresh, _version = cached_tree(active_only=True)
    assert fresh != stale
    assert any(node["name"] == "Novels" for node in fresh)
