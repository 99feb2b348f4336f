"""Every flow of bazary.accounts writes its activity event once, with the client address the
throttles use: a client's own ``X-Forwarded-For`` never changes it."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from bazary.accounts import tokens
from bazary.accounts.activity import EventKind
from bazary.accounts.models import AccountEvent
from bazary.testing.accounts import UserFactory

from .conftest import NEW_PASSWORD, PASSWORD

pytestmark = pytest.mark.django_db

IP = "198.51.100.23"
SPOOFED = "6.6.6.6"
AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
NO_THROTTLES = {"THROTTLE_RATES": {"login": None, "password_reset": None, "password_reset_email": None}}


def client_from(ip=IP):
    # Every request claims another address in X-Forwarded-For: without trusted proxies it must not count.
    return APIClient(REMOTE_ADDR=ip, HTTP_X_FORWARDED_FOR=SPOOFED, HTTP_USER_AGENT=AGENT)


def sign_in(user, ip=IP):
    client = client_from(ip)
    response = client.post("/api/auth/token/", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    pair = response.json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    return client, pair


def only(kind, **expected):
    """The one event of ``kind``; its address is the real client's."""
    events = list(AccountEvent.objects.filter(kind=kind))
    assert len(events) == 1, [(e.kind, e.data) for e in AccountEvent.objects.all()]
    event = events[0]
    assert event.ip == expected.pop("ip", IP)
    assert event.user_agent == expected.pop("user_agent", AGENT)
    for name, value in expected.items():
        assert getattr(event, name) == value, name
    return event


def test_login_succeeded(user):
    sign_in(user)
    event = only(EventKind.LOGIN_SUCCEEDED, user=user, actor=None)
    assert event.data == {"method": "password"}


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLES)
def test_a_failed_login_records_the_normalised_address_and_answers_as_before(user):
    client = client_from()
    known = client.post("/api/auth/token/", {"email": user.email.upper(), "password": "wrong"}, format="json")
    event = only(EventKind.LOGIN_FAILED, user=user)
    assert event.data == {"email": user.email.upper().split("@")[0] + "@example.com", "reason": "credentials"}
    AccountEvent.objects.all().delete()
    unknown = client.post("/api/auth/token/", {"email": " Nobody@EXAMPLE.com", "password": "wrong"}, format="json")
    event = only(EventKind.LOGIN_FAILED, user=None)
    assert event.data == {"email": "Nobody@example.com", "reason": "credentials"}
    # Nothing of it shows: the same 401 and body for a known and an unknown address.
    assert (
        (known.status_code, known.json())
        == (unknown.status_code, unknown.json())
        == (
            401,
            {"detail": "No active account found with the given credentials.", "code": "authentication_failed"},
        )
    )


