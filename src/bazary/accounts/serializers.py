"""Serializers of the accounts API; the flows they start live in ``save()``."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import UntypedToken

from bazary.core.email import recipient_locale
from bazary.core.network import client_ip

from . import activity, emails, lockout, sessions, signals, tokens
from .activity import EventKind
from .conf import accounts_settings, get_adapter
from .countries import country_name, normalize_country
from .mfa import login as mfa_login
from .models import Address, RevokeReason
from .profile import ProfileFieldsMixin
from .tasks import request_account_email, send_verification

#: Long enough for any passphrase, short enough that hashing it is cheap.
PASSWORD_MAX_LENGTH = 1024
TOKEN_MAX_LENGTH = 4096


def password_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(
        write_only=True,
        trim_whitespace=False,
        max_length=PASSWORD_MAX_LENGTH,
        style={"input_type": "password"},
        **kwargs,
    )


def email_field(**kwargs: Any) -> serializers.EmailField:
    return serializers.EmailField(max_length=254, **kwargs)


def token_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=TOKEN_MAX_LENGTH, trim_whitespace=True, **kwargs)


def _request(serializer: serializers.Serializer) -> Any:
    return serializer.context.get("request")


def _validate_new_password(password: str, user: Any) -> str:
    try:
        password_validation.validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(list(exc.messages)) from exc
    return password


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)


class ErrorSerializer(serializers.Serializer):
    """DRF's error shape; ``code`` is set where the API documents one."""

    detail = serializers.CharField()
    #: Absent from DRF's own 401 and 429 answers.
    code = serializers.CharField(required=False)


# -- registration and verification ------------------------------------------


