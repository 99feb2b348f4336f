"""Passkeys (WebAuthn) with the ``webauthn`` package: registration, and assertions for sign-in.

The relying party id, name and allowed origins come from ``BAZARY_ACCOUNTS``
(``PASSKEY_*``, checked by ``bazary_accounts.E030``). The challenge of each
ceremony travels in a signed ticket (``state``) that is short-lived
(``PASSKEY_CHALLENGE_MAX_AGE``), bound to its purpose and, when there is one,
to the user, and single-use (``bazary.accounts.mfa.tickets``).

Registration asks for a discoverable credential (a passkey, usable without
typing an address) and user verification when the authenticator can; a
passwordless login requires user verification (PIN, biometrics), so it is two
factors in one; as a second factor after the password, presence is enough.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ..conf import accounts_settings, get_adapter
from . import tickets
from .models import Passkey

REGISTER = "passkey-register"
LOGIN = "passkey-login"
#: A passkey of one account at most; more is a 400.
MAX_PER_USER = 20
#: The browser's JSON of a credential is a few kB at most.
MAX_CREDENTIAL_LENGTH = 16_384


class Refused(Exception):
    """The credential does not verify: wrong challenge, origin, signature, unknown key..."""


def user_handle(user: Any) -> bytes:
    """The opaque WebAuthn user id of ``user`` (no personal data; the same for all their passkeys)."""
    return salted_hmac("bazary.accounts.passkey-user", str(user.pk), algorithm="sha256").digest()[:32]


def _challenge_of(state: dict[str, Any]) -> bytes:
    return base64.urlsafe_b64decode(state["c"] + "=" * (-len(state["c"]) % 4))


def _ticket(purpose: str, challenge: bytes, user: Any | None) -> str:
    return tickets.issue(purpose, {"c": bytes_to_base64url(challenge), "u": str(user.pk) if user else None})


def _spend_state(purpose: str, state: str, user: Any | None) -> bytes:
    max_age = accounts_settings.PASSKEY_CHALLENGE_MAX_AGE
    try:
        data = tickets.read(purpose, state, max_age)
        if data.get("u") != (str(user.pk) if user is not None else None):
            raise tickets.InvalidTicket
        tickets.spend(purpose, data, max_age)
    except tickets.InvalidTicket as exc:
        raise Refused("challenge invalid, expired or used") from exc
    return _challenge_of(data)


def _descriptors(passkeys: Any) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(id=base64.urlsafe_b64decode(p.credential_id + "=" * (-len(p.credential_id) % 4)))
        for p in passkeys
    ]


def registration_options(user: Any) -> dict[str, Any]:
    """``{"options": <PublicKeyCredentialCreationOptions JSON>, "state": ...}`` for ``navigator.credentials.create``."""
    adapter = get_adapter()
    email = adapter.get_email(user)
    options = generate_registration_options(
        rp_id=accounts_settings.PASSKEY_RP_ID,
        rp_name=accounts_settings.PASSKEY_RP_NAME,
        user_id=user_handle(user),
        user_name=email,
        user_display_name=(user.get_full_name() if hasattr(user, "get_full_name") else "") or email,
        timeout=accounts_settings.PASSKEY_CHALLENGE_MAX_AGE * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED, user_verification=UserVerificationRequirement.PREFERRED
        ),
        exclude_credentials=_descriptors(Passkey.objects.filter(user=user)),
    )
    return {"options": json.loads(options_to_json(options)), "state": _ticket(REGISTER, options.challenge, user)}


def _check_size(credential: Any) -> None:
    if not isinstance(credential, dict) or len(json.dumps(credential)) > MAX_CREDENTIAL_LENGTH:
        raise Refused("not a credential")


def register(user: Any, state: str, credential: Any, name: str) -> Passkey:
    """Verify the attestation ``credential`` against the challenge in ``state``; the new passkey."""
    _check_size(credential)
    challenge = _spend_state(REGISTER, state, user)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=accounts_settings.PASSKEY_RP_ID,
            expected_origin=list(accounts_settings.PASSKEY_ORIGINS),
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise Refused(str(exc)) from exc
    transports = (
        credential.get("response", {}).get("transports") if isinstance(credential.get("response"), dict) else []
    )
    try:
        with transaction.atomic():
            return Passkey.objects.create(
                user=user,
                name=name,
                credential_id=bytes_to_base64url(verified.credential_id),
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                transports=[t for t in transports or [] if isinstance(t, str)][:8],
                backed_up=verified.credential_backed_up,
            )
    except IntegrityError as exc:  # that credential is already registered
        raise Refused("credential already registered") from exc


def authentication_options(user: Any | None = None) -> dict[str, Any]:
    """Options for ``navigator.credentials.get``: ``user``'s passkeys (second factor), or any (passwordless)."""
    options = generate_authentication_options(
        rp_id=accounts_settings.PASSKEY_RP_ID,
        timeout=accounts_settings.PASSKEY_CHALLENGE_MAX_AGE * 1000,
        allow_credentials=_descriptors(Passkey.objects.filter(user=user)) if user is not None else [],
        user_verification=UserVerificationRequirement.PREFERRED
        if user is not None
        else UserVerificationRequirement.REQUIRED,
    )
    return {"options": json.loads(options_to_json(options)), "state": _ticket(LOGIN, options.challenge, user)}


def authenticate(state: str, credential: Any, user: Any | None = None) -> Passkey:
    """Verify the assertion ``credential``; the passkey used (of ``user`` when given).

    Without ``user`` (a passwordless login) user verification is required and
    the state must not be bound to a user.
    """
    _check_size(credential)
    try:
        parsed = parse_authentication_credential_json(credential)
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise Refused(str(exc)) from exc
    challenge = _spend_state(LOGIN, state, user)
    passkey = (
        Passkey.objects.filter(credential_id=bytes_to_base64url(parsed.raw_id), **({"user": user} if user else {}))
        .select_related("user")
        .first()
    )
    if passkey is None:
        raise Refused("unknown credential")
    handle = parsed.response.user_handle
    if handle is not None and handle != user_handle(passkey.user):
        raise Refused("user handle does not match")
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=accounts_settings.PASSKEY_RP_ID,
            expected_origin=list(accounts_settings.PASSKEY_ORIGINS),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=user is None,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise Refused(str(exc)) from exc
    Passkey.objects.filter(pk=passkey.pk).update(sign_count=verified.new_sign_count, last_used_at=timezone.now())
    passkey.sign_count = verified.new_sign_count
    return passkey
