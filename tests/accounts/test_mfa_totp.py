"""TOTP setup, recovery codes, and the two-step login (replay, expiry, single use, lockout, throttle)."""

from __future__ import annotations

import base64
import json
import re
import time
from unittest import mock

import pytest
from django.core import mail
from django.test import override_settings
from rest_framework.test import APIClient

from bazary.accounts.mfa import has_mfa, methods, reset
from bazary.accounts.mfa.models import RecoveryCode, TOTPDevice
from bazary.accounts.models import Login

from .conftest import PASSWORD, bearer, login
from .mfa_helpers import code_at, code_step, enable_totp, mfa_user_client, password_step

pytestmark = pytest.mark.django_db

NO_THROTTLE = {"THROTTLE_RATES": {"login": None, "password_check": None}}


@pytest.fixture(autouse=True)
def now():
    """The server's TOTP clock, in the middle of a 30-second step (no test straddles a step boundary)."""
    fixed = (int(time.time()) // 30) * 30 + 15.0
    with mock.patch("bazary.accounts.mfa.totp._now", return_value=fixed):
        yield fixed


def test_setup_answers_a_secret_an_otpauth_uri_and_an_svg_qr_code(auth_client, user):
    response = auth_client.post("/api/auth/mfa/totp/setup/", {"password": PASSWORD}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert re.fullmatch(r"[A-Z2-7]{32}", body["secret"])
    assert body["otpauth_uri"].startswith("otpauth://totp/bazary:")
    assert f"secret={body['secret']}" in body["otpauth_uri"]
    assert body["qr_code"].startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(body["qr_code"].split(",", 1)[1]).decode()
    assert svg.startswith("<svg")
    assert "path" in svg
    # Not on before a code confirms it, and the secret is sealed, not stored as it is.
    assert not has_mfa(user)
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed_at is None
    assert body["secret"] not in device.secret


def test_setup_needs_the_password(auth_client):
    response = auth_client.post("/api/auth/mfa/totp/setup/", {"password": "wrong"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_confirm_with_a_wrong_code_leaves_it_off(auth_client, user, now):
    secret = auth_client.post("/api/auth/mfa/totp/setup/", {"password": PASSWORD}, format="json").json()["secret"]
    wrong = f"{(int(code_at(secret, now)) + 1) % 1_000_000:06d}"
    response = auth_client.post("/api/auth/mfa/totp/confirm/", {"code": wrong}, format="json")
    assert response.status_code == 400
    assert "code" in response.json()
    assert not has_mfa(user)


def test_confirm_turns_it_on_and_shows_ten_recovery_codes_stored_hashed(auth_client, user):
    _secret, codes = enable_totp(auth_client)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert methods(user) == ["totp", "recovery_code"]
    stored = list(RecoveryCode.objects.filter(user=user).values_list("digest", flat=True))
    assert len(stored) == 10
    assert not {c.replace("-", "") for c in codes} & set(stored)
    status = auth_client.get("/api/auth/mfa/").json()
    assert status["enabled"] is True
    assert status["recovery_codes_left"] == 10
    assert status["totp"]["enabled"]
    # A second setup is refused while it is on.
    again = auth_client.post("/api/auth/mfa/totp/setup/", {"password": PASSWORD}, format="json")
    assert again.status_code == 400


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLE)
def test_the_two_step_login(api_client, user, now):
    secret, _codes = mfa_user_client(api_client, user, at=time.time() - 30)
    first = password_step(api_client, user.email)
    assert first.status_code == 200
    body = first.json()
    assert body["mfa_required"] is True
    assert body["methods"] == ["totp", "recovery_code"]
    assert "access" not in body
    assert "refresh" not in body
    logins = Login.objects.filter(user=user).count()
    second = code_step(api_client, body["mfa_token"], code_at(secret, now))
    assert second.status_code == 200, second.content
    pair = second.json()
    assert set(pair) == {"access", "refresh"}
    # Issued as every login is: a Login row, a session, tokens that work.
    assert Login.objects.filter(user=user).count() == logins + 1
    assert bearer(pair["access"]).get("/api/auth/me/").status_code == 200
    assert bearer(pair["access"]).get("/api/auth/sessions/").json()


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLE)
def test_a_wrong_password_never_reaches_the_second_step(api_client, user):
    mfa_user_client(api_client, user)
    response = password_step(api_client, user.email, "wrong password")
    assert response.status_code == 401
    assert "mfa_token" not in response.json()


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLE)
def test_a_code_is_refused_the_second_time_within_its_window(api_client, user, now):
    secret, _codes = mfa_user_client(api_client, user, at=now - 30)
    code = code_at(secret, now)
    token = password_step(api_client, user.email).json()["mfa_token"]
    assert code_step(api_client, token, code).status_code == 200
    # The same code (still inside its 30-second step and the drift) with a new password step.
    token = password_step(api_client, user.email).json()["mfa_token"]
    replay = code_step(api_client, token, code)
    assert replay.status_code == 401
    assert replay.json()["code"] == "mfa_code_invalid"
    # So is the code of the step before (already superseded).
    assert code_step(api_client, token, code_at(secret, now - 30)).status_code == 401


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLE)
def test_the_confirming_code_cannot_be_replayed_at_login(api_client, user, now):
    secret, _codes = mfa_user_client(api_client, user, at=now)
    token = password_step(api_client, user.email).json()["mfa_token"]
    assert code_step(api_client, token, code_at(secret, now)).status_code == 401


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLE)
def test_the_mfa_token_is_single_use(api_client, user, now):
    secret, _codes = mfa_user_client(api_client, user, at=now - 30)
    token = password_step(api_client, user.email).json()["mfa_token"]
    assert code_step(api_client, token, code_at(secret, now)).status_code == 200
    # Another valid, unused code (the next step, within the drift): the token is spent.
    again = code_step(api_client, token, code_at(secret, now + 30))
    assert again.status_code == 401
    assert again.json()["code"] == "mfa_token_invalid"


