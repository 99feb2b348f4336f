"""JWT authentication that honours revocation at once.

simplejwt's ``JWTAuthentication`` trusts an access token until it expires.
bazary's also refuses it as soon as its login (the ``sid`` claim, see
``bazary.accounts.sessions``) is revoked: logout of that session, logout
everywhere, a password change or reset, deactivation, deletion, or the reuse of
a rotated refresh token. The check is joined into the query that loads the
user, so an authenticated request costs the same one query as with simplejwt.

It is the default JWT authentication of bazary's views
(``BAZARY_CORE["AUTHENTICATION_CLASSES"]``); put it in
``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]`` for a project's own views.
Without ``bazary.accounts`` installed there are no logins to check and it
behaves as simplejwt's.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.apps import apps
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password

#: The claim that names a token's login (OpenID Connect calls a session id ``sid``).
LOGIN_CLAIM = "sid"


def _refused() -> AuthenticationFailed:
    return AuthenticationFailed({"detail": _("Token is invalid, expired or revoked."), "code": "token_not_valid"})


class JWTAuthentication(authentication.JWTAuthentication):
    def authenticate(self, request: Any) -> Any:
        result = super().authenticate(request)
        if result is not None and apps.is_installed("bazary.accounts"):
            from .mfa import staff

            staff.enforce(request, result[0])  # MFA_REQUIRED_FOR_STAFF
        return result

    def get_user(self, validated_token: Token) -> Any:
        if not apps.is_installed("bazary.accounts"):
            return super().get_user(validated_token)
        from .models import Login

        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise AuthenticationFailed(
                _("Token contained no recognizable user identification"), code="token_not_valid"
            ) from exc
        try:
            login_id = uuid.UUID(str(validated_token[LOGIN_CLAIM]))
        except (KeyError, ValueError) as exc:
            # Issued before bazary recorded logins, or by other code: it cannot be revoked, so it is refused.
            raise _refused() from exc
        live = Login.objects.filter(pk=login_id, user=OuterRef("pk"), revoked_at__isnull=True)
        try:
            user = (
                self.user_model._default_manager.annotate(bazary_login_live=Exists(live))
                .filter(**{api_settings.USER_ID_FIELD: user_id})
                .get()
            )
        except (self.user_model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
            raise AuthenticationFailed(_("User not found"), code="user_not_found") from exc
        # simplejwt's own checks, as in its get_user.
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        if not user.bazary_login_live:
            raise _refused()
        return user


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of :class:`JWTAuthentication` (simplejwt's bearer ``jwtAuth``)."""

    target_class = "bazary.accounts.authentication.JWTAuthentication"
