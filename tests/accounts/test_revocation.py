"""Revocation takes effect at once: access tokens die with their login; a reused refresh token kills its login."""

import logging

import pytest
from django.core import mail
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from bazary.accounts.models import Login, RevokeReason, Session

from .conftest import NEW_PASSWORD, PASSWORD, bearer, emails_to, login, query_of

pytestmark = pytest.mark.django_db

ME = "/api/auth/me/"


def refresh(token: str):
    return APIClient().post("/api/auth/token/refresh/", {"refresh": token}, format="json")


def works(pair: dict) -> bool:
    return bearer(pair["access"]).get(ME).status_code == 200


def verify(token: str) -> int:
    return APIClient().post("/api/auth/token/verify/", {"token": token}, format="json").status_code


# -- access tokens die with their login ---------------------------------------------------


def test_logout_kills_that_sessions_access_token_only(user):
    phone, laptop = login(APIClient(), user.email), login(APIClient(), user.email)
    response = bearer(phone["access"]).post("/api/auth/logout/", {"refresh": phone["refresh"]}, format="json")
    assert response.status_code == 204
    denied = bearer(phone["access"]).get(ME)
    assert denied.status_code == 401
    assert denied.json() == {"detail": "Token is invalid, expired or revoked.", "code": "token_not_valid"}
    assert verify(phone["access"]) == 401
    assert works(laptop)
    assert verify(laptop["access"]) == 200
    assert refresh(laptop["refresh"]).status_code == 200


def test_logout_kills_the_access_tokens_of_every_rotation_of_that_login(user):
    pair = login(APIClient(), user.email)
    rotated = refresh(pair["refresh"]).json()
    assert works(pair)  # the first access token has not expired
    assert works(rotated)
    bearer(rotated["access"]).post("/api/auth/logout/", {"refresh": rotated["refresh"]}, format="json")
    assert not works(pair)
    assert not works(rotated)


def test_revoking_a_session_kills_its_access_token(user):
    mine, other = login(APIClient(), user.email), login(APIClient(), user.email)
    client = bearer(mine["access"])
    newest = client.get("/api/auth/sessions/").json()["results"][0]["id"]
    assert client.delete(f"/api/auth/sessions/{newest}/").status_code == 204
    assert not works(other)
    assert works(mine)


def test_logout_all_kills_every_access_token(user, other_user):
    first, second = login(APIClient(), user.email), login(APIClient(), user.email)
    theirs = login(APIClient(), other_user.email)
    assert bearer(first["access"]).post("/api/auth/logout-all/").status_code == 204
    assert not works(first)
    assert not works(second)
    assert works(theirs)
    assert set(Login.objects.filter(user=user).values_list("revoked_reason", flat=True)) == {RevokeReason.LOGOUT_ALL}


def test_password_change_kills_every_access_token_but_the_kept_sessions(user):
    here, elsewhere = login(APIClient(), user.email), login(APIClient(), user.email)
    response = bearer(here["access"]).post(
        "/api/auth/password/change/",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "refresh": here["refresh"]},
        format="json",
    )
    assert response.status_code == 204
    assert works(here)
    assert refresh(here["refresh"]).status_code == 200
    assert not works(elsewhere)
    assert refresh(elsewhere["refresh"]).status_code == 401


