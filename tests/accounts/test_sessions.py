"""Sessions: the user's live refresh tokens, with where they were issued."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from .conftest import bearer, login

pytestmark = pytest.mark.django_db


def refresh(token):
    return APIClient().post("/api/auth/token/refresh/", {"refresh": token}, format="json")


def test_sessions_list_live_tokens_with_agent_and_ip(user, other_user):
    laptop = login(APIClient(), user.email, HTTP_USER_AGENT="Laptop/1.0", REMOTE_ADDR="203.0.113.7")
    phone = login(APIClient(), user.email, HTTP_USER_AGENT="Phone/2.0\x00", REMOTE_ADDR="198.51.100.2")
    login(APIClient(), other_user.email)
    # A logged-out session is no longer live.
    bearer(phone["access"]).post("/api/auth/logout/", {"refresh": phone["refresh"]}, format="json")

    response = bearer(laptop["access"]).get("/api/auth/sessions/")
    assert response.status_code == 200
    (session,) = response.json()["results"]
    assert session["user_agent"] == "Laptop/1.0"
    assert session["ip_address"] == "203.0.113.7"
    assert session["created"] < session["expires"]


def test_rotation_keeps_one_live_session(user):
    pair = login(APIClient(), user.email, HTTP_USER_AGENT="Laptop/1.0")
    rotated = refresh(pair["refresh"]).json()
    sessions = bearer(rotated["access"]).get("/api/auth/sessions/").json()["results"]
    assert len(sessions) == 1


def test_revoke_one_session(user):
    first = login(APIClient(), user.email)
    second = login(APIClient(), user.email)
    client = bearer(first["access"])
    sessions = client.get("/api/auth/sessions/").json()["results"]
    assert len(sessions) == 2
    newest = sessions[0]["id"]
    assert client.delete(f"/api/auth/sessions/{newest}/").status_code == 204
    assert refresh(second["refresh"]).status_code == 401
    assert refresh(first["refresh"]).status_code == 200
    assert client.delete(f"/api/auth/sessions/{newest}/").status_code == 404


def test_another_users_session_is_404(user, other_user):
    mine = login(APIClient(), user.email)
    theirs = login(APIClient(), other_user.email)
    their_id = bearer(theirs["access"]).get("/api/auth/sessions/").json()["results"][0]["id"]
    assert bearer(mine["access"]).delete(f"/api/auth/sessions/{their_id}/").status_code == 404
    assert refresh(theirs["refresh"]).status_code == 200


def test_sessions_need_authentication(api_client):
    assert api_client.get("/api/auth/sessions/").status_code == 401


@override_settings(BAZARY_ACCOUNTS={"THROTTLE_RATES": {"login": None}})
def test_session_list_query_count_does_not_grow(user, django_assert_max_num_queries):
    pair = login(APIClient(), user.email)
    client = bearer(pair["access"])
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/auth/sessions/?page_size=2").json()["results"]) == 1
    for _ in range(15):
        login(APIClient(), user.email)
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/auth/sessions/?page_size=20").json()["results"]) == 16
