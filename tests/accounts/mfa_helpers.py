"""Helpers of the MFA tests: turn TOTP on through the API, compute codes as an authenticator app does."""

from __future__ import annotations

import time

import pyotp

from .conftest import PASSWORD, bearer, login


def code_at(secret: str, at: float | None = None) -> str:
    return pyotp.TOTP(secret).at(int(time.time() if at is None else at))


def enable_totp(client, at: float | None = None) -> tuple[str, list[str]]:
    """Set up and confirm TOTP for the user of ``client``; ``(secret, recovery codes)``."""
    setup = client.post("/api/auth/mfa/totp/setup/", {"password": PASSWORD}, format="json")
    assert setup.status_code == 200, setup.content
    secret = setup.json()["secret"]
    confirm = client.post("/api/auth/mfa/totp/confirm/", {"code": code_at(secret, at)}, format="json")
    assert confirm.status_code == 200, confirm.content
    return secret, confirm.json()["recovery_codes"]


def mfa_user_client(api_client, user, at: float | None = None) -> tuple[str, list[str]]:
    """Turn TOTP on for ``user`` with a fresh login; ``(secret, recovery codes)``."""
    tokens = login(api_client, user.email)
    return enable_totp(bearer(tokens["access"]), at)


def password_step(client, email: str, password: str = PASSWORD, **extra):
    return client.post("/api/auth/token/", {"email": email, "password": password}, format="json", **extra)


def code_step(client, mfa_token: str, code: str, **extra):
    return client.post("/api/auth/token/mfa/", {"mfa_token": mfa_token, "code": code}, format="json", **extra)