class RegisterSerializer(serializers.Serializer):
    email = email_field()
    password = password_field()
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    detail = serializers.CharField(read_only=True)

    def validate_email(self, value: str) -> str:
        try:
            return get_adapter().clean_new_email(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(list(exc.messages), "invalid") from exc

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        adapter = get_adapter()
        # An unsaved user lets UserAttributeSimilarityValidator compare the password with the names.
        values = {name: value for name, value in attrs.items() if name != "password" and adapter.has_field(name)}
        values[adapter.email_field()] = attrs["email"]
        candidate = adapter.user_model(**values)
        try:
            password_validation.validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Any:
        adapter = get_adapter()
        request = _request(self)
        email = validated_data["email"]
        existing = adapter.get_user_by_email(email)
        if existing is None:
            fields = {k: v for k, v in validated_data.items() if k not in ("email", "password")}
            try:
                with transaction.atomic():
                    user = adapter.create_user(email, validated_data["password"], **fields)
            except IntegrityError:  # registered concurrently: the same as an existing account
                existing = adapter.get_user_by_email(email)
            else:
                signals.user_registered.send(sender=type(user), user=user, request=request)
                if accounts_settings.EMAIL_VERIFICATION != "none":
                    send_verification(user, request)
                return user
        if existing is not None:
            # No enumeration: the caller sees the same 201 after the same work (a password hash);
            # the owner hears about it, at the address the account has (never the one given).
            make_password(validated_data["password"])
            emails.send(
                "account_exists",
                existing,
                {"email": adapter.get_email(existing), "name": emails.recipient_name(existing)},
            )
        return existing

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {
            "email": self.validated_data["email"],
            "detail": str(_("Check your inbox to continue.")),
        }


class VerifyEmailSerializer(serializers.Serializer):
    token = token_field(write_only=True)
    detail = serializers.CharField(read_only=True)

    def validate_token(self, value: str) -> Any:
        try:
            return tokens.read_verify_email_token(value)
        except tokens.InvalidToken as exc:
            raise serializers.ValidationError(_("This link is invalid, expired or already used."), "invalid") from exc

    def save(self, **kwargs: Any) -> Any:
        user = self.validated_data["token"]
        adapter = get_adapter()
        adapter.set_email_verified(user)
        activity.record(EventKind.EMAIL_VERIFIED, request=_request(self), user=user)
        signals.email_verified.send(sender=type(user), user=user, email=adapter.get_email(user), request=_request(self))
        self.instance = user
        return user

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {"detail": str(_("Your email address is verified."))}


class EmailSerializer(serializers.Serializer):
    email = email_field(write_only=True)
    detail = serializers.CharField(read_only=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {"detail": str(_("If the address has an account, an email is on its way."))}


class ResendVerificationSerializer(EmailSerializer):
    def save(self, **kwargs: Any) -> None:
        # The same for every address; the task decides whether there is mail to send.
        request_account_email("verify_email", self.validated_data["email"])


# -- JWT ----------------------------------------------------------------------


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)


def _locked() -> exceptions.PermissionDenied:
    return exceptions.PermissionDenied(
        {"detail": _("Too many failed logins; try again later."), "code": "account_locked"}
    )


class LoginSerializer(TokenPairSerializer):
    email = serializers.CharField(write_only=True, max_length=254)
    password = password_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        adapter = get_adapter()
        email = adapter.normalize_email(attrs["email"])
        user = adapter.get_user_by_email(email)
        # The account when the address has one, so every spelling of it counts against the same lock;
        # per client address, so a stranger's failures never lock the owner out (see lockout).
        subject = lockout.subject(email, user)
        request = _request(self)
        client = client_ip(request) if request is not None else ""
        if lockout.is_locked(subject, client):
            activity.record(EventKind.LOGIN_FAILED, request=request, user=user, email=email, reason="locked")
            raise _locked()
        wait = lockout.wait_for(subject, client)
        if wait:
            activity.record(EventKind.LOGIN_FAILED, request=request, user=user, email=email, reason="slowed_down")
            raise exceptions.Throttled(wait=wait)
        if user is None:
            # Spend the time a password check takes, so timing does not tell unknown addresses apart.
            make_password(attrs["password"])
            ok = False
        else:
            ok = user.check_password(attrs["password"]) and adapter.can_login(user)
        if not ok:
            locks = lockout.register_failure(subject, client)
            events = [
                activity.build(EventKind.LOGIN_FAILED, request=request, user=user, email=email, reason="credentials")
            ]
            if locks:
                events.append(activity.build(EventKind.LOCKED_OUT, request=request, user=user, email=email))
            activity.save(*events)  # one INSERT, with the lock this failure caused
            if locks:
                if lockout.should_mail_owner(subject):
                    # Whatever the address: the task looks the account up (and mails its owner a link).
                    request_account_email("unlock", email)
                raise _locked()
            raise exceptions.AuthenticationFailed(
                {"detail": _("No active account found with the given credentials."), "code": "authentication_failed"}
            )
        if adapter.requires_verified_email(user):
            activity.record(
                EventKind.LOGIN_FAILED, request=request, user=user, email=email, reason="email_not_verified"
            )
            raise exceptions.PermissionDenied(
                {"detail": _("Verify your email address before logging in."), "code": "email_not_verified"}
            )
        attrs["user"] = user
        # With a second factor the client's failures are forgotten only once it is given (mfa.login).
        attrs["mfa_pending"] = mfa_login.pending(user)
        if not attrs["mfa_pending"]:
            lockout.reset_client(subject, client)
        return attrs

    def create(self, validated_data: dict[str, Any]) -> dict[str, Any]:
        if validated_data["mfa_pending"]:
            return mfa_login.start(validated_data["user"])
        return mfa_login.complete(validated_data["user"], _request(self), method="password")


def _token_refused(exc: Exception) -> exceptions.AuthenticationFailed:
    return exceptions.AuthenticationFailed(
        {"detail": _("Token is invalid, expired or revoked."), "code": "token_not_valid"}
    )


class RefreshSerializer(serializers.Serializer):
    refresh = token_field()
    access = serializers.CharField(read_only=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            return sessions.refresh_tokens(attrs["refresh"], _request(self))
        except sessions.RefreshRefused as exc:
            raise _token_refused(exc) from exc


class RefreshResponseSerializer(serializers.Serializer):
    access = serializers.CharField()
    #: Only when ``ROTATE_REFRESH_TOKENS`` is on (the default).
    refresh = serializers.CharField(required=False)


class TokenVerifySerializer(serializers.Serializer):
    token = token_field(write_only=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            token = UntypedToken(attrs["token"])
        except TokenError as exc:
            raise _token_refused(exc) from exc
        # A revoked refresh token is not valid, whatever SIMPLE_JWT says about blacklisting.
        if BlacklistedToken.objects.filter(token__jti=token.get(jwt_settings.JTI_CLAIM)).exists():
            raise _token_refused(TokenError("blacklisted"))
        # A token of a deleted or deactivated account is no longer valid either.
        try:
            user = sessions.user_of(token)
        except sessions.RefreshRefused as exc:
            raise _token_refused(TokenError("no such user")) from exc
        # Nor a token of a revoked login (logout, logout everywhere, password change...).
        try:
            sessions.check_login(token, user)
        except sessions.RefreshRefused as exc:
            raise _token_refused(TokenError("revoked")) from exc
        return {}


class LogoutSerializer(serializers.Serializer):
    refresh = token_field(write_only=True)

    def save(self, **kwargs: Any) -> None:
        try:
            sessions.revoke_refresh(self.validated_data["refresh"], _request(self).user)
        except sessions.RefreshRefused as exc:
            raise _token_refused(exc) from exc
        activity.record(EventKind.LOGGED_OUT, request=_request(self), user=_request(self).user)


class UnlockSerializer(serializers.Serializer):
    token = token_field(write_only=True)
    detail = serializers.CharField(read_only=True)

    def save(self, **kwargs: Any) -> Any:
        try:
            self.instance = tokens.use_unlock_token(self.validated_data["token"])
        except tokens.InvalidToken as exc:
            raise exceptions.ValidationError(
                {"token": [_("This link is invalid, expired or already used.")]}, "invalid"
            ) from exc
        activity.record(EventKind.UNLOCKED, request=_request(self), user=self.instance)
        return self.instance

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {"detail": str(_("Your account is unlocked: every device can log in again."))}


# -- passwords ------------------------------------------------------------------


class PasswordChangeSerializer(serializers.Serializer):
    current_password = password_field()
    new_password = password_field()
    #: The refresh token of this device, kept alive (optional; all others are revoked).
    refresh = token_field(write_only=True, required=False)

    def validate_current_password(self, value: str) -> str:
        if not _request(self).user.check_password(value):
            raise serializers.ValidationError(_("The current password is not correct."), "wrong_password")
        return value

    def validate_new_password(self, value: str) -> str:
        return _validate_new_password(value, _request(self).user)

    def save(self, **kwargs: Any) -> Any:
        request = _request(self)
        user = request.user
        keep = None
        if self.validated_data.get("refresh"):
            try:
                keep = UntypedToken(self.validated_data["refresh"]).get(jwt_settings.JTI_CLAIM)
            except TokenError:
                keep = None
        with transaction.atomic():
            user.set_password(self.validated_data["new_password"])
            user.save(update_fields=["password"])
            sessions.revoke_all(user, RevokeReason.PASSWORD_CHANGED, except_jti=keep)
            activity.record(EventKind.PASSWORD_CHANGED, request=request, user=user)
        signals.password_changed.send(sender=type(user), user=user, request=request)
        emails.send(
            "password_changed", user, {"email": get_adapter().get_email(user), "name": emails.recipient_name(user)}
        )
        return user


class PasswordResetSerializer(EmailSerializer):
    def save(self, **kwargs: Any) -> None:
        # The same for every address; the task decides whether there is mail to send.
        request_account_email("password_reset", self.validated_data["email"], request=_request(self))


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64, write_only=True)
    token = serializers.CharField(max_length=128, write_only=True)
    new_password = password_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            user = tokens.read_password_reset(attrs["uid"], attrs["token"])
        except tokens.InvalidToken as exc:
            raise serializers.ValidationError(
                {"token": [_("This link is invalid, expired or already used.")]}, "invalid"
            ) from exc
        try:
            password_validation.validate_password(attrs["new_password"], user=user)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"new_password": list(exc.messages)}) from exc
        attrs["user"] = user
        return attrs

    def save(self, **kwargs: Any) -> Any:
        user = self.validated_data["user"]
        adapter = get_adapter()
        with transaction.atomic():
            user.set_password(self.validated_data["new_password"])
            user.save(update_fields=["password"])
            sessions.revoke_all(user, RevokeReason.PASSWORD_RESET)
            # Following the emailed link proves the address.
            if not adapter.is_email_verified(user):
                adapter.set_email_verified(user)
            activity.record(EventKind.PASSWORD_RESET_COMPLETED, request=_request(self), user=user)
        lockout.reset(lockout.subject(adapter.get_email(user), user))
        signals.password_reset.send(sender=type(user), user=user, request=_request(self))
        emails.send("password_changed", user, {"email": adapter.get_email(user), "name": emails.recipient_name(user)})
        return user