@override_settings(BAZARY_ACCOUNTS={**NO_THROTTLE, "MFA_TOKEN_MAX_AGE": 120})
def test_the_mfa_token_expires(api_client, user, now):
    secret, _codes = mfa_user_client(api_client, user, at=now - 30)
    token = password_step(api_client, user.email).json()["mfa_token"]
    with mock.patch("time.time", return_value=time.time() + 121):  # the clock of django.core.signing
        response = code_step(api_client, token, code_at(secret, now))
    assert response.status_code == 401
    assert response.json()["code"] == "mfa_token_invalid"


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLE)
def test_the_mfa_token_is_bound_to_the_user_and_the_password(api_client, user, other_user, now):
    secret, _codes = mfa_user_client(api_client, user, at=now - 30)
    token = password_step(api_client, user.email).json()["mfa_token"]
    # Tampering with it (to name another user) breaks the signature.
    payload, rest = token.split(":", 1)
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert data["u"] == str(user.pk)
    data["u"] = str(other_user.pk)
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode() + ":" + rest
    assert code_step(api_client, forged, code_at(secret, now)).json()["code"] == "mfa_token_invalid"
    # A password change ends it.
    user.set_password("a brand new passphrase 7")
    user.save()
    assert code_step(api_client, token, code_at(secret, now)).json()["code"] == "mfa_token_invalid"


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLE)
def test_a_recovery_code_works_once(api_client, user):
    _secret, codes = mfa_user_client(api_client, user)
    token = password_step(api_client, user.email).json()["mfa_token"]
    assert code_step(api_client, token, codes[0].upper()).status_code == 200  # case and dash do not matter
    token = password_step(api_client, user.email).json()["mfa_token"]
    refused = code_step(api_client, token, codes[0])
    assert refused.status_code == 401
    assert refused.json()["code"] == "mfa_code_invalid"
    assert code_step(api_client, token, codes[1]).status_code == 200
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=True).count() == 8


@override_settings(BAZARY_ACCOUNTS={**NO_THROTTLE, "LOCKOUT_THRESHOLD": 3})
def test_wrong_codes_count_toward_the_lockout(api_client, user, now):
    secret, _codes = mfa_user_client(api_client, user, at=now - 30)
    mail.outbox.clear()
    token = password_step(api_client, user.email).json()["mfa_token"]
    assert [code_step(api_client, token, "000000").status_code for _ in range(2)] == [401, 401]
    third = code_step(api_client, token, "000001")
    assert third.status_code == 403
    assert third.json()["code"] == "account_locked"
    # Locked: the right code and the right password are refused too, from this client.
    assert code_step(api_client, token, code_at(secret, now)).status_code == 403
    assert password_step(api_client, user.email).status_code == 403
    # The owner is mailed an unlock link, as after wrong passwords.
    assert any(user.email in m.to for m in mail.outbox)


