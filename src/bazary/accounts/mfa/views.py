"""The MFA API: see docs/accounts.md, Two-factor sign-in."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from .. import activity
from ..views import FIELD_ERRORS, NOT_FOUND, THROTTLED, UNAUTHENTICATED, PublicView, UserView, error
from . import factors, recovery, staff, totp
from . import serializers as s
from .models import Passkey

# One tag an operation: Swagger UI and ReDoc list an operation once per tag it has.
MFA_TAGS = ["accounts: mfa"]

LOCKED = error("code account_locked: too many failed logins or codes from this client at this account.")
MFA_TOKEN_REFUSED = error("code mfa_token_invalid (expired, used, or the password changed) or mfa_code_invalid.")


class MFAUserView(UserView):
    """An MFA endpoint of the signed-in user; reachable with the tokens MFA_REQUIRED_FOR_STAFF limits."""

    mfa_setup_allowed = True

    def _user(self) -> Any:
        return self.request.user


class CheckedPostView(MFAUserView):
    """A POST whose body the serializer checks against the password or a code (the
    ``password_check`` throttle); answers the serializer's data with ``answer_status``."""

    throttle_scopes = ("password_check",)
    answer_status: int = status.HTTP_200_OK

    def post(self, request: Request) -> Response:
        return self.submit(request, self.answer_status)


def checked(answer: Any, code: int = status.HTTP_200_OK) -> dict[int, Any]:
    """The documented answers of a :class:`CheckedPostView` that answers ``answer`` with ``code``."""
    return {code: answer, 400: FIELD_ERRORS, 401: UNAUTHENTICATED, 429: THROTTLED}


class MFAStatusView(MFAUserView):
    serializer_class = s.MFAStatusSerializer

    @extend_schema(
        tags=MFA_TAGS,
        summary="Your second factors",
        responses={200: s.MFAStatusSerializer, 401: UNAUTHENTICATED, 429: THROTTLED},
    )
    def get(self, request: Request) -> Response:
        user: Any = request.user
        device = totp.confirmed(user)
        methods = factors.methods(user)
        return Response(
            s.MFAStatusSerializer(
                {
                    "enabled": bool(methods),
                    "methods": methods,
                    "totp": {"enabled": device is not None, "confirmed_at": device.confirmed_at if device else None},
                    "recovery_codes_left": recovery.remaining(user) if device is not None else 0,
                    "passkeys": Passkey.objects.filter(user=user).count(),
                    "setup_required": staff.setup_required(user),
                }
            ).data
        )


@extend_schema(
    tags=MFA_TAGS,
    summary="Start setting up an authenticator app",
    description="Answers a new secret, its otpauth:// URI and a QR code; nothing is on until "
    "auth/mfa/totp/confirm/ gets a valid code. Asking again replaces an unconfirmed secret.",
    responses=checked(s.TOTPSetupSerializer),
)
class TOTPSetupView(CheckedPostView):
    serializer_class = s.TOTPSetupSerializer


@extend_schema(
    tags=MFA_TAGS,
    summary="Turn the authenticator app on with a first code",
    description="Answers 10 single-use recovery codes, shown this once.",
    responses=checked(s.RecoveryCodesSerializer),
)
class TOTPConfirmView(CheckedPostView):
    serializer_class = s.TOTPConfirmSerializer


@extend_schema(
    tags=MFA_TAGS,
    summary="Turn the authenticator app off",
    description="Needs the password and a code (from the app, or a recovery code); the recovery codes go too.",
    responses=checked(None, status.HTTP_204_NO_CONTENT),
)
class TOTPDisableView(CheckedPostView):
    serializer_class = s.TOTPDisableSerializer
    answer_status = status.HTTP_204_NO_CONTENT


@extend_schema(
    tags=MFA_TAGS,
    summary="New recovery codes",
    description="Needs the password and a code; the old recovery codes stop working.",
    responses=checked(s.RecoveryCodesSerializer),
)
class RecoveryCodesView(CheckedPostView):
    serializer_class = s.RecoveryCodesRegenerateSerializer


@extend_schema(
    tags=MFA_TAGS,
    summary="Options to create a passkey",
    description="Pass `options` to `PublicKeyCredential.parseCreationOptionsFromJSON()` and "
    "`navigator.credentials.create()`, then post the credential with `state` to auth/mfa/passkeys/.",
    responses=checked(s.PasskeyOptionsSerializer),
)
class PasskeyRegisterOptionsView(CheckedPostView):
    serializer_class = s.PasskeyRegisterOptionsSerializer


