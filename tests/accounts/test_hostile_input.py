"""No request, however malformed, gets a 5xx from the accounts API."""

import json

import pytest

from bazary.testing.accounts import AddressFactory

pytestmark = pytest.mark.django_db

PUBLIC = [
    ("post", "/api/auth/register/", ("email", "password", "first_name", "last_name")),
    ("post", "/api/auth/verify-email/", ("token",)),
    ("post", "/api/auth/verify-email/resend/", ("email",)),
    ("post", "/api/auth/token/", ("email", "password")),
    ("post", "/api/auth/token/refresh/", ("refresh",)),
    ("post", "/api/auth/token/verify/", ("token",)),
    ("post", "/api/auth/password/reset/", ("email",)),
    ("post", "/api/auth/password/reset/confirm/", ("uid", "token", "new_password")),
]
PRIVATE = [
    ("post", "/api/auth/logout/", ("refresh",)),
    ("patch", "/api/auth/me/", ("first_name", "last_name", "email")),
    ("delete", "/api/auth/me/", ("password",)),
    ("post", "/api/auth/password/change/", ("current_password", "new_password", "refresh")),
    ("post", "/api/auth/email/change/", ("new_email", "password")),
    ("post", "/api/auth/email/change/confirm/", ("token",)),
    ("post", "/api/auth/addresses/", ("kind", "recipient_name", "line1", "city", "country", "phone", "is_default")),
    ("patch", "/api/auth/addresses/{address}/", ("kind", "country", "is_default", "phone")),
]
HOSTILE_VALUES = [
    "\x00",
    "a\x00b@example.com",
    "x" * 10_000,
    "é" * 5_000 + "@example.com",
    "\ud800",
    2**63,
    -(2**63) - 1,
    1e308,
    None,
    True,
    [],
    ["a", "b"],
    {"nested": {"deep": [1, 2]}},
]


def hostile_payloads(fields):
    for value in HOSTILE_VALUES:
        yield dict.fromkeys(fields, value)
    yield ["not", "an", "object"]
    yield "just a string"
    yield 12345


def send(client, method, path, payload):
    # json.dumps escapes a lone surrogate as \\ud800, which the server's parser decodes back.
    return client.generic(method.upper(), path, json.dumps(payload), content_type="application/json")


@pytest.mark.parametrize(("method", "path", "fields"), PUBLIC)
def test_public_endpoints_answer_4xx_to_hostile_input(api_client, user, method, path, fields):
    for payload in hostile_payloads(fields):
        response = send(api_client, method, path, payload)
        assert 400 <= response.status_code < 500, (payload, response.status_code)


@pytest.mark.parametrize(("method", "path", "fields"), PRIVATE)
def test_user_endpoints_answer_4xx_to_hostile_input(auth_client, user, method, path, fields):
    path = path.format(address=AddressFactory(user=user).pk)
    for payload in hostile_payloads(fields):
        response = send(auth_client, method, path, payload)
        # DRF's CharField takes numbers as text, so a few of these are valid names (200).
        assert response.status_code < 500, (payload, response.status_code)
        if isinstance(payload, dict) and isinstance(next(iter(payload.values())), str):
            assert response.status_code >= 400, (payload, response.status_code)
    user.refresh_from_db()
    assert user.is_active


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"\x00\x01\x02", b'{"email": "a@example.com", "password": "' + b"x" * 100_000 + b'"}'],
)
def test_malformed_bodies_are_400(api_client, body):
    response = api_client.generic("POST", "/api/auth/token/", body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("query", ["page=1000000000000", "page=-1", "page=abc", "page_size=1e1000", "page_size=-5"])
def test_hostile_pagination_is_not_a_5xx(auth_client, query):
    for path in ("/api/auth/addresses/", "/api/auth/sessions/"):
        response = auth_client.get(f"{path}?{query}")
        assert response.status_code in (200, 404), (path, query, response.status_code)


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer a b", "Bearer \x00", "Basic Zm9vOmJhcg==", "Bearer " + "x" * 10_000]
)
def test_hostile_authorization_headers_are_401(api_client, header):
    response = api_client.get("/api/auth/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code in (401, 403)