@override_settings(BAZARY_ACCOUNTS={**NO_THROTTLE, "LOCKOUT_THRESHOLD": 3})
def test_a_right_password_does_not_clear_the_failures_of_wrong_codes(api_client, user):
    """Alternating the right password with wrong codes must not give unlimited guesses."""
    mfa_user_client(api_client, user)
    statuses = []
    for _ in range(3):
        token = password_step(api_client, user.email).json()["mfa_token"]
        statuses.append(code_step(api_client, token, "000000").status_code)
    assert statuses == [401, 401, 403]


@override_settings(BAZARY_ACCOUNTS={**NO_THROTTLE, "LOCKOUT_THRESHOLD": 3})
def test_wrong_passwords_and_wrong_codes_share_one_count(api_client, user):
    mfa_user_client(api_client, user)
    assert password_step(api_client, user.email, "wrong password").status_code == 401
    token = password_step(api_client, user.email).json()["mfa_token"]
    assert code_step(api_client, token, "000000").status_code == 401
    assert password_step(api_client, user.email, "wrong password").status_code == 403


@override_settings(BAZARY_ACCOUNTS={"THROTTLE_RATES": {"login": "3/min", "password_check": None}})
def test_both_steps_share_the_login_throttle(user, now):
    client = APIClient()
    # MFA on, set up through a login that does not count (another client address).
    secret, _codes = mfa_user_client(APIClient(REMOTE_ADDR="10.0.0.9"), user, at=now - 30)
    token = password_step(client, user.email).json()["mfa_token"]
    assert code_step(client, token, "000000").status_code == 401
    assert password_step(client, user.email, "wrong password").status_code == 401
    # The budget of 3 is spent: the right code is throttled like a fourth password would be.
    throttled = code_step(client, token, code_at(secret, now))
    assert throttled.status_code == 429
    assert password_step(client, user.email).status_code == 429


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLE)
def test_regenerating_recovery_codes_needs_password_and_code(api_client, user, now):
    tokens = login(api_client, user.email)
    client = bearer(tokens["access"])
    secret, codes = enable_totp(client, at=now - 30)
    url = "/api/auth/mfa/totp/recovery-codes/"
    assert client.post(url, {"password": "wrong", "code": code_at(secret, now)}, format="json").status_code == 400
    assert client.post(url, {"password": PASSWORD, "code": "000000"}, format="json").status_code == 400
    response = client.post(url, {"password": PASSWORD, "code": code_at(secret, now)}, format="json")
    assert response.status_code == 200
    fresh = response.json()["recovery_codes"]
    assert len(fresh) == 10
    assert not set(fresh) & set(codes)
    token = password_step(api_client, user.email).json()["mfa_token"]
    assert code_step(api_client, token, codes[0]).status_code == 401
    assert code_step(api_client, token, fresh[0]).status_code == 200


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLE)
def test_disabling_needs_password_and_code(api_client, user, now):
    tokens = login(api_client, user.email)
    client = bearer(tokens["access"])
    secret, codes = enable_totp(client, at=now - 30)
    url = "/api/auth/mfa/totp/disable/"
    assert client.post(url, {"password": PASSWORD, "code": "000000"}, format="json").status_code == 400
    assert client.post(url, {"password": "nope", "code": code_at(secret, now)}, format="json").status_code == 400
    assert has_mfa(user)
    assert client.post(url, {"password": PASSWORD, "code": codes[3]}, format="json").status_code == 204
    assert not has_mfa(user)
    assert not RecoveryCode.objects.filter(user=user).exists()
    # Back to one step.
    assert set(login(api_client, user.email)) == {"access", "refresh"}


def test_reset_removes_every_factor(api_client, user):
    mfa_user_client(api_client, user)
    assert reset(user) == {"totp": 1, "recovery_codes": 10, "passkeys": 0}
    assert not has_mfa(user)
    assert methods(user) == []


def test_the_mfa_endpoints_need_authentication(api_client):
    for url in ("/api/auth/mfa/", "/api/auth/mfa/totp/setup/", "/api/auth/mfa/passkeys/"):
        method = api_client.get if url.endswith("mfa/") or "passkeys" in url else api_client.post
        assert method(url).status_code == 401


def test_hostile_input_is_a_400(api_client, user):
    mfa_user_client(api_client, user)
    token = password_step(api_client, user.email).json()["mfa_token"]
    assert code_step(api_client, token, "1" * 100).status_code == 400
    assert api_client.post("/api/auth/token/mfa/", {"mfa_token": token}, format="json").status_code == 400
    bad = api_client.post("/api/auth/token/mfa/", {"mfa_token": "x" * 5000, "code": "123456"}, format="json")
    assert bad.status_code == 400