class PasskeyListView(MFAUserView):
    """Your passkeys; POST registers one from the browser's attestation."""

    def get_serializer_class(self) -> Any:
        if self.request is not None and self.request.method == "POST":
            return s.PasskeyCreateSerializer
        return s.PasskeySerializer

    def get_queryset(self) -> QuerySet[Passkey]:
        return Passkey.objects.filter(user=self._user())

    @extend_schema(
        tags=MFA_TAGS,
        summary="Your passkeys",
        responses={200: s.PasskeySerializer(many=True), 401: UNAUTHENTICATED, 429: THROTTLED},
    )
    def get(self, request: Request) -> Response:
        return Response(s.PasskeySerializer(self.get_queryset(), many=True).data)

    @extend_schema(
        tags=MFA_TAGS,
        summary="Register a passkey",
        description="400 when the attestation does not verify, or the state is expired, used or another user's.",
        responses={201: s.PasskeySerializer, 400: FIELD_ERRORS, 401: UNAUTHENTICATED, 429: THROTTLED},
    )
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        passkey = serializer.save()
        return Response(s.PasskeySerializer(passkey).data, status=status.HTTP_201_CREATED)


class PasskeyDetailView(MFAUserView):
    """Rename or delete one of your passkeys (another user's is a 404)."""

    http_method_names = ["patch", "delete", "options"]

    @property
    def throttle_scopes(self) -> tuple[str, ...]:  # type: ignore[override]
        request = getattr(self, "request", None)
        return ("password_check",) if request is not None and request.method == "DELETE" else ()

    def get_serializer_class(self) -> Any:
        if self.request is not None and self.request.method == "DELETE":
            return s.PasskeyDeleteSerializer
        return s.PasskeySerializer

    def get_queryset(self) -> QuerySet[Passkey]:
        if getattr(self, "swagger_fake_view", False):
            return Passkey.objects.none()
        return Passkey.objects.filter(user=self._user())

    @extend_schema(
        tags=MFA_TAGS,
        summary="Rename a passkey",
        responses={200: s.PasskeySerializer, 400: FIELD_ERRORS, 401: UNAUTHENTICATED, 404: NOT_FOUND, 429: THROTTLED},
    )
    def patch(self, request: Request, pk: int) -> Response:
        serializer = s.PasskeySerializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)

    @extend_schema(
        tags=MFA_TAGS,
        summary="Delete a passkey",
        description="Needs the password.",
        request=s.PasskeyDeleteSerializer,
        responses={204: None, 400: FIELD_ERRORS, 401: UNAUTHENTICATED, 404: NOT_FOUND, 429: THROTTLED},
    )
    def delete(self, request: Request, pk: int) -> Response:
        passkey = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pk, name = passkey.pk, passkey.name
        passkey.delete()
        activity.record(activity.EventKind.PASSKEY_REMOVED, request=request, user=request.user, passkey=pk, name=name)
        return Response(status=status.HTTP_204_NO_CONTENT)


# -- login ------------------------------------------------------------------------------


class MFALoginView(PublicView):
    """The second step of a login: the ``mfa_token`` and a code or a passkey assertion → tokens."""

    serializer_class = s.MFALoginSerializer
    throttle_scopes = ("login",)

    @extend_schema(
        tags=MFA_TAGS,
        summary="Log in, second step: a code or a passkey",
        description="A wrong code counts as a failed login (lockout); a code works once.",
        responses={
            200: s.LoginPairSerializer,
            400: FIELD_ERRORS,
            401: MFA_TOKEN_REFUSED,
            403: LOCKED,
            429: error("Throttled, or slowed down after many failures at this account; see Retry-After."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.save())


class MFAPasskeyOptionsView(PublicView):
    serializer_class = s.MFAPasskeyOptionsSerializer
    # It hands out a challenge and checks nothing: the API-wide anon rate is enough.

    @extend_schema(
        tags=MFA_TAGS,
        summary="Log in, second step: options to sign with one of the account's passkeys",
        responses={200: s.PasskeyOptionsSerializer, 400: FIELD_ERRORS, 401: MFA_TOKEN_REFUSED, 429: THROTTLED},
    )
    def post(self, request: Request) -> Response:
        return self.submit(request, status.HTTP_200_OK)


class PasskeyLoginOptionsView(PublicView):
    serializer_class = s.PasskeyLoginOptionsSerializer
    # It hands out a challenge and checks nothing: the API-wide anon rate is enough.

    @extend_schema(
        tags=MFA_TAGS,
        summary="Passwordless login: options for navigator.credentials.get()",
        request=None,
        responses={200: s.PasskeyOptionsSerializer, 429: THROTTLED},
    )
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data={})
        serializer.is_valid(raise_exception=True)
        return Response(serializer.save())


class PasskeyLoginView(PublicView):
    serializer_class = s.PasskeyLoginSerializer
    throttle_scopes = ("login",)

    @extend_schema(
        tags=MFA_TAGS,
        summary="Passwordless login with a passkey",
        description="The passkey must verify the user (PIN or biometrics); answers the same tokens as auth/token/.",
        responses={
            200: s.LoginPairSerializer,
            400: FIELD_ERRORS,
            401: error("code passkey_invalid: unknown passkey, bad signature, or an expired or used state."),
            403: error("code email_not_verified."),
            429: THROTTLED,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.save())