def test_password_change_without_a_kept_session_kills_them_all(user):
    here = login(APIClient(), user.email)
    response = bearer(here["access"]).post(
        "/api/auth/password/change/", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 204
    assert not works(here)


def _reset_link(client, user) -> dict:
    mail.outbox.clear()
    assert client.post("/api/auth/password/reset/", {"email": user.email}, format="json").status_code == 202
    (message,) = emails_to(user.email)
    return query_of(message)


def test_password_reset_kills_every_access_token(user):
    pair = login(APIClient(), user.email)
    link = _reset_link(APIClient(), user)
    response = APIClient().post(
        "/api/auth/password/reset/confirm/", {**link, "new_password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 204
    assert not works(pair)
    assert verify(pair["access"]) == 401


def test_deactivation_kills_the_sessions_for_good(user):
    pair = login(APIClient(), user.email)
    user.is_active = False
    user.save()
    assert not works(pair)
    user.is_active = True
    user.save()
    # Reactivating the account does not bring its old sessions back.
    assert not works(pair)
    assert refresh(pair["refresh"]).status_code == 401
    assert Login.objects.get(user=user).revoked_reason == RevokeReason.DEACTIVATED
    assert works(login(APIClient(), user.email))


def test_account_deletion_kills_every_access_token(user):
    here, elsewhere = login(APIClient(), user.email), login(APIClient(), user.email)
    assert bearer(here["access"]).delete(ME, {"password": PASSWORD}, format="json").status_code == 204
    assert not works(here)
    assert not works(elsewhere)


@override_settings(BAZARY_ACCOUNTS={"ROTATE_REFRESH_TOKENS": False})
def test_without_rotation_access_tokens_die_with_their_login_too(user):
    pair = login(APIClient(), user.email)
    access = refresh(pair["refresh"]).json()["access"]
    assert bearer(access).get(ME).status_code == 200
    bearer(access).post("/api/auth/logout/", {"refresh": pair["refresh"]}, format="json")
    assert bearer(access).get(ME).status_code == 401
    assert refresh(pair["refresh"]).status_code == 401


def test_an_access_token_without_a_login_is_refused(user):
    # simplejwt's own tokens name no login, so nothing could revoke them.
    access = str(RefreshToken.for_user(user).access_token)
    assert bearer(access).get(ME).status_code == 401
    assert verify(access) == 401


def test_a_refresh_token_from_before_logins_were_recorded_starts_one(user):
    legacy = RefreshToken.for_user(user)  # an outstanding row, no session, no login claim
    rotated = refresh(str(legacy))
    assert rotated.status_code == 200
    assert works(rotated.json())
    (recorded,) = Login.objects.filter(user=user)
    assert Session.objects.get(token__jti=RefreshToken(rotated.json()["refresh"])["jti"]).login == recorded
    bearer(rotated.json()["access"]).post("/api/auth/logout-all/")
    assert not works(rotated.json())


def test_an_authenticated_request_costs_one_query(user, django_assert_num_queries):
    pair = login(APIClient(), user.email)
    client = bearer(pair["access"])
    # The user and whether the token's login is live, in one statement: what simplejwt alone costs.
    with django_assert_num_queries(1) as captured:
        assert client.get(ME).status_code == 200
    assert "bazary_accounts_login" in captured.captured_queries[0]["sql"]


# -- email change links die with the password -------------------------------------------


def _email_change_link(client, new_email: str) -> dict:
    mail.outbox.clear()
    response = client.post("/api/auth/email/change/", {"new_email": new_email, "password": PASSWORD}, format="json")
    assert response.status_code == 202
    (message,) = emails_to(new_email)
    return query_of(message)


def test_an_email_change_link_dies_with_a_password_change(user):
    pair = login(APIClient(), user.email)
    client = bearer(pair["access"])
    link = _email_change_link(client, "new@example.com")
    client.post(
        "/api/auth/password/change/",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "refresh": pair["refresh"]},
        format="json",
    )
    response = client.post("/api/auth/email/change/confirm/", {"token": link["token"]}, format="json")
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email != "new@example.com"


def test_an_email_change_link_dies_with_a_password_reset(user):
    pair = login(APIClient(), user.email)
    link = _email_change_link(bearer(pair["access"]), "new@example.com")
    reset = _reset_link(APIClient(), user)
    APIClient().post("/api/auth/password/reset/confirm/", {**reset, "new_password": NEW_PASSWORD}, format="json")
    fresh = login(APIClient(), user.email, password=NEW_PASSWORD)
    response = bearer(fresh["access"]).post("/api/auth/email/change/confirm/", {"token": link["token"]}, format="json")
    assert response.status_code == 400


def test_an_email_change_link_still_works_without_a_password_change(user):
    pair = login(APIClient(), user.email)
    client = bearer(pair["access"])
    link = _email_change_link(client, "new@example.com")
    assert client.post("/api/auth/email/change/confirm/", {"token": link["token"]}, format="json").status_code == 200


# -- reuse of a rotated refresh token -----------------------------------------------------


def test_reusing_a_rotated_refresh_token_revokes_its_whole_login(user, caplog):
    a = login(APIClient(), user.email)
    other = login(APIClient(), user.email)
    b = refresh(a["refresh"]).json()
    c = refresh(b["refresh"]).json()
    with caplog.at_level(logging.WARNING, logger="bazary.accounts"):
        assert refresh(a["refresh"]).status_code == 401
    # C, the descendant, is dead: its refresh token and its access token.
    assert refresh(c["refresh"]).status_code == 401
    assert not works(c)
    assert verify(c["access"]) == 401
    # Another login of the same user is untouched.
    assert works(other)
    assert refresh(other["refresh"]).status_code == 200
    # Recorded: on the login, and in a warning that holds no token.
    login_a = Session.objects.get(token__jti=RefreshToken(c["refresh"], verify=False)["jti"]).login
    assert login_a.revoked_reason == RevokeReason.REUSE
    (record,) = [r for r in caplog.records if r.name == "bazary.accounts.sessions"]
    assert record.levelno == logging.WARNING
    assert str(login_a.pk) in record.getMessage()
    for token in (a["refresh"], b["refresh"], c["refresh"], c["access"]):
        assert token not in caplog.text
        assert token.split(".")[2] not in caplog.text


def test_reusing_a_token_of_a_login_already_revoked_changes_nothing_else(user, caplog):
    pair = login(APIClient(), user.email)
    other = login(APIClient(), user.email)
    rotated = refresh(pair["refresh"]).json()
    bearer(rotated["access"]).post("/api/auth/logout/", {"refresh": rotated["refresh"]}, format="json")
    with caplog.at_level(logging.WARNING, logger="bazary.accounts"):
        assert refresh(pair["refresh"]).status_code == 401
    assert not [r for r in caplog.records if r.name == "bazary.accounts.sessions"]
    assert works(other)


def test_reusing_a_token_rotated_before_logins_were_recorded_revokes_every_login(user):
    legacy = RefreshToken.for_user(user)
    legacy.blacklist()  # rotated by an older bazary: which login it began is unknown
    current = login(APIClient(), user.email)
    assert refresh(str(legacy)).status_code == 401
    assert not works(current)
    assert refresh(current["refresh"]).status_code == 401
    assert not OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).exists()


def test_a_refresh_costs_no_more_queries_than_before(user, django_assert_max_num_queries):
    pair = login(APIClient(), user.email)
    # The user, its lock, the token with its session and login, the blacklist check, three inserts, and
    # the savepoint and its release (10 before logins were recorded: the new outstanding row was read back).
    with django_assert_max_num_queries(9):
        assert refresh(pair["refresh"]).status_code == 200
