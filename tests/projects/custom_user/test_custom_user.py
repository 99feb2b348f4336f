"""Every accounts flow with a project's own user model (username login, unique email)."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.checks import run_checks
from rest_framework.test import APIClient

from bazary.testing.accounts import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def token_in(message) -> dict:
    url = re.search(r"https?://\S+", message.body).group(0)
    return {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}


def bearer(access):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def test_the_project_uses_its_own_user_model():
    Member = get_user_model()
    assert Member._meta.label == "custom_users.Member"
    assert Member.USERNAME_FIELD == "username"
    assert not {m.id for m in run_checks(tags=["bazary"]) if not m.is_silenced()}


def test_register_verify_login_refresh_logout(api_client):
    response = api_client.post(
        "/api/auth/register/",
        {"email": "member@example.com", "password": PASSWORD, "first_name": "ignored"},
        format="json",
    )
    assert response.status_code == 201
    member = get_user_model().objects.get(email="member@example.com")
    assert member.username == "member@example.com"
    assert member.email_verified_at is None

    credentials = {"email": "member@example.com", "password": PASSWORD}
    refused = api_client.post("/api/auth/token/", credentials, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "email_not_verified"

    (message,) = mail.outbox  # sent by a Django task: no bazary.notifications here
    verify = api_client.post("/api/auth/verify-email/", {"token": token_in(message)["token"]}, format="json")
    assert verify.status_code == 200

    pair = api_client.post("/api/auth/token/", credentials, format="json").json()
    me = bearer(pair["access"]).get("/api/auth/me/").json()
    assert me["email"] == "member@example.com"
    assert me["email_verified"] is True
    assert "first_name" not in me

    rotated = api_client.post("/api/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json")
    assert rotated.status_code == 200

    new = rotated.json()
    logout = bearer(new["access"]).post("/api/auth/logout/", {"refresh": new["refresh"]}, format="json")
    assert logout.status_code == 204
    assert api_client.post("/api/auth/token/refresh/", {"refresh": new["refresh"]}).status_code == 401
    assert bearer(new["access"]).get("/api/auth/me/").status_code == 401

    # Reusing a rotated refresh token revokes its login, the token it was rotated into included.
    again = api_client.post("/api/auth/token/", credentials, format="json").json()
    descendant = api_client.post("/api/auth/token/refresh/", {"refresh": again["refresh"]}, format="json").json()
    assert api_client.post("/api/auth/token/refresh/", {"refresh": again["refresh"]}).status_code == 401
    assert bearer(descendant["access"]).get("/api/auth/me/").status_code == 401


def test_password_reset_and_account_deletion(api_client):
    member = UserFactory(email="m@example.com", display_name="Mo")
    AddressFactory(user=member)
    api_client.post("/api/auth/password/reset/", {"email": "M@example.com"}, format="json")
    link = token_in(mail.outbox[0])
    new_password = "a brand new passphrase 7"
    confirm = api_client.post("/api/auth/password/reset/confirm/", {**link, "new_password": new_password})
    assert confirm.status_code == 204

    pair = api_client.post("/api/auth/token/", {"email": "m@example.com", "password": new_password}).json()
    client = bearer(pair["access"])
    assert client.delete("/api/auth/me/", {"password": new_password}, format="json").status_code == 204
    member.refresh_from_db()
    assert not member.is_active
    assert member.email != "m@example.com"
    assert member.username == member.email
    assert not member.bazary_addresses.exists()
    again = api_client.post("/api/auth/register/", {"email": "m@example.com", "password": PASSWORD})
    assert again.status_code == 201


def test_a_user_model_without_the_profile_extras_keeps_working(api_client):
    """Member has only language and timezone of AbstractUser's profile extras: the profile leaves
    the others out, their endpoints are 404, the export and the mail work with the fields it has."""
    member = UserFactory(email="x@example.com", display_name="Xu")
    pair = api_client.post("/api/auth/token/", {"email": "x@example.com", "password": PASSWORD}).json()
    client = bearer(pair["access"])
    me = client.get("/api/auth/me/").json()
    for name in ("phone", "date_of_birth", "avatar", "marketing_opt_in"):
        assert name not in me
    assert (me["language"], me["timezone"]) == ("", "")
    # Sent fields the model lacks are ignored, as other unknown fields are.
    assert client.patch("/api/auth/me/", {"phone": "+33612345678"}, format="json").status_code == 200
    assert client.put("/api/auth/me/avatar/", {}, format="multipart").status_code == 404
    assert client.post("/api/auth/me/marketing/", {}, format="json").status_code == 404

    export = client.get("/api/auth/me/export/").json()
    assert set(export) == {"exported_at", "profile", "addresses", "sessions", "activity", "mfa"}
    assert export["profile"]["username"] == "x@example.com"
    assert export["profile"]["display_name"] == "Xu"
    assert "password" not in export["profile"]
    assert "groups" not in export["profile"]  # Member has no groups

    mail.outbox.clear()
    change = client.post(
        "/api/auth/password/change/",
        {"current_password": PASSWORD, "new_password": "another long passphrase 42"},
        format="json",
    )
    assert change.status_code == 204
    (message,) = mail.outbox
    assert "When:" in message.body  # in the site's language and zone
    member.refresh_from_db()


def test_the_activity_log_works_with_the_custom_user(api_client):
    from bazary.accounts.models import AccountEvent

    member = UserFactory(email="logged@example.com")
    client = APIClient(REMOTE_ADDR="198.51.100.4")
    assert client.post("/api/auth/token/", {"email": "logged@example.com", "password": "wrong"}).status_code == 401
    pair = client.post("/api/auth/token/", {"email": "logged@example.com", "password": PASSWORD}).json()
    body = bearer(pair["access"]).get("/api/auth/activity/").json()
    assert [(e["kind"], e["ip"]) for e in body["results"]] == [
        ("login_succeeded", "198.51.100.4"),
        ("login_failed", "198.51.100.4"),
    ]
    member.delete()
    assert list(AccountEvent.objects.values_list("user", "ip")) == [(None, None), (None, None)]


def test_the_staff_api_is_closed_to_a_model_without_staff():
    UserFactory(email="plain@example.com")
    pair = APIClient().post("/api/auth/token/", {"email": "plain@example.com", "password": PASSWORD}).json()
    assert bearer(pair["access"]).get("/api/auth/users/").status_code == 403
    assert APIClient().get("/api/auth/users/").status_code == 401


def test_a_custom_user_with_its_own_language_and_zone_gets_mail_in_them(api_client):
    from zoneinfo import ZoneInfo

    from django.utils import formats, timezone, translation

    UserFactory(email="z@example.com")
    pair = api_client.post("/api/auth/token/", {"email": "z@example.com", "password": PASSWORD}).json()
    client = bearer(pair["access"])
    refused = client.patch("/api/auth/me/", {"language": "xx", "timezone": "Nowhere/Land"}, format="json")
    assert refused.status_code == 400
    assert set(refused.json()) == {"language", "timezone"}
    changed = client.patch("/api/auth/me/", {"language": "de", "timezone": "Asia/Tokyo"}, format="json")
    assert changed.status_code == 200, changed.json()
    member = get_user_model().objects.get(email="z@example.com")
    assert (member.language, member.timezone) == ("de", "Asia/Tokyo")

    mail.outbox.clear()
    before = timezone.now()
    client.post(
        "/api/auth/password/change/",
        {"current_password": PASSWORD, "new_password": "another long passphrase 42"},
        format="json",
    )
    (message,) = mail.outbox  # sent by a Django task: no bazary.notifications here
    with translation.override("de"):
        expected = formats.date_format(before.astimezone(ZoneInfo("Asia/Tokyo")), "DATE_FORMAT")
    assert expected in message.body


def test_the_farewell_of_a_deleted_custom_user_is_in_the_language_and_zone_it_had(api_client):
    from zoneinfo import ZoneInfo

    from django.utils import formats, timezone, translation

    UserFactory(email="gone@example.com")
    pair = api_client.post("/api/auth/token/", {"email": "gone@example.com", "password": PASSWORD}).json()
    client = bearer(pair["access"])
    assert client.patch("/api/auth/me/", {"language": "de", "timezone": "Asia/Tokyo"}, format="json").status_code == 200
    mail.outbox.clear()
    before = timezone.now()
    assert client.delete("/api/auth/me/", {"password": PASSWORD}, format="json").status_code == 204
    (message,) = mail.outbox  # by a Django task, rendered after the profile was blanked
    assert message.to == ["gone@example.com"]
    with translation.override("de"):
        expected = formats.date_format(before.astimezone(ZoneInfo("Asia/Tokyo")), "DATE_FORMAT")
    assert expected in message.body
