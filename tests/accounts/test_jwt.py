"""The JWT lifecycle: login, rotation, reuse, logout, revocation, forged tokens."""

import base64
import json
import threading

import pytest
from django.db import close_old_connections, connection
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from bazary.testing.accounts import UserFactory

from .conftest import PASSWORD, bearer, login

pytestmark = pytest.mark.django_db


def refresh(client, token):
    return client.post("/api/auth/token/refresh/", {"refresh": token}, format="json")


def test_login_returns_a_working_pair(api_client, user):
    pair = login(api_client, user.email)
    assert set(pair) == {"access", "refresh"}
    me = bearer(pair["access"]).get("/api/auth/me/")
    assert me.status_code == 200
    assert me.json()["email"] == user.email
    user.refresh_from_db()
    assert user.last_login is not None


def test_login_is_case_insensitive_on_the_email(api_client, user):
    login(api_client, user.email.upper())


def test_failed_logins_look_the_same(api_client, user):
    UserFactory(email="inactive@example.com", is_active=False)
    answers = [
        api_client.post("/api/auth/token/", {"email": email, "password": password}, format="json")
        for email, password in (
            (user.email, "wrong password"),
            ("nobody@example.com", PASSWORD),
            ("inactive@example.com", PASSWORD),
        )
    ]
    assert {r.status_code for r in answers} == {401}
    assert len({r.content for r in answers}) == 1
    assert answers[0].json()["code"] == "authentication_failed"
    assert answers[0].headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"email": "a@example.com"},
        {"password": "x"},
        {"email": "a\x00@example.com", "password": "x"},
        {"email": "x" * 10_000, "password": "x"},
        {"email": "a@example.com", "password": "x" * 10_000},
    ],
)
def test_malformed_login_is_400(api_client, payload):
    assert api_client.post("/api/auth/token/", payload, format="json").status_code == 400


def test_refresh_rotates_and_the_old_token_dies(api_client, tokens):
    first = refresh(api_client, tokens["refresh"])
    assert first.status_code == 200
    rotated = first.json()
    assert set(rotated) == {"access", "refresh"}
    assert rotated["refresh"] != tokens["refresh"]
    assert bearer(rotated["access"]).get("/api/auth/me/").status_code == 200

    reused = refresh(api_client, tokens["refresh"])
    assert reused.status_code == 401
    # The reuse revoked the login, the token it was rotated into included (test_revocation.py).
    assert refresh(api_client, rotated["refresh"]).status_code == 401


@override_settings(BAZARY_ACCOUNTS={"ROTATE_REFRESH_TOKENS": False})
def test_without_rotation_the_refresh_token_stays(api_client, tokens):
    response = refresh(api_client, tokens["refresh"])
    assert response.status_code == 200
    assert set(response.json()) == {"access"}
    assert refresh(api_client, tokens["refresh"]).status_code == 200


def test_an_access_token_is_not_a_refresh_token(api_client, tokens):
    assert refresh(api_client, tokens["access"]).status_code == 401


def test_verify(api_client, tokens):
    assert api_client.post("/api/auth/token/verify/", {"token": tokens["access"]}, format="json").status_code == 200
    assert api_client.post("/api/auth/token/verify/", {"token": tokens["refresh"]}, format="json").status_code == 200
    assert api_client.post("/api/auth/token/verify/", {"token": "nope"}, format="json").status_code == 401
    refresh(api_client, tokens["refresh"])
    # A rotated (blacklisted) refresh token no longer verifies.
    assert api_client.post("/api/auth/token/verify/", {"token": tokens["refresh"]}, format="json").status_code == 401


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_alg_none_and_tampered_tokens_are_rejected(api_client, tokens, other_user):
    payload = _payload(tokens["access"])
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(payload)}."
    header, _body, signature = tokens["access"].split(".")
    tampered = f"{header}.{_b64({**payload, 'user_id': str(other_user.pk)})}.{signature}"
    for forged in (unsigned, tampered, tokens["access"][:-2] + "xx"):
        assert bearer(forged).get("/api/auth/me/").status_code == 401
        assert api_client.post("/api/auth/token/verify/", {"token": forged}, format="json").status_code == 401
    refresh_payload = _payload(tokens["refresh"])
    forged_refresh = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(refresh_payload)}."
    assert refresh(api_client, forged_refresh).status_code == 401


def test_logout_blacklists_that_refresh_token(api_client, tokens, auth_client):
    response = auth_client.post("/api/auth/logout/", {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 204
    assert refresh(api_client, tokens["refresh"]).status_code == 401


def test_logout_needs_authentication(api_client, tokens):
    response = api_client.post("/api/auth/logout/", {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 401
    assert refresh(api_client, tokens["refresh"]).status_code == 200


def test_logout_cannot_revoke_another_users_token(api_client, auth_client, other_user):
    theirs = login(APIClient(), other_user.email)
    response = auth_client.post("/api/auth/logout/", {"refresh": theirs["refresh"]}, format="json")
    assert response.status_code == 401
    assert refresh(api_client, theirs["refresh"]).status_code == 200


def test_logout_all_revokes_every_refresh_token(api_client, user, other_user):
    first = login(api_client, user.email)
    second = login(api_client, user.email)
    theirs = login(api_client, other_user.email)
    assert bearer(first["access"]).post("/api/auth/logout-all/").status_code == 204
    assert refresh(api_client, first["refresh"]).status_code == 401
    assert refresh(api_client, second["refresh"]).status_code == 401
    assert refresh(api_client, theirs["refresh"]).status_code == 200


def test_an_inactive_user_can_neither_refresh_nor_use_an_access_token(api_client, user, tokens):
    user.is_active = False
    user.save()
    assert bearer(tokens["access"]).get("/api/auth/me/").status_code == 401
    assert refresh(api_client, tokens["refresh"]).status_code == 401


def test_a_deleted_user_can_neither_refresh_nor_use_an_access_token(api_client, user, tokens):
    user.delete()
    assert bearer(tokens["access"]).get("/api/auth/me/").status_code == 401
    assert refresh(api_client, tokens["refresh"]).status_code == 401


def test_a_stale_bearer_does_not_block_public_endpoints(api_client, user):
    client = bearer("not.a.token")
    response = client.post("/api/auth/token/", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_of_one_token_succeed_at_most_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    user = UserFactory()
    token = login(APIClient(), user.email)["refresh"]
    barrier = threading.Barrier(10)
    statuses = []

    def attempt():
        try:
            barrier.wait()
            statuses.append(refresh(APIClient(), token).status_code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == 10
    # Exactly one wins: the others find the token already rotated (blacklisted).
    assert statuses.count(200) == 1
    assert statuses.count(401) == 9
    # One outstanding token for the login, at most one more for the rotation.
    assert OutstandingToken.objects.filter(user=user).count() <= 2
    # The nine late ones reused a rotated token: the login is revoked, the winner's new token with it.
    assert not OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).exists()


def test_a_refresh_token_without_its_outstanding_row_is_refused(api_client, tokens):
    OutstandingToken.objects.all().delete()
    assert refresh(api_client, tokens["refresh"]).status_code == 401
