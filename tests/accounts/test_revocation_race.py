"""Revocation and rotation exclude each other: a refresh racing logout-all never leaves a live token."""

import threading
import time

import pytest
from django.db import close_old_connections, connection
from django.test import override_settings
from rest_framework.test import APIClient

from bazary.accounts.sessions import live_tokens
from bazary.testing.accounts import UserFactory

from .conftest import bearer, login

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SESSIONS = 6
ROUNDS = 5


def _refresh(token: str):
    return APIClient().post("/api/auth/token/refresh/", {"refresh": token}, format="json")


def _race_once(user) -> list[str]:
    """Refresh SESSIONS sessions in a loop while logout-all runs; the refresh tokens still working after it."""
    pairs = [login(APIClient(), user.email) for _ in range(SESSIONS)]
    caller = login(APIClient(), user.email)
    started = threading.Barrier(SESSIONS + 1)
    revoked = threading.Event()
    last: list[str] = [pair["refresh"] for pair in pairs]

    def keep_refreshing(i: int) -> None:
        try:
            started.wait()
            after_revocation = 0
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and after_revocation < 3:
                was_revoked = revoked.is_set()
                response = _refresh(last[i])
                if response.status_code != 200:
                    return
                last[i] = response.json()["refresh"]
                # A refresh that began before logout-all answered may still succeed once;
                # a chain that keeps rotating afterwards survived it.
                after_revocation += was_revoked
        finally:
            close_old_connections()

    threads = [threading.Thread(target=keep_refreshing, args=(i,)) for i in range(SESSIONS)]
    for thread in threads:
        thread.start()
    started.wait()
    time.sleep(0.05)  # every session is mid-rotation
    assert bearer(caller["access"]).post("/api/auth/logout-all/").status_code == 204
    revoked.set()
    for thread in threads:
        thread.join()
    return [token for token in last if _refresh(token).status_code == 200]


@override_settings(BAZARY_ACCOUNTS={"THROTTLE_RATES": {"login": None}})
def test_logout_all_leaves_no_session_alive_while_sessions_refresh():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")
    survivors = 0
    for _ in range(ROUNDS):
        user = UserFactory()
        survivors += len(_race_once(user))
        assert survivors == 0, f"{survivors} refresh token(s) survived logout-all"
        assert not live_tokens(user).exists()
