"""A stranger cannot lock the owner out (issue 11 item 9).

Failures lock a client out of an account, per client address; the account-wide
count only slows failing clients down; the owner is mailed a one-time unlock link.
"""

import time
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from rest_framework.test import APIClient

from bazary.accounts import lockout
from bazary.testing.accounts import UserFactory

from .conftest import PASSWORD, emails_to, query_of

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"
SETTINGS = {"LOCKOUT_THRESHOLD": 3, "THROTTLE_RATES": {"login": None}}


def attempt(email, password="wrong password", *, ip, **extra):
    client = APIClient(REMOTE_ADDR=ip)
    return client.post("/api/auth/token/", {"email": email, "password": password}, format="json", **extra)


def unlock_mails(address):
    return [m for m in emails_to(address) if m.subject == "Failed logins to your account"]


@override_settings(BAZARY_ACCOUNTS=SETTINGS)
def test_the_attacker_is_locked_and_the_owner_still_logs_in_from_another_address():
    user = UserFactory(email="owner@example.com")
    codes = [attempt(user.email, ip=ATTACKER).status_code for _ in range(4)]
    assert codes == [401, 401, 403, 403]
    # The attacker is locked, even with the right password.
    locked = attempt(user.email, PASSWORD, ip=ATTACKER)
    assert (locked.status_code, locked.json()["code"]) == (403, "account_locked")
    # The owner, who has not failed, is not.
    owner = attempt(user.email, PASSWORD, ip=OWNER)
    assert owner.status_code == 200, owner.content
    assert owner.json()["access"]


@override_settings(BAZARY_ACCOUNTS=SETTINGS)
def test_the_account_wide_count_slows_failing_clients_down_and_never_locks_others():
    user = UserFactory(email="owner@example.com")
    # Failures from many addresses, none reaching the per-client threshold.
    for i in range(3):
        assert attempt(user.email, ip=f"192.0.2.{i}").status_code == 401
    # The account has now seen 3 failures: the next failing client must wait before its next try.
    assert attempt(user.email, ip="192.0.2.10").status_code == 401
    slowed = attempt(user.email, PASSWORD, ip="192.0.2.10")
    assert slowed.status_code == 429
    assert int(slowed.headers["Retry-After"]) >= 1
    # A client that has not failed is neither slowed nor locked.
    assert attempt(user.email, PASSWORD, ip=OWNER).status_code == 200
    # Once the wait is over, the slowed client may try again.
    with mock.patch("time.time", return_value=time.time() + 61):
        assert attempt(user.email, PASSWORD, ip="192.0.2.10").status_code == 200


@override_settings(BAZARY_ACCOUNTS=SETTINGS)
def test_the_slow_down_grows_with_the_failures():
    user = UserFactory(email="owner@example.com")
    ident = lockout.subject(user.email, user)
    waits = []
    for i in range(8):
        assert attempt(user.email, ip=f"192.0.2.{i}").status_code == 401  # each from a new address
        waits.append(lockout.wait_for(ident, f"192.0.2.{i}"))
    assert waits == [0, 0, 1, 2, 4, 8, 16, 32]  # from the threshold on, doubling (up to MAX_DELAY)
    assert lockout.wait_for(ident, OWNER) == 0  # never for a client that has not failed


@override_settings(BAZARY_ACCOUNTS={**SETTINGS, "EMAIL_VERIFICATION": "optional"})
def test_the_owner_is_mailed_a_one_time_unlock_link():
    user = UserFactory(email="owner@example.com", first_name="Claim at http://phish.example", unverified=True)
    mail.outbox.clear()
    for _ in range(3):
        attempt(user.email, ip=OWNER)  # the owner forgot their password, from their own device
    assert attempt(user.email, PASSWORD, ip=OWNER).status_code == 403
    (message,) = unlock_mails(user.email)
    assert "phish" not in message.body + message.subject + message.alternatives[0][0]
    link = query_of(message)
    assert message.body.count("http://localhost:8000/unlock-account?token=") == 1

    answer = APIClient().post("/api/auth/unlock/", {"token": link["token"]}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"detail": "Your account is unlocked: every device can log in again."}
    assert attempt(user.email, PASSWORD, ip=OWNER).status_code == 200

    again = APIClient().post("/api/auth/unlock/", {"token": link["token"]}, format="json")
    assert again.status_code == 400
    assert "token" in again.json()


@override_settings(BAZARY_ACCOUNTS=SETTINGS)
def test_the_unlock_mail_goes_once_per_lock_duration_and_never_for_unknown_addresses():
    UserFactory(email="owner@example.com")
    mail.outbox.clear()
    for i in range(3):  # three attackers, each locked
        for _ in range(3):
            attempt("owner@example.com", ip=f"203.0.113.{i}")
            attempt("nobody@example.com", ip=f"203.0.113.{i}")
    assert len(unlock_mails("owner@example.com")) == 1
    assert [m for m in mail.outbox if m.to != ["owner@example.com"]] == []


@override_settings(BAZARY_ACCOUNTS=SETTINGS)
def test_a_forged_or_garbled_unlock_token_is_a_400():
    for token in ("", "x" * 5000, "eyJ1IjoiMSJ9:forged:sig"):
        answer = APIClient().post("/api/auth/unlock/", {"token": token}, format="json")
        assert answer.status_code == 400


@override_settings(BAZARY_ACCOUNTS=SETTINGS)
def test_a_password_reset_clears_every_lock_of_the_account():
    user = UserFactory(email="owner@example.com")
    for _ in range(3):
        attempt(user.email, ip=OWNER)
    assert attempt(user.email, PASSWORD, ip=OWNER).status_code == 403
    mail.outbox.clear()
    APIClient().post("/api/auth/password/reset/", {"email": user.email}, format="json")
    (reset,) = [m for m in emails_to(user.email) if "uid=" in m.body]
    link = query_of(reset)
    body = {"uid": link["uid"], "token": link["token"], "new_password": "a brand new passphrase 7"}
    assert APIClient().post("/api/auth/password/reset/confirm/", body, format="json").status_code == 204
    assert attempt(user.email, "a brand new passphrase 7", ip=OWNER).status_code == 200


@override_settings(BAZARY_ACCOUNTS=SETTINGS)
def test_forwarded_for_does_not_dodge_the_lock_without_trusted_proxies():
    user = UserFactory(email="owner@example.com")
    codes = [attempt(user.email, ip=ATTACKER, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code for i in range(4)]
    assert codes == [401, 401, 403, 403]
    assert attempt(user.email, PASSWORD, ip=ATTACKER, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 403


@override_settings(BAZARY_CORE={"NUM_PROXIES": 1}, BAZARY_ACCOUNTS=SETTINGS)
def test_behind_a_trusted_proxy_the_client_cannot_dodge_the_lock_with_its_own_forwarded_for():
    user = UserFactory(email="owner@example.com")
    proxy = "10.0.0.1"
    # The client prepends made-up addresses; the proxy appends the one it saw.
    codes = [
        attempt(user.email, ip=proxy, HTTP_X_FORWARDED_FOR=f"172.16.0.{i}, {ATTACKER}").status_code for i in range(4)
    ]
    assert codes == [401, 401, 403, 403]
    # The owner, behind the same proxy, is another client.
    assert attempt(user.email, PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR=OWNER).status_code == 200


@override_settings(BAZARY_ACCOUNTS={"UNLOCK_URL": "https://shop.example/unlock"})
def test_the_unlock_url_must_have_its_placeholder():
    with pytest.raises(SystemCheckError, match=r"UNLOCK_URL must contain \{token\}"):
        call_command("check")
