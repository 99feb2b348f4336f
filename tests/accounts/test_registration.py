"""Registration, email verification and resending, end to end through the outbox."""

import time
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings

from bazary.accounts import signals
from bazary.testing.accounts import UserFactory

from .conftest import PASSWORD, emails_to, query_of

pytestmark = pytest.mark.django_db

User = get_user_model()


def register(client, email="new@example.com", password=PASSWORD, **extra):
    return client.post("/api/auth/register/", {"email": email, "password": password, **extra}, format="json")


def test_register_creates_an_unverified_account_and_sends_a_verification_link(api_client):
    received = []
    signals.user_registered.connect(lambda **kw: received.append(kw["user"]), weak=False, dispatch_uid="t1")
    try:
        response = register(api_client, "New@Example.COM", first_name="Grace", last_name="Hopper")
    finally:
        signals.user_registered.disconnect(dispatch_uid="t1")
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "New@example.com"
    assert body["detail"]
    user = User.objects.get(email__iexact="new@example.com")
    assert user.first_name == "Grace"
    assert user.email_verified_at is None
    assert user.check_password(PASSWORD)
    assert received == [user]
    (message,) = emails_to("New@example.com")
    assert message.body.count("http://localhost:8000/verify-email?token=") == 1
    assert message.alternatives  # an HTML part too


def test_verification_link_verifies_once(api_client):
    register(api_client)
    token = query_of(emails_to("new@example.com")[0])["token"]

    response = api_client.post("/api/auth/verify-email/", {"token": token}, format="json")
    assert response.status_code == 200
    assert User.objects.get(email="new@example.com").email_verified_at is not None

    again = api_client.post("/api/auth/verify-email/", {"token": token}, format="json")
    assert again.status_code == 400


def test_existing_email_gets_the_same_answer_and_an_account_exists_email(api_client):
    existing = UserFactory(email="taken@example.com")
    new = register(api_client, "fresh@example.com")
    taken = register(api_client, "TAKEN@example.com")
    assert taken.status_code == new.status_code == 201
    assert set(taken.json()) == set(new.json())
    assert taken.json()["detail"] == new.json()["detail"]
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    existing.refresh_from_db()
    assert existing.check_password(PASSWORD)
    (message,) = emails_to("taken@example.com")
    assert "already" in message.subject.lower() or "already" in message.body.lower()
    assert "verify-email" not in message.body


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "a@example.com", "password": "short"},
        {"email": "a@example.com", "password": "password"},
        {"email": "a@example.com", "password": "12345678901"},
        {"email": "not-an-email", "password": PASSWORD},
        {"email": "a@example.com"},
        {"email": "a\x00b@example.com", "password": PASSWORD},
        {"email": "a@example.com", "password": "x" * 10_000},
        {"email": "a" * 10_000 + "@example.com", "password": PASSWORD},
        {"email": "a@example.com", "password": PASSWORD, "first_name": "x" * 10_000},
    ],
)
def test_register_rejects_bad_input(api_client, payload, password_validators):
    response = api_client.post("/api/auth/register/", payload, format="json")
    assert response.status_code == 400
    assert not User.objects.exists()
    assert not mail.outbox


def test_password_similar_to_the_email_is_refused(api_client, password_validators):
    response = register(api_client, "jonathan.livingston@example.com", password="jonathan.livingston")
    assert response.status_code == 400
    assert "password" in response.json()


def test_register_accepts_non_dict_json_with_400(api_client):
    response = api_client.post("/api/auth/register/", ["a", "b"], format="json")
    assert response.status_code == 400


