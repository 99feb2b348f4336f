"""Passkeys in a real browser: Debian's Chromium with a DevTools virtual authenticator, on the deployed site.

The WebAuthn ceremonies run in the page (``navigator.credentials``), against the
site's real endpoints; the authenticator is Chromium's own (the DevTools
``WebAuthn`` domain), a CTAP2 platform authenticator with resident keys and
user verification, so nothing of the server side is faked.
"""

from __future__ import annotations

import uuid

import pytest
import redis as redis_client
import requests

from .conftest import Site, requires_chromium

pytestmark = requires_chromium

PASSWORD = "a-Long-and-unusual-passphrase-42"

CREATE = """async (options) => {
    const credential = await navigator.credentials.create({
        publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
    });
    return credential.toJSON();
}"""

GET = """async (options) => {
    const credential = await navigator.credentials.get({
        publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
    });
    return credential.toJSON();
}"""


def localhost(site: Site) -> str:
    """The site's origin as the browser must see it: WebAuthn refuses an IP address as relying party."""
    return site.base_url.replace("127.0.0.1", "localhost")


@pytest.fixture
def browser_page(site: Site, page):
    """The shared ``page`` with a DevTools virtual authenticator, on a page of the site."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]
    # A page of the site, so the ceremonies run in its origin (a secure context on localhost).
    page.goto(localhost(site) + "/health/live")
    return page, cdp, authenticator


def api(site: Site, path: str, body: dict | None = None, token: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(site.url(f"/api/v1/{path}"), json=body or {}, headers=headers, timeout=20)


def test_register_a_passkey_then_use_it_as_second_factor_and_to_log_in_without_password(site: Site, browser_page):
    page, cdp, authenticator = browser_page
    # The login throttle of the site is 5/min per IP and shared with the other tests: start from zero.
    redis_client.Redis.from_url(site.redis.url).flushdb()
    email = f"passkey-{uuid.uuid4().hex[:8]}@example.com"
    assert api(site, "auth/register/", {"email": email, "password": PASSWORD}).status_code == 201
    access = api(site, "auth/token/", {"email": email, "password": PASSWORD}).json()["access"]

    # Register: options from the server, navigator.credentials.create() in the page, attestation verified.
    started = api(site, "auth/mfa/passkeys/register/options/", {"password": PASSWORD}, access)
    assert started.status_code == 200, started.text
    credential = page.evaluate(CREATE, started.json()["options"])
    body = {"state": started.json()["state"], "credential": credential, "name": "Chromium"}
    created = api(site, "auth/mfa/passkeys/", body, access)
    assert created.status_code == 201, created.text
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(stored) == 1
    assert stored[0]["isResidentCredential"] is True
    assert stored[0]["rpId"] == "localhost"
    listed = requests.get(
        site.url("/api/v1/auth/mfa/passkeys/"), headers={"Authorization": f"Bearer {access}"}, timeout=20
    ).json()
    assert [p["name"] for p in listed] == ["Chromium"]

    # The password alone no longer answers tokens.
    first = api(site, "auth/token/", {"email": email, "password": PASSWORD}).json()
    assert first["mfa_required"] is True
    assert first["methods"] == ["passkey"]
    assert "access" not in first
    options = api(site, "auth/token/mfa/passkey/options/", {"mfa_token": first["mfa_token"]}).json()
    assertion = page.evaluate(GET, options["options"])
    second = api(
        site, "auth/token/mfa/", {"mfa_token": first["mfa_token"], "state": options["state"], "credential": assertion}
    )
    assert second.status_code == 200, second.text
    me = requests.get(
        site.url("/api/v1/auth/me/"), headers={"Authorization": f"Bearer {second.json()['access']}"}, timeout=20
    )
    assert me.json()["email"] == email
    # The same assertion cannot be played again (its challenge is spent).
    replay = api(
        site, "auth/token/mfa/", {"mfa_token": first["mfa_token"], "state": options["state"], "credential": assertion}
    )
    assert replay.status_code == 401

    # Passwordless: no address typed, the resident credential names the account.
    options = api(site, "auth/passkey/login/options/").json()
    assert options["options"]["allowCredentials"] == []
    assertion = page.evaluate(GET, options["options"])
    signed_in = api(site, "auth/passkey/login/", {"state": options["state"], "credential": assertion})
    assert signed_in.status_code == 200, signed_in.text
    me = requests.get(
        site.url("/api/v1/auth/me/"), headers={"Authorization": f"Bearer {signed_in.json()['access']}"}, timeout=20
    )
    assert me.json()["email"] == email
    # The authenticator's signature counter moved on with each use, and the server kept up.
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert stored[0]["signCount"] >= 2
    redis_client.Redis.from_url(site.redis.url).flushdb()
