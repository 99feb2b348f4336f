"""The MFA steps write the activity log: one event each, with the client address the throttles use."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.test import override_settings

from bazary.accounts.models import AccountEvent
from bazary.testing.passkeys import SoftAuthenticator

from .conftest import PASSWORD, login
from .mfa_helpers import code_at, code_step, enable_totp, password_step

pytestmark = pytest.mark.django_db

NO_THROTTLE = {"THROTTLE_RATES": {"login": None, "password_check": None}}
ORIGIN = "http://localhost:8000"
#: What the client sends; without BAZARY_CORE["NUM_PROXIES"] it must not be what is stored.
SPOOFED = {"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}


@pytest.fixture
def now():
    fixed = (int(time.time()) // 30) * 30 + 15.0
    with mock.patch("bazary.accounts.mfa.totp._now", return_value=fixed):
        yield fixed


def kinds(user) -> list[str]:
    return list(AccountEvent.objects.filter(user=user).order_by("pk").values_list("kind", flat=True))


def client_for(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {login(api_client, user.email)['access']}")
    api_client.defaults.update(SPOOFED)
    return api_client


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLE)
def test_totp_and_recovery_code_events(api_client, user, now):
    client = client_for(api_client, user)
    AccountEvent.objects.all().delete()
    secret, codes = enable_totp(client, at=now - 30)
    assert kinds(user) == ["mfa_enabled"]
    event = AccountEvent.objects.get(user=user)
    assert event.ip == "203.0.113.7"
    assert event.data == {"method": "totp"}

    anonymous = type(api_client)(**SPOOFED)
    token = password_step(anonymous, user.email).json()["mfa_token"]
    AccountEvent.objects.all().delete()
    assert code_step(anonymous, token, "000000").status_code == 401
    assert code_step(anonymous, token, code_at(secret, now)).status_code == 200
    assert code_step(anonymous, password_step(anonymous, user.email).json()["mfa_token"], codes[0]).status_code == 200
    mfa_events = [k for k in kinds(user) if k.startswith(("mfa", "recovery"))]
    assert mfa_events == ["mfa_failed", "mfa_used", "recovery_code_used"]
    assert AccountEvent.objects.get(user=user, kind="recovery_code_used").data == {"left": 9}
    assert set(AccountEvent.objects.filter(user=user).values_list("ip", flat=True)) == {"203.0.113.7"}

    AccountEvent.objects.all().delete()
    url = "/api/auth/mfa/totp/recovery-codes/"
    assert client.post(url, {"password": PASSWORD, "code": codes[1]}, format="json").status_code == 200
    fresh = client.post(url, {"password": PASSWORD, "code": codes[1]}, format="json")
    assert fresh.status_code == 400  # that code is spent, and nothing more is written
    new_codes = client.post(url, {"password": PASSWORD, "code": code_at(secret, now + 30)}, format="json")
    disable = {"password": PASSWORD, "code": new_codes.json()["recovery_codes"][0]}
    assert client.post("/api/auth/mfa/totp/disable/", disable, format="json").status_code == 204
    assert kinds(user) == ["recovery_codes_regenerated", "recovery_codes_regenerated", "mfa_disabled"]
    assert AccountEvent.objects.filter(user=user, kind="mfa_disabled").get().data == {
        "method": "totp",
        "code": "recovery_code",
    }


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLE)
def test_passkey_events(api_client, user):
    client = client_for(api_client, user)
    authenticator = SoftAuthenticator()
    AccountEvent.objects.all().delete()
    body = client.post("/api/auth/mfa/passkeys/register/options/", {"password": PASSWORD}, format="json").json()
    credential = authenticator.create(body["options"], ORIGIN)
    created = client.post(
        "/api/auth/mfa/passkeys/", {"state": body["state"], "credential": credential, "name": "Key"}, format="json"
    ).json()
    options = client.post("/api/auth/passkey/login/options/").json()
    assertion = authenticator.get(options["options"], ORIGIN)
    payload = {"state": options["state"], "credential": assertion}
    assert client.post("/api/auth/passkey/login/", payload, format="json").status_code == 200
    url = f"/api/auth/mfa/passkeys/{created['id']}/"
    assert client.delete(url, {"password": PASSWORD}, format="json").status_code == 204
    mfa_events = [k for k in kinds(user) if k.startswith(("mfa", "passkey"))]
    assert mfa_events == ["passkey_added", "mfa_used", "passkey_removed"]
    assert AccountEvent.objects.get(user=user, kind="passkey_added").data == {"passkey": created["id"], "name": "Key"}
    assert AccountEvent.objects.get(user=user, kind="mfa_used").data == {"method": "passkey", "passwordless": True}
    assert set(AccountEvent.objects.filter(user=user).values_list("ip", flat=True)) == {"203.0.113.7"}