def test_mandatory_verification_blocks_login_until_verified(api_client):
    register(api_client)
    response = api_client.post("/api/auth/token/", {"email": "new@example.com", "password": PASSWORD}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "email_not_verified"

    token = query_of(emails_to("new@example.com")[0])["token"]
    api_client.post("/api/auth/verify-email/", {"token": token}, format="json")
    response = api_client.post("/api/auth/token/", {"email": "new@example.com", "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_unverified_and_wrong_password_is_a_plain_401(api_client):
    UserFactory(email="u@example.com", unverified=True)
    response = api_client.post("/api/auth/token/", {"email": "u@example.com", "password": "wrong"}, format="json")
    assert response.status_code == 401


@override_settings(BAZARY_ACCOUNTS={"EMAIL_VERIFICATION": "optional"})
def test_optional_verification_sends_the_email_but_allows_login(api_client):
    register(api_client)
    assert len(emails_to("new@example.com")) == 1
    response = api_client.post("/api/auth/token/", {"email": "new@example.com", "password": PASSWORD}, format="json")
    assert response.status_code == 200


@override_settings(BAZARY_ACCOUNTS={"EMAIL_VERIFICATION": "none"})
def test_no_verification_sends_nothing_and_allows_login(api_client):
    register(api_client)
    assert not mail.outbox
    response = api_client.post("/api/auth/token/", {"email": "new@example.com", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    resend = api_client.post("/api/auth/verify-email/resend/", {"email": "new@example.com"}, format="json")
    assert resend.status_code == 202
    assert not mail.outbox


@override_settings(BAZARY_ACCOUNTS={"VERIFY_EMAIL_URL": "https://shop.example/v/{token}/"})
def test_verify_url_comes_from_the_setting(api_client):
    register(api_client)
    body = emails_to("new@example.com")[0].body
    assert "https://shop.example/v/" in body


@override_settings(BAZARY_ACCOUNTS={"VERIFY_EMAIL_MAX_AGE": 60})
def test_expired_verification_token_is_refused(api_client):
    register(api_client)
    token = query_of(emails_to("new@example.com")[0])["token"]
    later = time.time() + 120
    with mock.patch("time.time", return_value=later):
        response = api_client.post("/api/auth/verify-email/", {"token": token}, format="json")
    assert response.status_code == 400
    assert User.objects.get(email="new@example.com").email_verified_at is None


@pytest.mark.parametrize("token", ["", "garbage", "a:b:c", "\x00", "x" * 10_000, "eyJ1IjoiMSJ9:1abc:zzz"])
def test_forged_verification_tokens_are_refused(api_client, token):
    response = api_client.post("/api/auth/verify-email/", {"token": token}, format="json")
    assert response.status_code == 400


def test_resend_answers_202_whatever_the_email(api_client):
    UserFactory(email="unverified@example.com", unverified=True)
    UserFactory(email="verified@example.com")
    answers = [
        api_client.post("/api/auth/verify-email/resend/", {"email": email}, format="json")
        for email in ("unverified@example.com", "verified@example.com", "nobody@example.com")
    ]
    assert {r.status_code for r in answers} == {202}
    assert len({r.content for r in answers}) == 1
    assert [m.to for m in mail.outbox] == [["unverified@example.com"]]
    token = query_of(mail.outbox[0])["token"]
    assert api_client.post("/api/auth/verify-email/", {"token": token}, format="json").status_code == 200


def test_resend_rejects_a_malformed_email(api_client):
    assert api_client.post("/api/auth/verify-email/resend/", {"email": "nope"}, format="json").status_code == 400


def test_a_concurrent_registration_of_the_same_address_is_answered_alike(api_client):
    from bazary.accounts.adapter import DefaultAccountAdapter

    winner = UserFactory(email="race@example.com")
    # The lookup misses the account created meanwhile; the insert then hits the unique constraint.
    with mock.patch.object(DefaultAccountAdapter, "get_user_by_email", side_effect=[None, winner]):
        response = register(api_client, "race@example.com")
    assert response.status_code == 201
    assert User.objects.filter(email__iexact="race@example.com").count() == 1
    (message,) = emails_to("race@example.com")
    assert "verify-email" not in message.body
