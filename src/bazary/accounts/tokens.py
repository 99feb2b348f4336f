"""The one-time tokens carried by links in emails.

Verification and email-change tokens are signed (``django.core.signing``),
expire (``max_age``) and are single-use because they name the state they
change: a verification token is dead once the address is verified, an email
change token once the address is no longer the old one. An email change token
also dies with a password change or reset (it carries a digest of the password
hash). Password reset uses Django's own ``PasswordResetTokenGenerator`` (dead
once the password changes). An unlock token names the lockout generation it
clears (dead once used, or once the account's counters are reset otherwise).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from . import lockout
from .conf import accounts_settings, get_adapter

VERIFY_SALT = "bazary.accounts.verify-email"
EMAIL_CHANGE_SALT = "bazary.accounts.email-change"
UNLOCK_SALT = "bazary.accounts.unlock"


class InvalidToken(Exception):
    """The token is malformed, expired, already used or names no account."""


def _user_by_pk(pk: Any) -> Any:
    adapter = get_adapter()
    try:
        return adapter.user_model._default_manager.get(pk=pk)
    except (adapter.user_model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise InvalidToken from exc


def _loads(token: str, salt: str, max_age: int) -> dict[str, Any]:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise InvalidToken from exc
    if not isinstance(data, dict):
        raise InvalidToken
    return data


def make_verify_email_token(user: Any) -> str:
    return signing.dumps({"u": str(user.pk), "e": get_adapter().get_email(user).lower()}, salt=VERIFY_SALT)


def read_verify_email_token(token: str) -> Any:
    """The user to verify; raises :class:`InvalidToken` when used, expired or forged."""
    data = _loads(token, VERIFY_SALT, accounts_settings.VERIFY_EMAIL_MAX_AGE)
    user = _user_by_pk(data.get("u"))
    adapter = get_adapter()
    # Single use: the token dies once the address is verified or changed.
    if adapter.get_email(user).lower() != data.get("e") or adapter.is_email_verified(user):
        raise InvalidToken
    return user


def _password_digest(user: Any) -> str:
    # Changes with the password hash, tells nothing about it (keyed by SECRET_KEY).
    return salted_hmac(EMAIL_CHANGE_SALT, user.password or "", algorithm="sha256").hexdigest()[:32]


def make_email_change_token(user: Any, new_email: str) -> str:
    old = get_adapter().get_email(user).lower()
    return signing.dumps(
        {"u": str(user.pk), "o": old, "n": new_email, "p": _password_digest(user)}, salt=EMAIL_CHANGE_SALT
    )


def read_email_change_token(token: str) -> tuple[Any, str]:
    """``(user, new_email)``; raises :class:`InvalidToken` when used, expired, forged or
    issued before the password last changed."""
    data = _loads(token, EMAIL_CHANGE_SALT, accounts_settings.EMAIL_CHANGE_MAX_AGE)
    user = _user_by_pk(data.get("u"))
    new_email = data.get("n")
    # Single use: once the address has changed, "o" no longer matches.
    if not isinstance(new_email, str) or get_adapter().get_email(user).lower() != data.get("o"):
        raise InvalidToken
    # Whoever changed or reset the password also ends the email changes asked before.
    if not isinstance(data.get("p"), str) or not constant_time_compare(data["p"], _password_digest(user)):
        raise InvalidToken
    return user, new_email


def make_password_reset_uid(user: Any) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def make_password_reset_token(user: Any) -> str:
    return default_token_generator.make_token(user)


def read_password_reset(uid: str, token: str) -> Any:
    try:
        pk = force_str(urlsafe_base64_decode(uid))
    except (ValueError, UnicodeError) as exc:
        raise InvalidToken from exc
    user = _user_by_pk(pk)
    if not default_token_generator.check_token(user, token):
        raise InvalidToken
    return user


def make_unlock_token(user: Any) -> str:
    ident = lockout.subject(get_adapter().get_email(user), user)
    return signing.dumps({"u": str(user.pk), "g": lockout.generation(ident)}, salt=UNLOCK_SALT)


def use_unlock_token(token: str) -> Any:
    """Clear the lockout of the token's account, once; the user, or :class:`InvalidToken`."""
    data = _loads(token, UNLOCK_SALT, lockout.lifetime())
    user = _user_by_pk(data.get("u"))
    generation = data.get("g")
    ident = lockout.subject(get_adapter().get_email(user), user)
    if not isinstance(generation, str) or not lockout.claim(ident, generation):
        raise InvalidToken
    return user
