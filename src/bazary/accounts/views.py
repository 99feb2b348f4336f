"""The accounts API (``auth/``): see docs/accounts.md for the flows."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt.authentication import AUTH_HEADER_TYPES

from bazary.core.views import BazaryAPIMixin

from . import activity, sessions
from . import serializers as s
from .conf import accounts_settings, throttle_classes
from .mfa import serializers as mfa_serializers
from .models import Address, RevokeReason

TAGS = ["accounts"]


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(s.ErrorSerializer, description=description)


FIELD_ERRORS = OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid input: errors per field.")
UNAUTHENTICATED = error("Not authenticated, or the access token is invalid or expired.")
THROTTLED = error("Too many requests; see the Retry-After header.")
NOT_FOUND = error("No such object among yours.")


#: In ``extend_schema(responses=...)``: the view's own serializer (``get_serializer_class()``),
#: so a swapped ``REGISTER_SERIALIZER`` or ``USER_SERIALIZER`` is what the schema documents.
VIEW_SERIALIZER = object()


class AccountsSchema(AutoSchema):
    def _get_response_for_code(self, serializer: Any, status_code: Any, *args: Any, **kwargs: Any) -> Any:
        if serializer is VIEW_SERIALIZER:
            serializer = self._get_serializer()
        return super()._get_response_for_code(serializer, status_code, *args, **kwargs)


class SubmitMixin:
    def submit(self, request: Request, status_code: int) -> Response:
        """Validate the body, ``save()`` the serializer, answer its data (no body with 204)."""
        serializer = self.get_serializer(data=request.data)  # type: ignore[attr-defined]
        serializer.is_valid(raise_exception=True)
        serializer.save()
        if status_code == status.HTTP_204_NO_CONTENT:
            return Response(status=status_code)
        return Response(serializer.data, status=status_code)


class ThrottleScopesMixin:
    """``throttle_scopes`` name the throttles; their classes come from ``BAZARY_ACCOUNTS["THROTTLE_CLASSES"]``."""

    throttle_scopes: tuple[str, ...] = ()
    schema: Any = AccountsSchema()

    def get_throttles(self) -> list[Any]:
        # The API-wide anon/user throttles (BazaryAPIMixin), then those of the scopes.
        return [*super().get_throttles(), *(cls() for cls in throttle_classes(*self.throttle_scopes))]  # type: ignore[misc]


class PublicView(SubmitMixin, ThrottleScopesMixin, BazaryAPIMixin, generics.GenericAPIView):
    """Open to anyone; no authentication is attempted, so a stale bearer token never blocks it."""

    authentication_classes: Any = ()
    permission_classes = [permissions.AllowAny]
    throttle_classes: Any = ()  # endpoints that send mail or check passwords name throttle_scopes

    def get_authenticate_header(self, request: Request) -> str:
        # With no authenticators DRF would turn 401 into 403; a failed login is a 401.
        return f'{AUTH_HEADER_TYPES[0]} realm="api"'


class UserView(SubmitMixin, ThrottleScopesMixin, BazaryAPIMixin, generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes: Any = ()  # the API-wide user rate applies (BAZARY_CORE["THROTTLE_RATES"])


# -- registration and verification --------------------------------------------------


class RegisterView(PublicView):
    """Create an account (the same answer whether or not the address has one)."""

    throttle_scopes = ("register", "register_email")

    def get_serializer_class(self) -> Any:
        return accounts_settings.REGISTER_SERIALIZER

    @extend_schema(
        tags=TAGS,
        summary="Create an account",
        description="The same 201 whether or not the address already has an account (no enumeration); "
        "an existing account gets an 'account exists' email instead.",
        responses={201: VIEW_SERIALIZER, 400: FIELD_ERRORS, 429: THROTTLED},
    )
    def post(self, request: Request) -> Response:
        return self.submit(request, status.HTTP_201_CREATED)


class VerifyEmailView(PublicView):
    """Verify an address with the token from the verification email (single use)."""

    serializer_class = s.VerifyEmailSerializer

    @extend_schema(
        tags=TAGS,
        summary="Verify an email address with the token from the email",
        responses={200: s.DetailSerializer, 400: FIELD_ERRORS, 429: THROTTLED},
    )
    def post(self, request: Request) -> Response:
        return self.submit(request, status.HTTP_200_OK)


class ResendVerificationView(PublicView):
    """Send the verification email again to an unverified account."""

    serializer_class = s.ResendVerificationSerializer
    throttle_scopes = ("verify_email_resend", "verify_email_resend_email")

    @extend_schema(
        tags=TAGS,
        summary="Send the verification email again",
        description="202 whatever the address.",
        responses={202: s.DetailSerializer, 400: FIELD_ERRORS, 429: THROTTLED},
    )
    def post(self, request: Request) -> Response:
        return self.submit(request, status.HTTP_202_ACCEPTED)


# -- JWT ------------------------------------------------------------------------------


class LoginView(PublicView):
    """Log in with email and password; answers an access and a refresh token."""

    serializer_class = s.LoginSerializer
    throttle_scopes = ("login",)

    @extend_schema(
        tags=TAGS,
        summary="Log in: an access and a refresh token",
        description="With a second factor on, no tokens: an `mfa_token` for auth/token/mfa/ instead.",
        responses={
            200: mfa_serializers.LOGIN_RESPONSE,
            400: FIELD_ERRORS,
            401: error("Wrong password, unknown address or inactive account (all the same)."),
            403: error("code email_not_verified, or account_locked: this client failed too often at this account."),
            429: error("Throttled, or slowed down after many failed logins at this account; see Retry-After."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.save())


class UnlockView(PublicView):
    """Clear the lockout of an account with the token mailed to its owner (single use)."""

    serializer_class = s.UnlockSerializer

    @extend_schema(
        tags=TAGS,
        summary="Unlock an account with the token from the email",
        description="Clears every failed-login count, lock and slow-down of the account; the token works once.",
        responses={200: s.DetailSerializer, 400: FIELD_ERRORS, 429: THROTTLED},
    )
    def post(self, request: Request) -> Response:
        return self.submit(request, status.HTTP_200_OK)


class RefreshView(PublicView):
    """Exchange a refresh token for a new access token and, when rotating, a new refresh token."""

    serializer_class = s.RefreshSerializer

    @extend_schema(
        tags=TAGS,
        summary="A new access token (and a rotated refresh token)",
        description="The refresh token sent is blacklisted when rotation is on (the default): reusing it is a 401.",
        responses={
            200: s.RefreshResponseSerializer,
            400: FIELD_ERRORS,
            401: error("The refresh token is invalid, expired, revoked or already used."),
            429: THROTTLED,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class TokenVerifyView(PublicView):
    """Check that a token is well signed, unexpired and not revoked."""

    serializer_class = s.TokenVerifySerializer

    @extend_schema(
        tags=TAGS,
        summary="Check a token",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="The token is valid."),
            400: FIELD_ERRORS,
            401: error("The token is invalid, expired or revoked."),
            429: THROTTLED,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response({})


class LogoutView(UserView):
    """Revoke one of your refresh tokens."""

    mfa_setup_allowed = True  # MFA_REQUIRED_FOR_STAFF lets limited tokens log out

    serializer_class = s.LogoutSerializer

    @extend_schema(
        tags=TAGS,
        summary="Log out: revoke a refresh token of yours",
        responses={
            204: None,
            400: FIELD_ERRORS,
            401: error("Not authenticated, or the refresh token is invalid or not yours."),
            429: THROTTLED,
        },
    )
    def post(self, request: Request) -> Response:
        return self.submit(request, status.HTTP_204_NO_CONTENT)


class LogoutAllView(UserView):
    """Revoke every refresh token of yours."""

    mfa_setup_allowed = True

    serializer_class = serializers.Serializer

    @extend_schema(
        tags=TAGS,
        summary="Log out everywhere: revoke all your refresh tokens",
        request=None,
        responses={204: None, 401: UNAUTHENTICATED, 429: THROTTLED},
    )
    def post(self, request: Request) -> Response:
        sessions.revoke_all(request.user, RevokeReason.LOGOUT_ALL)
        activity.record(activity.EventKind.LOGGED_OUT_ALL, request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# -- profile ----------------------------------------------------------------------------


class MeSchema(AccountsSchema):
    """Documents the ``{password}`` body of ``DELETE auth/me/`` (drf-spectacular skips DELETE bodies)."""

    def _get_request_body(self, direction: str = "request") -> Any:
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


class MeView(UserView):
    """Your profile: read it, change your names, or delete your account."""

    schema = MeSchema()

    @property
    def throttle_scopes(self) -> tuple[str, ...]:  # type: ignore[override]
        # Deleting checks the password; reading and editing the profile do not.
        request = getattr(self, "request", None)
        return ("password_check",) if request is not None and request.method == "DELETE" else ()

    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_serializer_class(self) -> Any:
        if self.request is not None and self.request.method == "DELETE":
            return s.DeleteAccountSerializer
        return accounts_settings.USER_SERIALIZER

    def get_object(self) -> Any:
        return self.request.user

    @extend_schema(
        tags=TAGS, summary="Your profile", responses={200: VIEW_SERIALIZER, 401: UNAUTHENTICATED, 429: THROTTLED}
    )
    def get(self, request: Request) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        tags=TAGS,
        summary="Change your names",
        description="email, is_staff, is_active and password are not writable here and are ignored.",
        responses={200: VIEW_SERIALIZER, 400: FIELD_ERRORS, 401: UNAUTHENTICATED, 429: THROTTLED},
    )
    def patch(self, request: Request) -> Response:
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)

    @extend_schema(
        tags=TAGS,
        summary="Delete your account",
        description="Deactivates the account, removes its personal data and addresses and revokes its tokens. "
        "The address can register again.",
        responses={204: None, 400: FIELD_ERRORS, 401: UNAUTHENTICATED, 429: THROTTLED},
    )
    def delete(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(status=status.HTTP_204_NO_CONTENT)


# -- passwords --------------------------------------------------------------------------


class PasswordChangeView(UserView):
    """Change your password; your other sessions are signed out."""

    serializer_class = s.PasswordChangeSerializer
    throttle_scopes = ("password_check",)

    @extend_schema(
        tags=TAGS,
        summary="Change your password",
        description="Revokes every refresh token of yours except the optional `refresh` sent along.",
        responses={204: None, 400: FIELD_ERRORS, 401: UNAUTHENTICATED, 429: THROTTLED},
    )
    def post(self, request: Request) -> Response:
        return self.submit(request, status.HTTP_204_NO_CONTENT)


class PasswordResetView(PublicView):
    """Email a password reset link to the address, if it has an account."""

    serializer_class = s.PasswordResetSerializer
    throttle_scopes = ("password_reset", "password_reset_email")

    @extend_schema(
        tags=TAGS,
        summary="Email a password reset link",
        description="202 whatever the address.",
        responses={202: s.DetailSerializer, 400: FIELD_ERRORS, 429: THROTTLED},
    )
    def post(self, request: Request) -> Response:
        return self.submit(request, status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(PublicView):
    """Set a new password with the uid and token from the reset email."""

    serializer_class = s.PasswordResetConfirmSerializer

    @extend_schema(
        tags=TAGS,
        summary="Set a new password with the uid and token from the email",
        description="The token works once; every refresh token of the account is revoked.",
        responses={204: None, 400: FIELD_ERRORS, 429: THROTTLED},
    )
    def post(self, request: Request) -> Response:
        return self.submit(request, status.HTTP_204_NO_CONTENT)


# -- email change -----------------------------------------------------------------------


class EmailChangeView(UserView):
    """Ask to change your email address; the new address must confirm."""

    serializer_class = s.EmailChangeSerializer
    throttle_scopes = ("password_check", "email_change", "email_change_email")

    @extend_schema(
        tags=TAGS,
        summary="Ask to change your email address",
        description="Sends a confirmation link to the new address and a notice to the current one.",
        responses={202: s.DetailSerializer, 400: FIELD_ERRORS, 401: UNAUTHENTICATED, 429: THROTTLED},
    )
    def post(self, request: Request) -> Response:
        return self.submit(request, status.HTTP_202_ACCEPTED)


class EmailChangeConfirmView(UserView):
    """Confirm an email change with the token sent to the new address."""

    serializer_class = s.EmailChangeConfirmSerializer

    @extend_schema(
        tags=TAGS,
        summary="Confirm an email change with the token from the email",
        description="400 if the token is invalid, expired, used, another user's, or the address was taken meanwhile.",
        responses={200: s.EmailChangeConfirmSerializer, 400: FIELD_ERRORS, 401: UNAUTHENTICATED, 429: THROTTLED},
    )
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, _new = serializer.validated_data["token"]
        if user.pk != request.user.pk:
            raise serializers.ValidationError({"token": [_("This link is invalid, expired or already used.")]})
        serializer.save()
        return Response(serializer.data)


# -- sessions and addresses -------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        summary="Your live sessions (refresh tokens)",
        responses={200: s.SessionSerializer, 401: UNAUTHENTICATED, 429: THROTTLED},
    ),
    destroy=extend_schema(
        tags=TAGS,
        summary="Revoke one session",
        responses={204: None, 401: UNAUTHENTICATED, 404: NOT_FOUND, 429: THROTTLED},
    ),
)
class SessionViewSet(BazaryAPIMixin, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Your live sessions: the refresh tokens that are neither expired nor revoked."""

    serializer_class = s.SessionSerializer
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes: Any = ()

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return sessions.OutstandingToken.objects.none()
        return sessions.live_tokens(self.request.user).order_by("-created_at", "-pk")

    def perform_destroy(self, instance: Any) -> None:
        sessions.revoke_logins(
            self.request.user, sessions.OutstandingToken.objects.filter(pk=instance.pk), RevokeReason.LOGOUT
        )
        activity.record(
            activity.EventKind.SESSION_REVOKED, request=self.request, user=self.request.user, session=instance.pk
        )


