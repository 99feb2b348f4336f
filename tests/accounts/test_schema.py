"""The OpenAPI schema documents every accounts endpoint, its auth and its errors."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    # Built once for the module: generating the whole schema costs about a second.
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


ENDPOINTS = {
    ("/api/auth/register/", "post"): {"201", "400", "429"},
    ("/api/auth/verify-email/", "post"): {"200", "400"},
    ("/api/auth/verify-email/resend/", "post"): {"202", "400", "429"},
    ("/api/auth/token/", "post"): {"200", "400", "401", "403", "429"},
    ("/api/auth/token/refresh/", "post"): {"200", "401"},
    ("/api/auth/token/verify/", "post"): {"200", "401"},
    ("/api/auth/logout/", "post"): {"204", "401"},
    ("/api/auth/logout-all/", "post"): {"204", "401"},
    ("/api/auth/me/", "get"): {"200", "401"},
    ("/api/auth/me/", "patch"): {"200", "400", "401"},
    ("/api/auth/me/", "delete"): {"204", "400", "401"},
    ("/api/auth/password/change/", "post"): {"204", "400", "401"},
    ("/api/auth/password/reset/", "post"): {"202", "429"},
    ("/api/auth/password/reset/confirm/", "post"): {"204", "400"},
    ("/api/auth/email/change/", "post"): {"202", "400", "401"},
    ("/api/auth/email/change/confirm/", "post"): {"200", "400", "401"},
    ("/api/auth/sessions/", "get"): {"200", "401"},
    ("/api/auth/sessions/{id}/", "delete"): {"204", "401", "404"},
    ("/api/auth/addresses/", "get"): {"200", "401"},
    ("/api/auth/addresses/", "post"): {"201", "400", "401"},
    ("/api/auth/addresses/{id}/", "get"): {"200", "401", "404"},
    ("/api/auth/addresses/{id}/", "patch"): {"200", "400", "401", "404"},
    ("/api/auth/addresses/{id}/", "delete"): {"204", "401", "404"},
}


@pytest.mark.parametrize(("path", "method"), list(ENDPOINTS))
def test_endpoint_is_documented_with_its_errors(schema, path, method):
    operation = schema["paths"][path][method]
    assert ENDPOINTS[(path, method)] <= set(operation["responses"])
    assert operation["tags"] == ["accounts"]


def test_user_endpoints_use_bearer_jwt_and_public_ones_need_none(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["jwtAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert {"jwtAuth": []} in schema["paths"]["/api/auth/me/"]["get"]["security"]
    for public in ("/api/auth/token/", "/api/auth/register/", "/api/auth/token/refresh/"):
        security = schema["paths"][public]["post"].get("security", [])
        assert all("jwtAuth" not in requirement for requirement in security)


def test_request_bodies_are_documented(schema):
    body = schema["paths"]["/api/auth/token/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    name = body["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][name]["required"]) == {"email", "password"}
    assert "requestBody" in schema["paths"]["/api/auth/me/"]["delete"]
