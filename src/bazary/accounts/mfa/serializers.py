"""Serializers of the MFA API (``auth/mfa/…``, ``auth/token/mfa/…``, ``auth/passkey/login/…``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer
from rest_framework import exceptions, serializers

from bazary.core.network import client_ip

from .. import activity, lockout
from ..conf import get_adapter
from ..serializers import _locked, password_field, token_field
from ..tasks import request_account_email
from . import factors, login, passkeys, recovery, tickets, totp
from .models import Passkey

CODE_MAX_LENGTH = 32


def code_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(write_only=True, max_length=CODE_MAX_LENGTH, **kwargs)


def credential_field(**kwargs: Any) -> serializers.JSONField:
    return serializers.JSONField(
        write_only=True,
        help_text="The PublicKeyCredential as JSON (what `credential.toJSON()` gives in the browser).",
        **kwargs,
    )


def _request(serializer: serializers.Serializer) -> Any:
    return serializer.context["request"]


def _wrong_code() -> serializers.ValidationError:
    return serializers.ValidationError({"code": [_("This code is not valid.")]}, "invalid")


class PasswordMixin(serializers.Serializer):
    password = password_field()

    def validate_password(self, value: str) -> str:
        if not _request(self).user.check_password(value):
            raise serializers.ValidationError(_("The password is not correct."), "wrong_password")
        return value


def check_code(user: Any, code: str) -> str | None:
    """Spend ``code`` as the user's TOTP code or one of their recovery codes; which it was, or None."""
    device = totp.confirmed(user)
    if device is not None and totp.use(device, code):
        return factors.TOTP
    if device is not None and recovery.use(user, code):
        return factors.RECOVERY_CODE
    return None


# -- status ---------------------------------------------------------------------------


class TOTPStatusSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    confirmed_at = serializers.DateTimeField(allow_null=True)


class MFAStatusSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(help_text="Whether a login asks for a second factor.")
    methods = serializers.ListField(child=serializers.CharField())
    totp = TOTPStatusSerializer()
    recovery_codes_left = serializers.IntegerField()
    passkeys = serializers.IntegerField()
    setup_required = serializers.BooleanField(help_text="MFA_REQUIRED_FOR_STAFF applies and no factor is set up.")


# -- TOTP -----------------------------------------------------------------------------


