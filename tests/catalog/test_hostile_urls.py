"""Every detail route answers hostile ids and slugs with DRF's JSON 404,
never Django's HTML one, never a 500."""

from __future__ import annotations

import pytest

from bazary.testing.catalog import ProductImageFactory

pytestmark = pytest.mark.django_db

HOSTILE_SLUGS = ["caf%C3%A9", "%E2%98%83", "a.b", "%00", "x%00y", "a%20b", "a" * 300, "%27%3B--", "..."]
HOSTILE_IDS = ["abc", "1.5", "-1", "%D9%A1", str(2**63), str(2**63 - 1), str(10**30), "9" * 19, "%00", "1e3"]


def assert_json_404(response):
    assert response.status_code == 404, (response.status_code, response.content[:200])
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


@pytest.mark.parametrize("slug", HOSTILE_SLUGS)
@pytest.mark.parametrize(
    ("template", "methods"),
    [
        ("/api/categories/{}/", ("get", "patch", "delete")),
        ("/api/products/{}/", ("get", "patch", "delete")),
        ("/api/products/{}/images/", ("get", "post")),
        ("/api/products/{}/images/1/", ("patch", "delete")),
        ("/api/products/{}/stock/", ("post",)),
        ("/api/products/{}/stock-alert/", ("post", "delete")),
        ("/api/tags/{}/", ("get", "patch", "delete")),
    ],
)
def test_hostile_slugs(catalog, manager_client, slug, template, methods):
    for method in methods:
        assert_json_404(getattr(manager_client, method)(template.format(slug)))


@pytest.mark.parametrize("image_id", HOSTILE_IDS)
def test_hostile_image_ids(catalog, manager_client, image_id):
    ProductImageFactory(product=catalog["laptop"])
    for method in ("patch", "delete"):
        assert_json_404(getattr(manager_client, method)(f"/api/products/ultrabook-pro-14/images/{image_id}/"))