# -- email change -----------------------------------------------------------------


class EmailChangeSerializer(serializers.Serializer):
    new_email = email_field(write_only=True)
    password = password_field()
    detail = serializers.CharField(read_only=True)

    def validate_password(self, value: str) -> str:
        if not _request(self).user.check_password(value):
            raise serializers.ValidationError(_("The password is not correct."), "wrong_password")
        return value

    def validate_new_email(self, value: str) -> str:
        adapter = get_adapter()
        try:
            value = adapter.clean_new_email(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(list(exc.messages), "invalid") from exc
        if adapter.email_key(value) == adapter.email_key(adapter.get_email(_request(self).user)):
            raise serializers.ValidationError(_("This is already your address."), "same_email")
        return value

    def save(self, **kwargs: Any) -> None:
        request = _request(self)
        user = request.user
        adapter = get_adapter()
        new_email = self.validated_data["new_email"]
        # The link goes out even if the address is taken (no enumeration); confirming then fails.
        token = tokens.make_email_change_token(user, new_email)
        context = {"email": adapter.get_email(user), "new_email": new_email}
        # The new address is not confirmed yet: nothing the user wrote (their names) goes to it.
        emails.send(
            "email_change_confirm",
            user,
            {**context, "url": adapter.email_change_url(request, token), "token": token},
            email=new_email,
        )
        emails.send("email_change_notice", user, {**context, "name": emails.recipient_name(user)})
        activity.record(EventKind.EMAIL_CHANGE_REQUESTED, request=request, user=user, new_email=new_email)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {"detail": str(_("Open the link sent to the new address to confirm it."))}


class EmailChangeConfirmSerializer(serializers.Serializer):
    token = token_field(write_only=True)
    email = serializers.EmailField(read_only=True)

    def validate_token(self, value: str) -> tuple[Any, str]:
        try:
            return tokens.read_email_change_token(value)
        except tokens.InvalidToken as exc:
            raise serializers.ValidationError(_("This link is invalid, expired or already used."), "invalid") from exc

    def save(self, **kwargs: Any) -> Any:
        user, new_email = self.validated_data["token"]
        adapter = get_adapter()
        old_email = adapter.get_email(user)
        try:
            with transaction.atomic():
                if adapter.email_in_use(new_email, exclude_pk=user.pk):
                    raise IntegrityError
                setattr(user, adapter.email_field(), new_email)
                user.save(update_fields=[adapter.email_field()])
                # The link reached the new address, so it is verified.
                adapter.set_email_verified(user)
                activity.record(
                    EventKind.EMAIL_CHANGE_CONFIRMED,
                    request=_request(self),
                    user=user,
                    old_email=old_email,
                    new_email=new_email,
                )
        except IntegrityError as exc:
            raise exceptions.ValidationError(
                {"token": [_("This address is already used by another account.")]}, "email_taken"
            ) from exc
        lockout.reset(lockout.subject(old_email, user))
        signals.email_changed.send(
            sender=type(user), user=user, old_email=old_email, new_email=new_email, request=_request(self)
        )
        self.instance = user
        return user

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {"email": get_adapter().get_email(instance)}


# -- the profile ----------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class PrimaryKeyField(serializers.ReadOnlyField):
    pass


class UserSerializer(ProfileFieldsMixin, serializers.Serializer):
    """The profile; works with any user model (fields it lacks are left out).

    Writable: the names, ``phone``, ``date_of_birth``, ``language`` and
    ``timezone``; everything else a client sends (email, is_staff, is_active,
    password, the avatar and the marketing consent, which have endpoints of
    their own...) is ignored.
    """

    id = PrimaryKeyField(source="pk")
    email = serializers.SerializerMethodField()
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    email_verified = serializers.SerializerMethodField()
    date_joined = serializers.DateTimeField(read_only=True)

    optional_fields = ("first_name", "last_name", "date_joined", *ProfileFieldsMixin.profile_fields)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        adapter = get_adapter()
        for name in self.optional_fields:
            if name in fields and not adapter.has_field(name):
                del fields[name]
        return fields

    def get_email(self, user: Any) -> str:
        return get_adapter().get_email(user)

    def get_email_verified(self, user: Any) -> bool:
        return get_adapter().is_email_verified(user)

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        for name, value in validated_data.items():
            setattr(instance, name, value)
        if validated_data:
            instance.save(update_fields=list(validated_data))
        return instance


class DeleteAccountSerializer(serializers.Serializer):
    password = password_field()

    def validate_password(self, value: str) -> str:
        if not _request(self).user.check_password(value):
            raise serializers.ValidationError(_("The password is not correct."), "wrong_password")
        return value

    def save(self, **kwargs: Any) -> Any:
        request = _request(self)
        user = request.user
        adapter = get_adapter()
        email = adapter.get_email(user)
        # The farewell goes out after the language and time zone are blanked: in the ones the user had.
        locale = recipient_locale(user)
        with transaction.atomic():
            sessions.lock_user(user)  # first, as address writes and token rotations do: no lock-order deadlock
            Address.objects.filter(user=user).delete()
            sessions.revoke_all(user, RevokeReason.DELETED)
            adapter.anonymize_user(user)
        signals.user_deleted.send(sender=type(user), user=user, email=email, request=request)
        # After the log was anonymised (user_deleted): no address, no user agent.
        activity.record(EventKind.ACCOUNT_DELETED, user=user)
        emails.send("account_deleted", user, {"email": email}, email=email, locale=locale)
        return user


# -- addresses and sessions ---------------------------------------------------------

PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()./-]{2,30}$")


