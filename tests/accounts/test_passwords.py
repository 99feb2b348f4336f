"""Password change and reset, end to end through the outbox."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings
from rest_framework.test import APIClient

from bazary.accounts import signals
from bazary.testing.accounts import UserFactory

from .conftest import NEW_PASSWORD, PASSWORD, bearer, emails_to, login, query_of

pytestmark = pytest.mark.django_db

User = get_user_model()


def refresh(token):
    return APIClient().post("/api/auth/token/refresh/", {"refresh": token}, format="json")


def test_change_password_revokes_the_other_sessions(api_client, user):
    this_device = login(api_client, user.email)
    other_device = login(api_client, user.email)
    response = bearer(this_device["access"]).post(
        "/api/auth/password/change/",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "refresh": this_device["refresh"]},
        format="json",
    )
    assert response.status_code == 204
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert refresh(other_device["refresh"]).status_code == 401
    assert refresh(this_device["refresh"]).status_code == 200
    (notice,) = emails_to(user.email)
    assert "password" in notice.subject.lower()
    login(api_client, user.email, NEW_PASSWORD)


def test_change_password_without_a_refresh_revokes_all(api_client, user, tokens):
    response = bearer(tokens["access"]).post(
        "/api/auth/password/change/", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 204
    assert refresh(tokens["refresh"]).status_code == 401


def test_change_password_with_a_wrong_current_password_is_400(user, auth_client):
    response = auth_client.post(
        "/api/auth/password/change/", {"current_password": "wrong", "new_password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert "current_password" in response.json()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_change_password_applies_the_validators(auth_client, password_validators):
    response = auth_client.post(
        "/api/auth/password/change/", {"current_password": PASSWORD, "new_password": "123"}, format="json"
    )
    assert response.status_code == 400
    assert "new_password" in response.json()


def test_change_password_needs_authentication(api_client):
    response = api_client.post(
        "/api/auth/password/change/", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 401


def test_reset_flow_end_to_end(api_client, user):
    before = login(api_client, user.email)
    heard = []
    signals.password_reset.connect(lambda **kw: heard.append(kw["user"]), weak=False, dispatch_uid="t-reset")
    try:
        response = api_client.post("/api/auth/password/reset/", {"email": user.email.upper()}, format="json")
        assert response.status_code == 202
        (message,) = emails_to(user.email)
        link = query_of(message)
        assert set(link) == {"uid", "token"}
        confirm = {"uid": link["uid"], "token": link["token"], "new_password": NEW_PASSWORD}
        response = api_client.post("/api/auth/password/reset/confirm/", confirm, format="json")
        assert response.status_code == 204
    finally:
        signals.password_reset.disconnect(dispatch_uid="t-reset")
    assert heard == [user]
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # Every refresh token issued before is dead; the token is single-use.
    assert refresh(before["refresh"]).status_code == 401
    again = api_client.post("/api/auth/password/reset/confirm/", {**confirm, "new_password": "yet another pass 9"})
    assert again.status_code == 400
    login(api_client, user.email, NEW_PASSWORD)


def test_reset_answers_the_same_for_unknown_and_inactive(api_client, user):
    UserFactory(email="inactive@example.com", is_active=False)
    answers = [
        api_client.post("/api/auth/password/reset/", {"email": email}, format="json")
        for email in (user.email, "nobody@example.com", "inactive@example.com")
    ]
    assert {r.status_code for r in answers} == {202}
    assert len({r.content for r in answers}) == 1
    assert [m.to for m in mail.outbox] == [[user.email]]


@override_settings(BAZARY_ACCOUNTS={"PASSWORD_RESET_URL": "https://shop.example/reset/{uid}/{token}"})
def test_reset_url_comes_from_the_setting(api_client, user):
    api_client.post("/api/auth/password/reset/", {"email": user.email}, format="json")
    assert "https://shop.example/reset/" in mail.outbox[0].body


@pytest.mark.parametrize(
    "payload",
    [
        {"uid": "MQ", "token": "bad-token", "new_password": NEW_PASSWORD},
        {"uid": "!!!", "token": "x", "new_password": NEW_PASSWORD},
        {"uid": "OTIyMzM3MjAzNjg1NDc3NTgwOA", "token": "x", "new_password": NEW_PASSWORD},  # 2**63
        {"uid": "\x00", "token": "\x00", "new_password": NEW_PASSWORD},
        {"uid": "x" * 10_000, "token": "x", "new_password": NEW_PASSWORD},
        {"uid": "MQ"},
    ],
)
def test_reset_confirm_rejects_bad_input(api_client, user, payload):
    assert api_client.post("/api/auth/password/reset/confirm/", payload, format="json").status_code == 400


def test_reset_confirm_applies_the_validators(api_client, user, password_validators):
    api_client.post("/api/auth/password/reset/", {"email": user.email}, format="json")
    link = query_of(mail.outbox[0])
    response = api_client.post("/api/auth/password/reset/confirm/", {**link, "new_password": "abc"}, format="json")
    assert response.status_code == 400
    assert "new_password" in response.json()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_bad_refresh_sent_with_a_change_revokes_all(api_client, user, tokens):
    response = bearer(tokens["access"]).post(
        "/api/auth/password/change/",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "refresh": "garbage"},
        format="json",
    )
    assert response.status_code == 204
    assert refresh(tokens["refresh"]).status_code == 401


def test_a_reset_proves_the_address(api_client):
    user = UserFactory(email="unverified@example.com", unverified=True)
    api_client.post("/api/auth/password/reset/", {"email": user.email}, format="json")
    link = query_of(mail.outbox[0])
    api_client.post("/api/auth/password/reset/confirm/", {**link, "new_password": NEW_PASSWORD}, format="json")
    user.refresh_from_db()
    assert user.email_verified_at is not None
    login(api_client, user.email, NEW_PASSWORD)