class TOTPSetupSerializer(PasswordMixin):
    secret = serializers.CharField(read_only=True, help_text="Base32, for typing into an authenticator app.")
    otpauth_uri = serializers.CharField(read_only=True)
    qr_code = serializers.CharField(read_only=True, help_text="The otpauth URI as a QR code, an SVG data: URI.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if totp.confirmed(_request(self).user) is not None:
            raise serializers.ValidationError(
                {"detail": _("An authenticator app is already set up; disable it first.")}, "totp_enabled"
            )
        return attrs

    def save(self, **kwargs: Any) -> dict[str, str]:
        secret, uri, qr = totp.begin_setup(_request(self).user)
        self.instance = {"secret": secret, "otpauth_uri": uri, "qr_code": qr}
        return self.instance


class RecoveryCodesSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(child=serializers.CharField(), read_only=True)


class TOTPConfirmSerializer(RecoveryCodesSerializer):
    code = code_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = _request(self).user
        device = totp.TOTPDevice.objects.filter(user=user).first()
        if device is None or device.confirmed_at is not None:
            raise serializers.ValidationError(
                {"detail": _("Start with auth/mfa/totp/setup/ (or disable the current app first).")}, "no_setup"
            )
        if not totp.confirm(device, attrs["code"]):
            raise _wrong_code()
        return attrs

    def save(self, **kwargs: Any) -> dict[str, Any]:
        request = _request(self)
        self.instance = {"recovery_codes": recovery.generate(request.user)}
        activity.record(activity.EventKind.MFA_ENABLED, request=request, user=request.user, method=factors.TOTP)
        return self.instance


class PasswordAndCodeSerializer(PasswordMixin):
    code = code_field(help_text="A code from the authenticator app, or a recovery code.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = _request(self).user
        if totp.confirmed(user) is None:
            raise serializers.ValidationError({"detail": _("No authenticator app is set up.")}, "totp_disabled")
        attrs["used"] = check_code(user, attrs["code"])
        if attrs["used"] is None:
            raise _wrong_code()
        return attrs


class TOTPDisableSerializer(PasswordAndCodeSerializer):
    def save(self, **kwargs: Any) -> None:
        request = _request(self)
        factors.disable_totp(request.user)
        activity.record(
            activity.EventKind.MFA_DISABLED,
            request=request,
            user=request.user,
            method=factors.TOTP,
            code=self.validated_data["used"],
        )


class RecoveryCodesRegenerateSerializer(PasswordAndCodeSerializer, RecoveryCodesSerializer):
    def save(self, **kwargs: Any) -> dict[str, Any]:
        request = _request(self)
        self.instance = {"recovery_codes": recovery.generate(request.user)}
        activity.record(
            activity.EventKind.RECOVERY_CODES_REGENERATED,
            request=request,
            user=request.user,
            code=self.validated_data["used"],
        )
        return self.instance


# -- passkeys -------------------------------------------------------------------------


class PasskeyOptionsSerializer(serializers.Serializer):
    options = serializers.JSONField(read_only=True, help_text="For navigator.credentials (parse…FromJSON).")
    state = serializers.CharField(read_only=True, help_text="Send it back with the credential; single use.")


class PasskeyRegisterOptionsSerializer(PasswordMixin, PasskeyOptionsSerializer):
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if Passkey.objects.filter(user=_request(self).user).count() >= passkeys.MAX_PER_USER:
            raise serializers.ValidationError(
                {"detail": _("You have the most passkeys an account may have; delete one first.")}, "too_many"
            )
        return attrs

    def save(self, **kwargs: Any) -> dict[str, Any]:
        self.instance = passkeys.registration_options(_request(self).user)
        return self.instance


class PasskeySerializer(serializers.ModelSerializer):
    class Meta:
        model = Passkey
        fields: tuple[str, ...] = ("id", "name", "created_at", "last_used_at", "backed_up", "transports")
        read_only_fields = ("id", "created_at", "last_used_at", "backed_up", "transports")


class PasskeyCreateSerializer(PasskeySerializer):
    state = token_field(write_only=True)
    credential = credential_field()

    class Meta(PasskeySerializer.Meta):
        fields: tuple[str, ...] = (*PasskeySerializer.Meta.fields, "state", "credential")

    def create(self, validated_data: dict[str, Any]) -> Passkey:
        request = _request(self)
        try:
            passkey = passkeys.register(
                request.user, validated_data["state"], validated_data["credential"], validated_data["name"]
            )
        except passkeys.Refused as exc:
            raise serializers.ValidationError(
                {"credential": [_("The passkey could not be verified; start again.")]}, "invalid"
            ) from exc
        activity.record(
            activity.EventKind.PASSKEY_ADDED, request=request, user=request.user, passkey=passkey.pk, name=passkey.name
        )
        return passkey


class PasskeyDeleteSerializer(PasswordMixin):
    pass


# -- the second step of a login, and passwordless login -------------------------------


class MFAChallengeSerializer(serializers.Serializer):
    """The answer of ``auth/token/`` when the account has a second factor."""

    mfa_required = serializers.BooleanField()
    mfa_token = serializers.CharField(help_text="For auth/token/mfa/; short-lived and single-use.")
    methods = serializers.ListField(
        child=serializers.ChoiceField([factors.PASSKEY, factors.TOTP, factors.RECOVERY_CODE])
    )


class LoginPairSerializer(serializers.Serializer):
    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)
    mfa_setup_required = serializers.BooleanField(
        read_only=True, required=False, help_text="Only with MFA_REQUIRED_FOR_STAFF: the tokens reach auth/mfa/ only."
    )


def _bad_mfa_token() -> exceptions.AuthenticationFailed:
    return exceptions.AuthenticationFailed(
        {"detail": _("The sign-in has expired; enter your password again."), "code": "mfa_token_invalid"}
    )


class MFATokenMixin(serializers.Serializer):
    mfa_token = token_field(write_only=True)

    def validate_mfa_token(self, value: str) -> Any:
        try:
            return login.read_token(value)
        except tickets.InvalidTicket as exc:
            raise _bad_mfa_token() from exc


class MFAPasskeyOptionsSerializer(MFATokenMixin, PasskeyOptionsSerializer):
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user, _data = attrs["mfa_token"]
        if not Passkey.objects.filter(user=user).exists():
            raise serializers.ValidationError({"detail": _("This account has no passkey.")}, "no_passkey")
        return attrs

    def save(self, **kwargs: Any) -> dict[str, Any]:
        user, _data = self.validated_data["mfa_token"]
        self.instance = passkeys.authentication_options(user)
        return self.instance


class MFALoginSerializer(MFATokenMixin, LoginPairSerializer):
    code = code_field(required=False, help_text="A TOTP code or a recovery code.")
    state = token_field(write_only=True, required=False, help_text="From auth/token/mfa/passkey/options/.")
    credential = credential_field(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("code") and not (attrs.get("state") and attrs.get("credential")):
            raise serializers.ValidationError(
                {"detail": _("Send a code, or a passkey's state and credential.")}, "required"
            )
        user, data = attrs["mfa_token"]
        request = _request(self)
        ident = login.subject(user)
        client = client_ip(request)
        # The same checks, in the same order, as a password (LoginSerializer).
        if lockout.is_locked(ident, client):
            raise _locked()
        wait = lockout.wait_for(ident, client)
        if wait:
            raise exceptions.Throttled(wait=wait)
        used = None
        method = factors.PASSKEY if attrs.get("credential") and not attrs.get("code") else "code"
        if attrs.get("code"):
            used = check_code(user, attrs["code"])
        else:
            try:
                passkeys.authenticate(attrs["state"], attrs["credential"], user)
            except passkeys.Refused:
                pass
            else:
                used = factors.PASSKEY
        if used is None:
            activity.record(activity.EventKind.MFA_FAILED, request=request, user=user, method=method)
            if lockout.register_failure(ident, client):
                if lockout.should_mail_owner(ident):
                    request_account_email("unlock", get_adapter().get_email(user))
                raise _locked()
            raise exceptions.AuthenticationFailed({"detail": _("This code is not valid."), "code": "mfa_code_invalid"})
        try:
            login.spend_token(data)
        except tickets.InvalidTicket as exc:  # a concurrent request used it first
            raise _bad_mfa_token() from exc
        lockout.reset_client(ident, client)
        if used == factors.RECOVERY_CODE:
            activity.record(
                activity.EventKind.RECOVERY_CODE_USED, request=request, user=user, left=recovery.remaining(user)
            )
        else:
            activity.record(activity.EventKind.MFA_USED, request=request, user=user, method=used)
        attrs["user"] = user
        attrs["used"] = used
        return attrs

    def create(self, validated_data: dict[str, Any]) -> dict[str, Any]:
        return login.complete(validated_data["user"], _request(self), method=validated_data["used"])


class PasskeyLoginOptionsSerializer(PasskeyOptionsSerializer):
    def save(self, **kwargs: Any) -> dict[str, Any]:
        self.instance = passkeys.authentication_options(None)
        return self.instance


class PasskeyLoginSerializer(LoginPairSerializer):
    state = token_field(write_only=True)
    credential = credential_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        adapter = get_adapter()
        try:
            passkey = passkeys.authenticate(attrs["state"], attrs["credential"])
        except passkeys.Refused as exc:
            raise exceptions.AuthenticationFailed(
                {"detail": _("The passkey could not be verified."), "code": "passkey_invalid"}
            ) from exc
        user = passkey.user
        if not adapter.can_login(user):
            raise exceptions.AuthenticationFailed(
                {"detail": _("No active account found with the given credentials."), "code": "authentication_failed"}
            )
        if adapter.requires_verified_email(user):
            raise exceptions.PermissionDenied(
                {"detail": _("Verify your email address before logging in."), "code": "email_not_verified"}
            )
        activity.record(
            activity.EventKind.MFA_USED, request=_request(self), user=user, method=factors.PASSKEY, passwordless=True
        )
        attrs["user"] = user
        return attrs

    def create(self, validated_data: dict[str, Any]) -> dict[str, Any]:
        return login.complete(validated_data["user"], _request(self), method="passkey")


#: What ``auth/token/`` answers: tokens, or the MFA challenge (for the schema).
LOGIN_RESPONSE = OpenApiResponse(
    PolymorphicProxySerializer(
        component_name="LoginResponse",
        serializers=[LoginPairSerializer, MFAChallengeSerializer],
        resource_type_field_name=None,
    ),
    description="Tokens, or (with a second factor on) an mfa_token for auth/token/mfa/.",
)
