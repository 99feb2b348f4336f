"""The second factors in GET auth/me/export/: listed, never a secret."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from bazary.accounts.mfa.models import Passkey, TOTPDevice
from bazary.testing.passkeys import SoftAuthenticator

from .conftest import PASSWORD
from .mfa_helpers import enable_totp

pytestmark = pytest.mark.django_db


@override_settings(BAZARY_ACCOUNTS={"THROTTLE_RATES": {"password_check": None}})
def test_the_export_lists_the_factors_without_secrets(auth_client, user):
    assert auth_client.get("/api/auth/me/export/").json()["mfa"] == {"totp": None, "passkeys": []}
    secret, codes = enable_totp(auth_client)
    body = auth_client.post("/api/auth/mfa/passkeys/register/options/", {"password": PASSWORD}, format="json").json()
    credential = SoftAuthenticator().create(body["options"], "http://localhost:8000")
    created = auth_client.post(
        "/api/auth/mfa/passkeys/", {"state": body["state"], "credential": credential, "name": "Laptop"}, format="json"
    )
    assert created.status_code == 201
    export = auth_client.get("/api/auth/me/export/").json()
    mfa = export["mfa"]
    assert mfa["totp"]["recovery_codes_left"] == 10
    assert mfa["totp"]["confirmed_at"] is not None
    assert [p["name"] for p in mfa["passkeys"]] == ["Laptop"]
    text = json.dumps(export)
    stored = Passkey.objects.get(user=user)
    for secret_value in (secret, TOTPDevice.objects.get(user=user).secret, stored.credential_id, *codes):
        assert secret_value not in text
