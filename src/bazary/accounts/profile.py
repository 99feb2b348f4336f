"""The profile extras of ``auth/me/``: phone, date of birth, language, time zone,
avatar and marketing consent (the fields of :class:`~bazary.accounts.models.AbstractUser`).

:class:`ProfileFieldsMixin` adds them to the profile serializer; a user model
without one of them (a project's own model) simply has no such key.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from . import validators


def _django_errors(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(list(exc.messages), code=getattr(exc, "code", None) or "invalid")


class ProfileFieldsMixin(serializers.Serializer):
    phone = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text=_("International format (+ and the country code); answered in E.164 form, such as +33612345678."),
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True, help_text=_("Not in the future."))
    language = serializers.CharField(
        max_length=validators.LANGUAGE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text=_("A code of the site's LANGUAGES; emails to you are written in it. Empty: the site's language."),
    )
    timezone = serializers.CharField(
        max_length=validators.TIMEZONE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text=_("An IANA time zone such as Europe/Paris; emails show times in it. Empty: the site's zone."),
    )
    avatar = serializers.ImageField(
        read_only=True, help_text=_("The avatar's URL, or null; change it with auth/me/avatar/.")
    )
    marketing_opt_in = serializers.BooleanField(
        read_only=True, help_text=_("Consent to newsletter-style emails; change it with auth/me/marketing/.")
    )
    marketing_consent_at = serializers.DateTimeField(read_only=True, allow_null=True)
    marketing_consent_source = serializers.CharField(read_only=True)

    profile_fields = (
        "phone",
        "date_of_birth",
        "language",
        "timezone",
        "avatar",
        "marketing_opt_in",
        "marketing_consent_at",
        "marketing_consent_source",
    )

    def validate_phone(self, value: str) -> str:
        if not value:
            return ""
        try:
            return validators.normalize_phone(value)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from exc

    def validate_date_of_birth(self, value: Any) -> Any:
        try:
            validators.validate_date_of_birth(value)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from exc
        return value

    def validate_language(self, value: str) -> str:
        try:
            validators.validate_language(value)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from exc
        return value

    def validate_timezone(self, value: str) -> str:
        try:
            validators.validate_timezone(value)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from exc
        return value


class AvatarUploadSerializer(serializers.Serializer):
    avatar = serializers.FileField(
        write_only=True,
        help_text=_("JPEG, PNG, WebP or GIF, at most AVATAR_MAX_BYTES and AVATAR_MAX_PIXELS."),
    )

    def validate_avatar(self, value: Any) -> Any:
        from .avatars import validate_avatar

        try:
            return validate_avatar(value)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from exc


#: A label the client gives for where consent was given: ``signup_form``, ``checkout``, ``app:settings``.
SOURCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"


class MarketingConsentSerializer(serializers.Serializer):
    # (DRF's metaclass takes declared fields off the class, so Field.source is not shadowed.)
    source = serializers.RegexField(  # type: ignore[assignment]
        SOURCE_PATTERN,
        max_length=64,
        required=False,
        default="api",
        error_messages={"invalid": _("Use letters, digits and _ . : - only (at most 64).")},
        help_text=_("Where the user gave their consent (your label, such as signup_form); default api."),
    )
