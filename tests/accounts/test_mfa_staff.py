"""MFA_REQUIRED_FOR_STAFF: staff without a second factor reach only the MFA setup endpoints."""

from __future__ import annotations

import pytest
from django.test import override_settings

from bazary.testing.accounts import UserFactory

from .conftest import bearer, login
from .mfa_helpers import enable_totp

pytestmark = pytest.mark.django_db

REQUIRED = {"MFA_REQUIRED_FOR_STAFF": True, "THROTTLE_RATES": {"login": None, "password_check": None}}


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@override_settings(BAZARY_ACCOUNTS=REQUIRED)
def test_staff_without_a_factor_reach_only_the_setup_endpoints(api_client, staff):
    tokens = login(api_client, staff.email)
    assert tokens["mfa_setup_required"] is True
    client = bearer(tokens["access"])
    refused = client.get("/api/auth/me/")
    assert refused.status_code == 403
    assert refused.json()["code"] == "mfa_setup_required"
    assert client.get("/api/auth/sessions/").status_code == 403
    # Staff-only catalog writes too, not only accounts endpoints.
    assert client.post("/api/categories/", {"name": "x", "slug": "x"}, format="json").status_code == 403
    assert client.get("/api/auth/mfa/").json()["setup_required"] is True
    # Setting up a factor lifts the limit at once, for the same token.
    enable_totp(client)
    assert client.get("/api/auth/me/").status_code == 200
    assert client.get("/api/auth/mfa/").json()["setup_required"] is False


@override_settings(BAZARY_ACCOUNTS=REQUIRED)
def test_limited_tokens_can_log_out(api_client, staff):
    tokens = login(api_client, staff.email)
    client = bearer(tokens["access"])
    assert client.post("/api/auth/logout/", {"refresh": tokens["refresh"]}, format="json").status_code == 204


@override_settings(BAZARY_ACCOUNTS=REQUIRED)
def test_customers_are_not_limited(api_client, user):
    tokens = login(api_client, user.email)
    assert "mfa_setup_required" not in tokens
    assert bearer(tokens["access"]).get("/api/auth/me/").status_code == 200


def test_off_by_default(api_client, staff):
    tokens = login(api_client, staff.email)
    assert "mfa_setup_required" not in tokens
    assert bearer(tokens["access"]).get("/api/auth/me/").status_code == 200


def test_turning_it_on_limits_tokens_issued_before(api_client, staff, settings):
    # Through the settings fixture alone (with the decorator around it, its override would leak).
    client = bearer(login(api_client, staff.email)["access"])
    assert client.get("/api/auth/me/").status_code == 200
    settings.BAZARY_ACCOUNTS = REQUIRED
    assert client.get("/api/auth/me/").status_code == 403
