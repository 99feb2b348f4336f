"""Changing the email address: link to the new address, notice to the old."""

import pytest
from django.core import mail

from bazary.testing.accounts import UserFactory

from .conftest import PASSWORD, bearer, emails_to, login, query_of

pytestmark = pytest.mark.django_db


def request_change(client, new_email="new@example.com", password=PASSWORD):
    return client.post("/api/auth/email/change/", {"new_email": new_email, "password": password}, format="json")


def test_email_change_end_to_end(api_client, user, auth_client):
    old = user.email
    assert request_change(auth_client).status_code == 202
    (confirm,) = emails_to("new@example.com")
    (notice,) = emails_to(old)
    assert "new@example.com" in notice.body
    token = query_of(confirm)["token"]
    assert "http://localhost:8000/confirm-email-change?token=" in confirm.body

    response = auth_client.post("/api/auth/email/change/confirm/", {"token": token}, format="json")
    assert response.status_code == 200
    assert response.json() == {"email": "new@example.com"}
    user.refresh_from_db()
    assert user.email == "new@example.com"
    assert user.email_verified_at is not None
    login(api_client, "new@example.com")
    assert api_client.post("/api/auth/token/", {"email": old, "password": PASSWORD}).status_code == 401
    # Single use.
    again = auth_client.post("/api/auth/email/change/confirm/", {"token": token}, format="json")
    assert again.status_code == 400


def test_wrong_password_is_400_and_sends_nothing(auth_client):
    response = request_change(auth_client, password="wrong")
    assert response.status_code == 400
    assert "password" in response.json()
    assert not mail.outbox


def test_same_or_malformed_address_is_400(auth_client, user):
    assert request_change(auth_client, new_email=user.email.upper()).status_code == 400
    assert request_change(auth_client, new_email="not-an-email").status_code == 400
    assert request_change(auth_client, new_email="x" * 10_000 + "@example.com").status_code == 400


def test_confirm_refuses_an_address_taken_meanwhile(auth_client, user):
    request_change(auth_client)
    token = query_of(emails_to("new@example.com")[0])["token"]
    UserFactory(email="NEW@example.com")
    response = auth_client.post("/api/auth/email/change/confirm/", {"token": token}, format="json")
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email != "new@example.com"


def test_another_user_cannot_confirm_my_change(auth_client, other_user):
    request_change(auth_client)
    token = query_of(emails_to("new@example.com")[0])["token"]
    theirs = bearer(login(auth_client, other_user.email)["access"])
    assert theirs.post("/api/auth/email/change/confirm/", {"token": token}, format="json").status_code == 400
    other_user.refresh_from_db()
    assert other_user.email != "new@example.com"


def test_email_change_needs_authentication(api_client):
    assert request_change(api_client).status_code == 401
    assert api_client.post("/api/auth/email/change/confirm/", {"token": "x"}, format="json").status_code == 401


@pytest.mark.parametrize("token", ["", "garbage", "\x00", "x" * 10_000])
def test_confirm_rejects_forged_tokens(auth_client, token):
    assert auth_client.post("/api/auth/email/change/confirm/", {"token": token}, format="json").status_code == 400