class AddressSerializer(serializers.ModelSerializer):
    #: Two letters, any case (django-countries' list); answered in upper case.
    country = serializers.CharField(max_length=8)
    country_name = serializers.SerializerMethodField(help_text=_("The country's name in the request's language."))

    class Meta:
        model = Address
        fields = (
            "id",
            "kind",
            "recipient_name",
            "line1",
            "line2",
            "city",
            "region",
            "postal_code",
            "country",
            "country_name",
            "phone",
            "is_default",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "created_at", "updated_at")
        # DRF's default message echoes the input, which cannot be rendered if it holds a lone surrogate.
        extra_kwargs = {"kind": {"error_messages": {"invalid_choice": _("Choose shipping or billing.")}}}

    def validate_country(self, value: str) -> str:
        code = normalize_country(value)
        if code is None:
            raise serializers.ValidationError(_("Enter an ISO 3166-1 alpha-2 country code, such as US or FR."))
        return code

    def get_country_name(self, address: Address) -> str:
        return country_name(str(address.country or ""))

    def validate_phone(self, value: str) -> str:
        if value and not PHONE_RE.match(value):
            raise serializers.ValidationError(_("Enter a phone number of digits, spaces and + ( ) . - only."))
        return value

    def save(self, **kwargs: Any) -> Address:
        user = self.context["request"].user
        with transaction.atomic():
            # Lock the user's row: the cap and the single default hold under concurrent requests.
            type(user)._default_manager.select_for_update().filter(pk=user.pk).first()
            if self.instance is None:
                if Address.objects.filter(user=user).count() >= accounts_settings.MAX_ADDRESSES:
                    raise serializers.ValidationError(
                        {
                            "detail": _("You cannot keep more than %(max)d addresses.")
                            % {"max": accounts_settings.MAX_ADDRESSES}
                        },
                        "max_addresses",
                    )
                kwargs["user"] = user
            kind = self.validated_data.get(
                "kind", getattr(self.instance, "kind", None) or Address._meta.get_field("kind").default
            )
            is_default = self.validated_data.get("is_default", getattr(self.instance, "is_default", False))
            if is_default:
                others = Address.objects.filter(user=user, kind=kind, is_default=True)
                if self.instance is not None:
                    others = others.exclude(pk=self.instance.pk)
                others.update(is_default=False)
            return super().save(**kwargs)


class SessionSerializer(serializers.ModelSerializer):
    created = serializers.DateTimeField(source="created_at", read_only=True)
    expires = serializers.DateTimeField(source="expires_at", read_only=True)
    user_agent = serializers.SerializerMethodField()
    ip_address = serializers.SerializerMethodField()

    class Meta:
        model = OutstandingToken
        fields = ("id", "created", "expires", "user_agent", "ip_address")

    def _session(self, token: OutstandingToken) -> Any:
        return getattr(token, "bazary_session", None)

    def get_user_agent(self, token: OutstandingToken) -> str:
        session = self._session(token)
        return session.user_agent if session else ""

    @extend_schema_field({"type": "string", "nullable": True})
    def get_ip_address(self, token: OutstandingToken) -> str | None:
        session = self._session(token)
        return session.ip_address if session else None
