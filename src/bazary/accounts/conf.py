"""``BAZARY_ACCOUNTS``: the settings of bazary.accounts (see docs/settings/accounts.md)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string

from bazary.core.conf import AppSettings, Option, rates_are_valid

from .mfa.options import OPTIONS as MFA_OPTIONS
from .mfa.options import passkey_settings_are_valid

BLACKLIST_APP = "rest_framework_simplejwt.token_blacklist"
SERIALIZER_BASE = "rest_framework.serializers.BaseSerializer"
THROTTLE_BASE = "rest_framework.throttling.BaseThrottle"

#: The default throttle class of each scope (``THROTTLE_CLASSES``).
THROTTLE_CLASSES = {
    scope: f"bazary.accounts.throttling.{name}"
    for scope, name in {
        "login": "LoginRateThrottle",
        "register": "RegisterRateThrottle",
        "register_email": "RegisterEmailRateThrottle",
        "password_reset": "PasswordResetRateThrottle",
        "password_reset_email": "PasswordResetEmailRateThrottle",
        "verify_email_resend": "VerifyEmailResendRateThrottle",
        "verify_email_resend_email": "VerifyEmailResendEmailRateThrottle",
        "password_check": "PasswordCheckRateThrottle",
        "email_change": "EmailChangeRateThrottle",
        "email_change_email": "EmailChangeEmailRateThrottle",
        "export": "ExportRateThrottle",
    }.items()
}


def _url_templates_are_valid(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    required = {
        "VERIFY_EMAIL_URL": ("{token}",),
        "PASSWORD_RESET_URL": ("{uid}", "{token}"),
        "EMAIL_CHANGE_URL": ("{token}",),
        "UNLOCK_URL": ("{token}",),
    }
    for key, placeholders in required.items():
        value = values.get(key)
        if not isinstance(value, str):
            continue
        missing = [p for p in placeholders if p not in value]
        if missing:
            yield "bazary_accounts.E010", f"{key} must contain {' and '.join(missing)}: {value!r}."
        else:
            try:
                value.format(token="t", uid="u")
            except (KeyError, IndexError, ValueError):
                yield "bazary_accounts.E010", f"{key} has placeholders other than {{uid}} and {{token}}: {value!r}."


def _rotation_needs_blacklist(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    if values.get("ROTATE_REFRESH_TOKENS") is True and not apps.is_installed(BLACKLIST_APP):
        yield (
            "bazary_accounts.E012",
            f"ROTATE_REFRESH_TOKENS is True but {BLACKLIST_APP!r} is not in INSTALLED_APPS, "
            "so a rotated refresh token would stay usable.",
        )


def _throttle_classes_are_valid(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    classes = values.get("THROTTLE_CLASSES")
    if not isinstance(classes, dict):
        return
    base = import_string(THROTTLE_BASE)
    for scope, path in classes.items():
        if scope not in THROTTLE_CLASSES:
            yield "bazary_accounts.E014", f"THROTTLE_CLASSES has an unknown scope {scope!r}."
            continue
        try:
            cls = import_string(path) if isinstance(path, str) else None
        except ImportError:
            cls = None
        if not (isinstance(cls, type) and issubclass(cls, base)):
            yield (
                "bazary_accounts.E014",
                f"THROTTLE_CLASSES[{scope!r}] must be the import string of a {THROTTLE_BASE} subclass: {path!r}.",
            )


def throttle_classes(*scopes: str) -> list[type]:
    """The throttle classes configured for ``scopes`` (``THROTTLE_CLASSES``), resolved per call."""
    configured = accounts_settings.THROTTLE_CLASSES
    return [import_string(configured[scope]) for scope in scopes]


def _positive_numbers(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    for key in (
        "VERIFY_EMAIL_MAX_AGE",
        "LOCKOUT_WINDOW",
        "LOCKOUT_DURATION",
        "MAX_ADDRESSES",
        "EMAIL_CHANGE_MAX_AGE",
        "MFA_TOKEN_MAX_AGE",
        "PASSKEY_CHALLENGE_MAX_AGE",
        "AVATAR_MAX_BYTES",
        "AVATAR_MAX_PIXELS",
        "ACTIVITY_RETENTION_DAYS",
        "NEW_DEVICE_WINDOW_DAYS",
    ):
        value = values.get(key)
        if isinstance(value, int) and value < 1:
            yield "bazary_accounts.E013", f"{key} must be at least 1, not {value}."
    threshold = values.get("LOCKOUT_THRESHOLD")
    if isinstance(threshold, int) and threshold < 0:
        yield "bazary_accounts.E013", "LOCKOUT_THRESHOLD cannot be negative (0 turns the lockout off)."


accounts_settings = AppSettings(
    "BAZARY_ACCOUNTS",
    "bazary.accounts",
    {
        "EMAIL_VERIFICATION": Option(
            "mandatory",
            (str,),
            choices=("mandatory", "optional", "none"),
            help="mandatory: no login before the address is verified; optional: a verification "
            "email is sent but login works; none: no verification email.",
        ),
        "VERIFY_EMAIL_URL": Option("http://localhost:8000/verify-email?token={token}", (str,)),
        "PASSWORD_RESET_URL": Option("http://localhost:8000/reset-password?uid={uid}&token={token}", (str,)),
        "EMAIL_CHANGE_URL": Option("http://localhost:8000/confirm-email-change?token={token}", (str,)),
        "UNLOCK_URL": Option(
            "http://localhost:8000/unlock-account?token={token}",
            (str,),
            help="The link mailed to an account's owner when a client is locked out; the page posts the token "
            "to auth/unlock/.",
        ),
        "VERIFY_EMAIL_MAX_AGE": Option(3 * 24 * 3600, (int,), help="Seconds a verification link stays valid."),
        "EMAIL_CHANGE_MAX_AGE": Option(24 * 3600, (int,), help="Seconds an email change link stays valid."),
        "THROTTLE_RATES": Option(
            {
                "login": "10/min",
                "register": "5/min",
                "password_reset": "5/hour",
                "password_reset_email": "3/hour",
                "verify_email_resend": "5/hour",
                "verify_email_resend_email": "3/hour",
                "register_email": "3/hour",
                "password_check": "10/hour",
                "email_change": "5/hour",
                "email_change_email": "3/hour",
                "export": "3/hour",
            },
            (dict,),
            merge=True,
        ),
        "LOCKOUT_THRESHOLD": Option(
            5,
            (int,),
            help="Failed logins of one client at one account that lock that client out of it, and failed logins "
            "from all clients after which the account's failing clients are slowed down; 0 is off.",
        ),
        "LOCKOUT_WINDOW": Option(900, (int,), help="Seconds within which failed logins are counted."),
        "LOCKOUT_DURATION": Option(900, (int,), help="Seconds a client stays locked out of an account."),
        "ROTATE_REFRESH_TOKENS": Option(True, (bool,)),
        "THROTTLE_CLASSES": Option(
            THROTTLE_CLASSES,
            (dict,),
            merge=True,
            help="scope → import string of the throttle class the endpoints of that scope use.",
        ),
        "REGISTER_SERIALIZER": Option(
            "bazary.accounts.serializers.RegisterSerializer", (str,), import_string=True, base=SERIALIZER_BASE
        ),
        "USER_SERIALIZER": Option(
            "bazary.accounts.serializers.UserSerializer", (str,), import_string=True, base=SERIALIZER_BASE
        ),
        "ADAPTER": Option(
            "bazary.accounts.adapter.DefaultAccountAdapter",
            (str,),
            import_string=True,
            base="bazary.accounts.adapter.DefaultAccountAdapter",
        ),
        "MAX_ADDRESSES": Option(50, (int,), help="Addresses one user may keep."),
        **MFA_OPTIONS,
        "AVATAR_MAX_BYTES": Option(2 * 1024 * 1024, (int,), help="Largest accepted avatar upload, in bytes."),
        "AVATAR_MAX_PIXELS": Option(
            16_000_000, (int,), help="Most pixels (width x height) an avatar may have, read from its header."
        ),
        "ACTIVITY_RETENTION_DAYS": Option(
            365,
            (int,),
            help="Days an activity log event is kept; bazary_purge_activity (or the purge_activity task) "
            "deletes older ones.",
        ),
        "NEW_DEVICE_WINDOW_DAYS": Option(
            90,
            (int,),
            help="A sign-in from a user agent and network the account has not signed in from within this many "
            "days gets the accounts.new_sign_in email.",
        ),
        "SESSIONS_URL": Option(
            "http://localhost:8000/account/sessions",
            (str,),
            help="The page of your frontend that lists the user's sessions (auth/sessions/); linked from the "
            "new sign-in email.",
        ),
    },
    validators=[
        _url_templates_are_valid,
        rates_are_valid("THROTTLE_RATES", "bazary_accounts.E011"),
        _rotation_needs_blacklist,
        _throttle_classes_are_valid,
        _positive_numbers,
        passkey_settings_are_valid,
    ],
)


def get_adapter() -> Any:
    """The configured account adapter, resolved per call (settings read late)."""
    return accounts_settings.ADAPTER()
