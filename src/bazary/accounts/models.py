"""bazary's user: the email address is the login."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from . import validators
from .avatars import avatar_path
from .managers import UserManager


class AbstractUser(AbstractBaseUser, PermissionsMixin):
    """Subclass this to add fields to bazary's email-login user."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("Whether the user can log into the admin site.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    # -- profile extras (docs/accounts.md, "Profile") ------------------------
    phone = models.CharField(
        _("phone"),
        max_length=validators.PHONE_MAX_LENGTH,
        blank=True,
        validators=[validators.validate_phone],
        help_text=_("International (E.164) form, such as +33612345678."),
    )
    date_of_birth = models.DateField(
        _("date of birth"), null=True, blank=True, validators=[validators.validate_date_of_birth]
    )
    #: No ``choices``: they would come from ``LANGUAGES`` and make a migration per project.
    language = models.CharField(
        _("language"),
        max_length=validators.LANGUAGE_MAX_LENGTH,
        blank=True,
        validators=[validators.validate_language],
        help_text=_("One of LANGUAGES; emails to the user are written in it. Empty: the site's language."),
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=validators.TIMEZONE_MAX_LENGTH,
        blank=True,
        validators=[validators.validate_timezone],
        help_text=_("An IANA name such as Europe/Paris; emails show times in it. Empty: TIME_ZONE."),
    )
    avatar = models.ImageField(_("avatar"), upload_to=avatar_path, max_length=255, blank=True)
    marketing_opt_in = models.BooleanField(
        _("marketing emails"), default=False, help_text=_("Whether the user agreed to newsletter-style emails.")
    )
    marketing_consent_at = models.DateTimeField(
        _("marketing consent changed at"),
        null=True,
        blank=True,
        help_text=_("When the user last gave or withdrew their consent to marketing emails."),
    )
    marketing_consent_source = models.CharField(
        _("marketing consent source"),
        max_length=64,
        blank=True,
        help_text=_("Where that choice was made (the client's label, such as signup_form, or admin)."),
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        abstract = True
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = type(self).objects.normalize_email(self.email)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None


class User(AbstractUser):
    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # Two accounts must never differ only by the case of the address.
            models.UniqueConstraint(Lower("email"), name="bazary_accounts_user_email_ci_unique"),
        ]


class AddressKind(models.TextChoices):
    SHIPPING = "shipping", _("shipping")
    BILLING = "billing", _("billing")


class AddressQuerySet(models.QuerySet):
    def for_user(self, user: Any) -> AddressQuerySet:
        return self.filter(user=user)


class Address(models.Model):
    """A postal address of a user; at most one default per kind (enforced in the database)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bazary_addresses", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AddressKind.choices, default=AddressKind.SHIPPING)
    recipient_name = models.CharField(_("recipient name"), max_length=200)
    line1 = models.CharField(_("address line 1"), max_length=255)
    line2 = models.CharField(_("address line 2"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=128)
    region = models.CharField(_("region"), max_length=128, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=32, blank=True)
    country = CountryField(_("country"), help_text=_("ISO 3166-1 alpha-2 code."))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ("-is_default", "-created_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=("user", "kind"),
                condition=models.Q(is_default=True),
                name="bazary_accounts_address_one_default_per_kind",
            ),
        ]
        indexes = [models.Index(fields=("user", "kind"), name="bazary_acc_address_user_kind")]

    def __str__(self) -> str:
        return f"{self.recipient_name}, {self.line1}, {self.city} ({self.country})"


class RevokeReason(models.TextChoices):
    LOGOUT = "logout", _("logged out")
    LOGOUT_ALL = "logout_all", _("logged out everywhere")
    PASSWORD_CHANGED = "password_changed", _("password changed")
    PASSWORD_RESET = "password_reset", _("password reset")
    DEACTIVATED = "deactivated", _("account deactivated")
    DELETED = "deleted", _("account deleted")
    REUSE = "reuse", _("rotated refresh token reused")
    STAFF = "staff", _("revoked by staff")


class Login(models.Model):
    """One login: the refresh tokens that rotation made from one sign-in (a token family).

    Every access and refresh token carries its id (claim ``sid``). Revoking the
    login refuses its access tokens at once (``bazary.accounts.authentication``)
    and blacklists its refresh tokens.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bazary_logins", verbose_name=_("user")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("revoked because"), max_length=32, choices=RevokeReason.choices, blank=True)

    class Meta:
        verbose_name = _("login")
        verbose_name_plural = _("logins")

    def __str__(self) -> str:
        return str(self.pk)


class Session(models.Model):
    """Where a refresh token was issued: one row per simplejwt ``OutstandingToken``.

    The token itself (its expiry, its blacklisting) stays simplejwt's; this only
    adds what the sessions endpoint shows, and the login it belongs to.
    """

    token = models.OneToOneField(
        "token_blacklist.OutstandingToken",
        on_delete=models.CASCADE,
        related_name="bazary_session",
        verbose_name=_("refresh token"),
    )
    #: Empty for a token issued before bazary recorded logins (or by other code).
    login = models.ForeignKey(
        Login, on_delete=models.CASCADE, null=True, blank=True, related_name="sessions", verbose_name=_("login")
    )
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.token_id} {self.ip_address or ''}"


class AccountEvent(models.Model):
    """One entry of an account's security activity log (``bazary.accounts.activity``).

    Written with :func:`bazary.accounts.activity.record`. ``user`` is the account
    the event is about: empty for a failed login at an address that has no
    account, and once the account's row is deleted (its events stay, anonymised).
    ``actor`` is the staff member who did it, when it was not the user.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bazary_account_events",
        verbose_name=_("user"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bazary_account_events_done",
        verbose_name=_("done by"),
    )
    #: A code of ``bazary.accounts.activity``'s kind registry (no ``choices``: apps add kinds).
    kind = models.CharField(_("kind"), max_length=64)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ("-created_at", "-pk")
        indexes = [
            models.Index(fields=("user", "-created_at"), name="bazary_acc_event_user_created"),
            models.Index(fields=("kind",), name="bazary_acc_event_kind"),
            models.Index(fields=("created_at",), name="bazary_acc_event_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M:%S}"


# The second factors live in their own package; importing them here registers them with the app.
from .mfa.models import Passkey, RecoveryCode, TOTPDevice  # noqa: E402, F401
