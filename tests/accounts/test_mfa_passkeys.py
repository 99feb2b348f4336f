"""Passkeys, server side, with a software authenticator (real P-256 keys and signatures)."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from bazary.accounts.mfa import has_mfa, methods
from bazary.accounts.mfa.models import Passkey
from bazary.accounts.models import Login
from bazary.testing.passkeys import SoftAuthenticator, b64url

from .conftest import PASSWORD, bearer, login
from .mfa_helpers import password_step

pytestmark = pytest.mark.django_db

ORIGIN = "http://localhost:8000"
NO_THROTTLE = {"THROTTLE_RATES": {"login": None, "password_check": None}}


def register(client, authenticator, name="Laptop", origin=ORIGIN):
    started = client.post("/api/auth/mfa/passkeys/register/options/", {"password": PASSWORD}, format="json")
    assert started.status_code == 200, started.content
    body = started.json()
    credential = authenticator.create(body["options"], origin)
    return client.post(
        "/api/auth/mfa/passkeys/", {"state": body["state"], "credential": credential, "name": name}, format="json"
    )


@pytest.fixture
def authenticator():
    return SoftAuthenticator()


@pytest.fixture
def client_of(api_client, user):
    return bearer(login(api_client, user.email)["access"])


def test_register_list_rename_delete(client_of, user, other_user, authenticator, django_assert_max_num_queries):
    created = register(client_of, authenticator)
    assert created.status_code == 201, created.content
    passkey = created.json()
    assert passkey["name"] == "Laptop"
    assert passkey["transports"] == ["internal"]
    assert has_mfa(user)
    assert methods(user) == ["passkey"]
    stored = Passkey.objects.get(user=user)
    assert stored.credential_id == b64url(authenticator.credentials[0].id)
    assert bytes(stored.public_key)  # the COSE key, for verifying assertions
    assert register(client_of, SoftAuthenticator(), name="Phone").status_code == 201
    with django_assert_max_num_queries(3):
        listed = client_of.get("/api/auth/mfa/passkeys/")
    assert [p["name"] for p in listed.json()] == ["Laptop", "Phone"]
    url = f"/api/auth/mfa/passkeys/{passkey['id']}/"
    renamed = client_of.patch(url, {"name": "Work laptop"}, format="json")
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Work laptop"
    # Another user's passkey is a 404, to rename and to delete.
    stranger = bearer(login(client_of, other_user.email)["access"])
    assert stranger.patch(url, {"name": "mine"}, format="json").status_code == 404
    assert stranger.delete(url, {"password": PASSWORD}, format="json").status_code == 404
    # Deleting needs the password.
    assert client_of.delete(url, {"password": "wrong"}, format="json").status_code == 400
    assert client_of.delete(url, {"password": PASSWORD}, format="json").status_code == 204
    assert [p["name"] for p in client_of.get("/api/auth/mfa/passkeys/").json()] == ["Phone"]


def test_registration_needs_the_password(client_of):
    response = client_of.post("/api/auth/mfa/passkeys/register/options/", {"password": "x"}, format="json")
    assert response.status_code == 400


def test_an_attestation_from_another_origin_is_refused(client_of, user, authenticator):
    response = register(client_of, authenticator, origin="https://evil.example")
    assert response.status_code == 400
    assert "credential" in response.json()
    assert not Passkey.objects.filter(user=user).exists()


def test_a_registration_state_works_once_and_for_its_user_only(api_client, client_of, user, other_user, authenticator):
    body = client_of.post("/api/auth/mfa/passkeys/register/options/", {"password": PASSWORD}, format="json").json()
    credential = authenticator.create(body["options"], ORIGIN)
    payload = {"state": body["state"], "credential": credential, "name": "A"}
    stranger = bearer(login(api_client, other_user.email)["access"])
    assert stranger.post("/api/auth/mfa/passkeys/", payload, format="json").status_code == 400
    assert client_of.post("/api/auth/mfa/passkeys/", payload, format="json").status_code == 201
    assert client_of.post("/api/auth/mfa/passkeys/", payload, format="json").status_code == 400


@override_settings(BAZARY_ACCOUNTS={"PASSKEY_CHALLENGE_MAX_AGE": 60})
def test_a_registration_state_expires(client_of, authenticator):
    body = client_of.post("/api/auth/mfa/passkeys/register/options/", {"password": PASSWORD}, format="json").json()
    credential = authenticator.create(body["options"], ORIGIN)
    with mock.patch("time.time", return_value=time.time() + 61):
        response = client_of.post(
            "/api/auth/mfa/passkeys/", {"state": body["state"], "credential": credential, "name": "A"}, format="json"
        )
    assert response.status_code == 400


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLE)
def test_a_passkey_as_the_second_factor(api_client, client_of, user, authenticator):
    assert register(client_of, authenticator).status_code == 201
    first = password_step(api_client, user.email).json()
    assert first["mfa_required"]
    assert first["methods"] == ["passkey"]
    options = api_client.post("/api/auth/token/mfa/passkey/options/", {"mfa_token": first["mfa_token"]}, format="json")
    assert options.status_code == 200
    body = options.json()
    assert [c["id"] for c in body["options"]["allowCredentials"]] == [Passkey.objects.get(user=user).credential_id]
    assertion = authenticator.get(body["options"], ORIGIN)
    done = api_client.post(
        "/api/auth/token/mfa/",
        {"mfa_token": first["mfa_token"], "state": body["state"], "credential": assertion},
        format="json",
    )
    assert done.status_code == 200, done.content
    assert bearer(done.json()["access"]).get("/api/auth/me/").status_code == 200
    assert Passkey.objects.get(user=user).sign_count == 1


@override_settings(BAZARY_ACCOUNTS={**NO_THROTTLE, "LOCKOUT_THRESHOLD": 2})
def test_a_bad_assertion_is_a_failed_login(api_client, client_of, user, authenticator):
    assert register(client_of, authenticator).status_code == 201
    token = password_step(api_client, user.email).json()["mfa_token"]
    statuses = []
    for _ in range(2):
        body = api_client.post("/api/auth/token/mfa/passkey/options/", {"mfa_token": token}, format="json").json()
        assertion = authenticator.get(body["options"], "http://localhost:9999")  # wrong origin
        statuses.append(
            api_client.post(
                "/api/auth/token/mfa/",
                {"mfa_token": token, "state": body["state"], "credential": assertion},
                format="json",
            ).status_code
        )
    assert statuses == [401, 403]


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLE)
def test_passwordless_login(api_client, client_of, user, authenticator):
    assert register(client_of, authenticator).status_code == 201
    logins = Login.objects.filter(user=user).count()
    body = api_client.post("/api/auth/passkey/login/options/").json()
    assert body["options"]["userVerification"] == "required"
    assert body["options"]["allowCredentials"] == []
    assertion = authenticator.get(body["options"], ORIGIN)
    payload = {"state": body["state"], "credential": assertion}
    done = api_client.post("/api/auth/passkey/login/", payload, format="json")
    assert done.status_code == 200, done.content
    assert set(done.json()) == {"access", "refresh"}
    assert Login.objects.filter(user=user).count() == logins + 1
    # The state is single-use: the same assertion again is refused.
    again = api_client.post("/api/auth/passkey/login/", payload, format="json")
    assert again.status_code == 401
    assert again.json()["code"] == "passkey_invalid"


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLE)
def test_passwordless_login_needs_user_verification(api_client, client_of, user):
    presence_only = SoftAuthenticator(user_verification=False)
    assert register(client_of, presence_only).status_code == 201
    body = api_client.post("/api/auth/passkey/login/options/").json()
    response = api_client.post(
        "/api/auth/passkey/login/",
        {"state": body["state"], "credential": presence_only.get(body["options"], ORIGIN)},
        format="json",
    )
    assert response.status_code == 401


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLE)
def test_passwordless_login_refuses_an_inactive_account(api_client, client_of, user, authenticator):
    assert register(client_of, authenticator).status_code == 201
    user.is_active = False
    user.save()
    body = api_client.post("/api/auth/passkey/login/options/").json()
    response = api_client.post(
        "/api/auth/passkey/login/",
        {"state": body["state"], "credential": authenticator.get(body["options"], ORIGIN)},
        format="json",
    )
    assert response.status_code == 401


def test_garbage_credentials_are_a_4xx(api_client, client_of):
    body = api_client.post("/api/auth/passkey/login/options/").json()
    for credential in ({}, {"id": 1}, {"id": "x", "rawId": "x", "response": {}, "type": "public-key"}, "x" * 100):
        response = api_client.post(
            "/api/auth/passkey/login/", {"state": body["state"], "credential": credential}, format="json"
        )
        assert response.status_code in (400, 401), response.content
    big = {"id": "x" * 20_000}
    assert (
        client_of.post(
            "/api/auth/mfa/passkeys/", {"state": "s", "credential": big, "name": "n"}, format="json"
        ).status_code
        == 400
    )


def test_deleting_the_account_removes_its_passkeys(client_of, user, authenticator):
    assert register(client_of, authenticator).status_code == 201
    assert client_of.delete("/api/auth/me/", {"password": PASSWORD}, format="json").status_code == 204
    assert not Passkey.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("rp_id", "origins"),
    [
        ("https://shop.example", ["https://shop.example"]),
        ("127.0.0.1", ["http://127.0.0.1:8000"]),
        ("shop.example", ["https://other.example"]),
        ("shop.example", ["http://shop.example"]),
        ("shop.example", ["https://shop.example/path"]),
        ("shop.example", []),
    ],
)
def test_the_system_check_refuses_bad_relying_party_settings(settings, rp_id, origins):
    settings.BAZARY_ACCOUNTS = {"PASSKEY_RP_ID": rp_id, "PASSKEY_ORIGINS": origins}
    with pytest.raises(SystemCheckError, match=r"bazary_accounts\.E030"):
        call_command("check")


def test_the_system_check_accepts_a_domain_and_its_subdomains(settings):
    settings.BAZARY_ACCOUNTS = {
        "PASSKEY_RP_ID": "shop.example",
        "PASSKEY_ORIGINS": ["https://shop.example", "https://www.shop.example:8443"],
    }
    call_command("check")


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLE)
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("signature", "AAAA"),
        ("signature", "not base64 !"),
        ("authenticatorData", "AAAA"),
        ("clientDataJSON", b64url(b"not json")),
        ("clientDataJSON", b64url(b'{"type": "webauthn.get"}')),
        ("userHandle", b64url(b"someone else")),
    ],
)
def test_a_tampered_assertion_is_a_401(api_client, client_of, user, authenticator, field, value):
    assert register(client_of, authenticator).status_code == 201
    body = api_client.post("/api/auth/passkey/login/options/").json()
    assertion = authenticator.get(body["options"], ORIGIN)
    assertion["response"][field] = value
    response = api_client.post(
        "/api/auth/passkey/login/", {"state": body["state"], "credential": assertion}, format="json"
    )
    assert response.status_code == 401, response.content


def test_the_passkey_list_costs_the_same_queries_for_1_and_20_passkeys(client_of, user, django_assert_max_num_queries):
    for count in (1, 20):
        Passkey.objects.filter(user=user).delete()
        Passkey.objects.bulk_create(
            [Passkey(user=user, name=f"k{i}", credential_id=f"id-{count}-{i}", public_key=b"k") for i in range(count)]
        )
        with django_assert_max_num_queries(2):  # the user (with its login), the passkeys
            response = client_of.get("/api/auth/mfa/passkeys/")
        assert len(response.json()) == count
