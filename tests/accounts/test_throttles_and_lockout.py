"""Lockout after failed logins and the per-endpoint throttles."""

import time
from unittest import mock

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from bazary.testing.accounts import UserFactory

from .conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


def attempt(client, email, password="wrong password", **extra):
    return client.post("/api/auth/token/", {"email": email, "password": password}, format="json", **extra)


@override_settings(BAZARY_ACCOUNTS={"LOCKOUT_THRESHOLD": 3, "THROTTLE_RATES": {"login": None}})
def test_failed_logins_lock_the_account(api_client, user):
    assert [attempt(api_client, user.email).status_code for _ in range(2)] == [401, 401]
    third = attempt(api_client, user.email)
    assert third.status_code == 403
    assert third.json()["code"] == "account_locked"
    # Even the right password is refused while locked, for this client.
    locked = attempt(api_client, user.email.upper(), PASSWORD)
    assert locked.status_code == 403
    assert locked.json()["code"] == "account_locked"


@override_settings(BAZARY_ACCOUNTS={"LOCKOUT_THRESHOLD": 2, "THROTTLE_RATES": {"login": None}})
def test_unknown_addresses_lock_the_same_way(api_client, user):
    """No enumeration through the lockout either."""
    known = [attempt(api_client, user.email).status_code for _ in range(3)]
    unknown = [attempt(api_client, "nobody@example.com").status_code for _ in range(3)]
    assert known == unknown == [401, 403, 403]


@override_settings(BAZARY_ACCOUNTS={"LOCKOUT_THRESHOLD": 3, "THROTTLE_RATES": {"login": None}})
def test_success_resets_the_counter(api_client, user):
    attempt(api_client, user.email)
    attempt(api_client, user.email)
    login(api_client, user.email)
    assert attempt(api_client, user.email).status_code == 401
    assert attempt(api_client, user.email).status_code == 401


@override_settings(BAZARY_ACCOUNTS={"LOCKOUT_THRESHOLD": 2, "LOCKOUT_DURATION": 60, "THROTTLE_RATES": {"login": None}})
def test_the_lock_expires(api_client, user):
    attempt(api_client, user.email)
    attempt(api_client, user.email)
    assert attempt(api_client, user.email, PASSWORD).status_code == 403
    # The clock moves past LOCKOUT_DURATION.
    with mock.patch("time.time", return_value=time.time() + 61):
        assert attempt(api_client, user.email, PASSWORD).status_code == 200


@override_settings(BAZARY_ACCOUNTS={"LOCKOUT_THRESHOLD": 0, "THROTTLE_RATES": {"login": None}})
def test_lockout_can_be_turned_off(api_client, user):
    assert {attempt(api_client, user.email).status_code for _ in range(10)} == {401}


@override_settings(BAZARY_ACCOUNTS={"THROTTLE_RATES": {"login": "3/min"}, "LOCKOUT_THRESHOLD": 0})
def test_login_is_throttled_per_ip_and_forwarded_for_does_not_help(user):
    client = APIClient()
    for i in range(3):
        attempt(client, f"a{i}@example.com", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    throttled = attempt(client, user.email, PASSWORD, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    # Another client address is not affected.
    assert attempt(client, user.email, PASSWORD, REMOTE_ADDR="203.0.113.6").status_code == 200


@override_settings(BAZARY_CORE={"NUM_PROXIES": 1}, BAZARY_ACCOUNTS={"THROTTLE_RATES": {"register": "2/min"}})
def test_behind_a_trusted_proxy_the_real_client_is_throttled():
    client = APIClient()

    def register(i, forwarded):
        return client.post(
            "/api/auth/register/",
            {"email": f"r{i}@example.com", "password": PASSWORD},
            format="json",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    # The client prepends fake addresses; the proxy appends the real one (last).
    assert register(1, "1.1.1.1, 203.0.113.5").status_code == 201
    assert register(2, "2.2.2.2, 203.0.113.5").status_code == 201
    assert register(3, "3.3.3.3, 203.0.113.5").status_code == 429
    assert register(4, "203.0.113.6").status_code == 201


@override_settings(BAZARY_ACCOUNTS={"THROTTLE_RATES": {"password_reset": "100/min", "password_reset_email": "2/hour"}})
def test_password_reset_is_throttled_per_email_across_ips(user):
    answers = [
        APIClient().post(
            "/api/auth/password/reset/", {"email": user.email.upper()}, format="json", REMOTE_ADDR=f"203.0.113.{i}"
        )
        for i in range(3)
    ]
    assert [r.status_code for r in answers] == [202, 202, 429]
    assert "Retry-After" in answers[2].headers
    other = APIClient().post("/api/auth/password/reset/", {"email": "else@example.com"}, format="json")
    assert other.status_code == 202


@override_settings(BAZARY_ACCOUNTS={"THROTTLE_RATES": {"verify_email_resend": "2/hour"}})
def test_verification_resend_is_throttled(api_client):
    UserFactory(email="u@example.com", unverified=True)
    codes = [
        api_client.post("/api/auth/verify-email/resend/", {"email": f"x{i}@example.com"}, format="json").status_code
        for i in range(3)
    ]
    assert codes == [202, 202, 429]


def test_default_rates_do_not_trip_on_a_normal_session(api_client, user):
    for _ in range(5):
        login(api_client, user.email)


@override_settings(BAZARY_CORE={"THROTTLE_RATES": {"anon": "2/min", "user": "3/min"}})
def test_the_api_wide_rates_apply_on_top(api_client, auth_client):
    codes = [api_client.post("/api/auth/token/verify/", {"token": "x"}).status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    codes = [auth_client.get("/api/auth/me/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