@override_settings(BAZARY_ACCOUNTS={**NO_THROTTLES, "EMAIL_VERIFICATION": "mandatory"})
def test_a_login_refused_for_an_unverified_address_is_a_failure():
    user = UserFactory(unverified=True)
    response = client_from().post("/api/auth/token/", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 403
    assert only(EventKind.LOGIN_FAILED, user=user).data["reason"] == "email_not_verified"


@override_settings(BAZARY_ACCOUNTS={**NO_THROTTLES, "LOCKOUT_THRESHOLD": 2})
def test_lockout_and_unlock(user):
    client = client_from()
    for _ in range(2):
        client.post("/api/auth/token/", {"email": user.email, "password": "wrong"}, format="json")
    only(EventKind.LOCKED_OUT, user=user, data={"email": user.email})
    locked = client.post("/api/auth/token/", {"email": user.email, "password": PASSWORD}, format="json")
    assert locked.status_code == 403
    assert AccountEvent.objects.filter(kind=EventKind.LOGIN_FAILED, data__reason="locked").count() == 1
    token = tokens.make_unlock_token(user)
    assert client.post("/api/auth/unlock/", {"token": token}, format="json").status_code == 200
    only(EventKind.UNLOCKED, user=user)


def test_logout(user):
    client, pair = sign_in(user)
    assert client.post("/api/auth/logout/", {"refresh": pair["refresh"]}, format="json").status_code == 204
    only(EventKind.LOGGED_OUT, user=user)


def test_logout_all(user):
    client, _pair = sign_in(user)
    assert client.post("/api/auth/logout-all/").status_code == 204
    only(EventKind.LOGGED_OUT_ALL, user=user)


def test_session_revoked(user):
    client, _pair = sign_in(user)
    session_id = client.get("/api/auth/sessions/").json()["results"][0]["id"]
    assert client.delete(f"/api/auth/sessions/{session_id}/").status_code == 204
    assert only(EventKind.SESSION_REVOKED, user=user).data == {"session": session_id}


def test_refresh_reuse_detected(user):
    client, pair = sign_in(user)
    assert client.post("/api/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json").status_code == 200
    assert client.post("/api/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json").status_code == 401
    assert only(EventKind.REFRESH_REUSED, user=user).data == {"revoked": 1}


def test_password_changed(user):
    client, _pair = sign_in(user)
    response = client.post(
        "/api/auth/password/change/", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 204
    only(EventKind.PASSWORD_CHANGED, user=user)


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLES)
def test_password_reset_requested_and_completed(user):
    client = client_from()
    assert client.post("/api/auth/password/reset/", {"email": user.email}, format="json").status_code == 202
    # Written by the task after the response, with the address of the request.
    only(EventKind.PASSWORD_RESET_REQUESTED, user=user)
    # An unknown address is the same 202 and no event.
    assert client.post("/api/auth/password/reset/", {"email": "no@example.com"}, format="json").status_code == 202
    assert AccountEvent.objects.filter(kind=EventKind.PASSWORD_RESET_REQUESTED).count() == 1
    body = {
        "uid": tokens.make_password_reset_uid(user),
        "token": tokens.make_password_reset_token(user),
        "new_password": NEW_PASSWORD,
    }
    assert client.post("/api/auth/password/reset/confirm/", body, format="json").status_code == 204
    only(EventKind.PASSWORD_RESET_COMPLETED, user=user)


def test_email_change_requested_and_confirmed(user):
    client, _pair = sign_in(user)
    old = user.email
    response = client.post("/api/auth/email/change/", {"new_email": "new@example.com", "password": PASSWORD})
    assert response.status_code == 202
    assert only(EventKind.EMAIL_CHANGE_REQUESTED, user=user).data == {"new_email": "new@example.com"}
    token = tokens.make_email_change_token(user, "new@example.com")
    assert client.post("/api/auth/email/change/confirm/", {"token": token}, format="json").status_code == 200
    assert only(EventKind.EMAIL_CHANGE_CONFIRMED, user=user).data == {"old_email": old, "new_email": "new@example.com"}


def test_verification_completed():
    user = UserFactory(unverified=True)
    token = tokens.make_verify_email_token(user)
    assert client_from().post("/api/auth/verify-email/", {"token": token}, format="json").status_code == 200
    only(EventKind.EMAIL_VERIFIED, user=user)


def test_account_deleted_leaves_an_anonymous_event(user):
    client, _pair = sign_in(user)
    assert client.delete("/api/auth/me/", {"password": PASSWORD}, format="json").status_code == 204
    only(EventKind.ACCOUNT_DELETED, user=user, ip=None, user_agent="", data={})
    # The earlier sign-in is still there, without its address.
    signed_in = AccountEvent.objects.get(kind=EventKind.LOGIN_SUCCEEDED)
    assert (signed_in.ip, signed_in.user_agent, signed_in.data) == (None, "", {})


@override_settings(BAZARY_CORE={"NUM_PROXIES": 1})
def test_behind_a_trusted_proxy_the_address_it_saw_is_recorded(user):
    client = APIClient(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=f"{SPOOFED}, {IP}", HTTP_USER_AGENT=AGENT)
    response = client.post("/api/auth/token/", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    only(EventKind.LOGIN_SUCCEEDED, user=user)


@override_settings(BAZARY_ACCOUNTS={**NO_THROTTLES, "LOCKOUT_THRESHOLD": 1})
def test_a_failure_that_locks_writes_both_events_in_one_insert(user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client_from().post("/api/auth/token/", {"email": user.email, "password": "wrong"}, format="json")
    inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "bazary_accounts_accountevent"')]
    assert len(inserts) == 1
    assert sorted(AccountEvent.objects.values_list("kind", flat=True)) == ["locked_out", "login_failed"]


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLES)
def test_a_sign_in_with_a_second_factor_is_one_login_succeeded_naming_the_factor(api_client, user):
    import time

    from .mfa_helpers import code_at, code_step, mfa_user_client, password_step

    secret, _codes = mfa_user_client(api_client, user, at=time.time() - 30)  # the login uses the next code
    AccountEvent.objects.all().delete()
    client = client_from()
    challenge = password_step(client, user.email).json()
    assert challenge["mfa_required"] is True
    assert not AccountEvent.objects.filter(kind=EventKind.LOGIN_SUCCEEDED).exists()  # not signed in yet
    assert code_step(client, challenge["mfa_token"], code_at(secret)).status_code == 200
    assert only(EventKind.LOGIN_SUCCEEDED, user=user).data == {"method": "totp"}
