"""The schema and its viewers answer, with local assets only."""

import pytest


@pytest.mark.django_db
def test_schema_answers(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "bazary API"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "asset"), [("/api/docs/", "swagger-ui-bundle.js"), ("/api/redoc/", "redoc.standalone.js")]
)
def test_viewers_use_local_assets(client, path, asset):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert asset in html
    assert "cdn.jsdelivr.net" not in html