@extend_schema_view(
    list=extend_schema(
        tags=TAGS, summary="Your addresses", responses={200: s.AddressSerializer, 401: UNAUTHENTICATED, 429: THROTTLED}
    ),
    create=extend_schema(
        tags=TAGS,
        summary="Add an address",
        responses={201: s.AddressSerializer, 400: FIELD_ERRORS, 401: UNAUTHENTICATED, 429: THROTTLED},
    ),
    retrieve=extend_schema(
        tags=TAGS,
        summary="One address",
        responses={200: s.AddressSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND, 429: THROTTLED},
    ),
    update=extend_schema(
        tags=TAGS,
        summary="Replace an address",
        responses={200: s.AddressSerializer, 400: FIELD_ERRORS, 401: UNAUTHENTICATED, 404: NOT_FOUND, 429: THROTTLED},
    ),
    partial_update=extend_schema(
        tags=TAGS,
        summary="Change an address",
        responses={200: s.AddressSerializer, 400: FIELD_ERRORS, 401: UNAUTHENTICATED, 404: NOT_FOUND, 429: THROTTLED},
    ),
    destroy=extend_schema(
        tags=TAGS,
        summary="Delete an address",
        responses={204: None, 401: UNAUTHENTICATED, 404: NOT_FOUND, 429: THROTTLED},
    ),
)
class AddressViewSet(BazaryAPIMixin, viewsets.ModelViewSet):
    """Your postal addresses; at most one default per kind."""

    serializer_class = s.AddressSerializer
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes: Any = ()

    def get_queryset(self) -> QuerySet[Address]:
        if getattr(self, "swagger_fake_view", False):
            return Address.objects.none()
        return Address.objects.for_user(self.request.user)
