"""System checks of bazary.accounts beyond its settings dict (see docs/settings/accounts.md).

- ``bazary_accounts.E020``: ``rest_framework_simplejwt.token_blacklist`` is not installed
  (logout, rotation and sessions need it).
- ``bazary_accounts.E021``: the user model has no unique email field.
- ``bazary_accounts.W022``: ``EMAIL_VERIFICATION`` is not ``"none"`` but the user model has
  no ``email_verified_at`` field and the adapter does not store verification otherwise.
- ``bazary_accounts.W023``: ``BAZARY_CORE["AUTHENTICATION_CLASSES"]`` authenticates JWTs with a
  class that is not ``bazary.accounts.authentication.JWTAuthentication`` (or a subclass), so
  access tokens keep working after logout or a password change until they expire.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.checks import CheckMessage, Error, Warning, register
from django.core.exceptions import FieldDoesNotExist

from .conf import BLACKLIST_APP, accounts_settings


@register("bazary")
def check_accounts(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if not apps.is_installed(BLACKLIST_APP):
        errors.append(
            Error(
                f"bazary.accounts needs {BLACKLIST_APP!r} in INSTALLED_APPS.",
                hint="Logout, refresh token rotation and sessions blacklist refresh tokens.",
                id="bazary_accounts.E020",
            )
        )
    user_model = get_user_model()
    email_name = user_model.get_email_field_name()
    try:
        field = user_model._meta.get_field(email_name)
    except FieldDoesNotExist:
        field = None
    if field is None or not getattr(field, "unique", False):
        errors.append(
            Error(
                f"{user_model._meta.label} needs a unique email field ({email_name!r}) for bazary.accounts.",
                hint="Add unique=True to the field, or set EMAIL_FIELD on the model.",
                id="bazary_accounts.E021",
            )
        )
    from .adapter import DefaultAccountAdapter

    try:
        adapter_class = accounts_settings.ADAPTER
    except (ImportError, AttributeError, TypeError, ValueError):
        adapter_class = DefaultAccountAdapter  # reported by the settings check (E003/E004)
    stores_verification = getattr(adapter_class, "is_email_verified", None) is not (
        DefaultAccountAdapter.is_email_verified
    ) or any(f.name == "email_verified_at" for f in user_model._meta.get_fields())
    if accounts_settings.raw("EMAIL_VERIFICATION") != "none" and not stores_verification:
        errors.append(
            Warning(
                f"{user_model._meta.label} has no email_verified_at field, so no address is ever verified.",
                hint="Add a nullable DateTimeField email_verified_at, override the adapter's is_email_verified "
                'and set_email_verified, or set BAZARY_ACCOUNTS["EMAIL_VERIFICATION"] = "none".',
                id="bazary_accounts.W022",
            )
        )
    errors.extend(_check_jwt_authentication())
    return errors


def _check_jwt_authentication() -> list[CheckMessage]:
    from rest_framework_simplejwt.authentication import JWTAuthentication as SimpleJWTAuthentication

    from bazary.core.conf import core_settings

    from .authentication import JWTAuthentication

    try:
        classes = core_settings.AUTHENTICATION_CLASSES
    except (ImportError, AttributeError, TypeError, ValueError):
        return []  # reported by the settings check (E003/E004)
    stale = [
        cls
        for cls in classes
        if isinstance(cls, type) and issubclass(cls, SimpleJWTAuthentication) and not issubclass(cls, JWTAuthentication)
    ]
    return [
        Warning(
            f"{cls.__module__}.{cls.__qualname__} in BAZARY_CORE['AUTHENTICATION_CLASSES'] does not check "
            "whether an access token's login was revoked.",
            hint="Use bazary.accounts.authentication.JWTAuthentication (or subclass it): otherwise access "
            "tokens keep working after logout, logout everywhere or a password change until they expire.",
            id="bazary_accounts.W023",
        )
        for cls in stale
    ]
