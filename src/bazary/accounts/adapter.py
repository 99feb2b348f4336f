"""Account policy in one overridable class (``BAZARY_ACCOUNTS["ADAPTER"]``).

Subclass :class:`DefaultAccountAdapter` and point the setting at it to change
how links in emails are built, who may log in, how users are created or how
an account is anonymised. An adapter is created per call, so it may keep
per-request state.
"""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .conf import accounts_settings


class DefaultAccountAdapter:
    """Works with any user model that has a unique email field."""

    # -- the user model -------------------------------------------------
    @property
    def user_model(self) -> Any:
        return get_user_model()

    def email_field(self) -> str:
        return self.user_model.get_email_field_name()

    def get_email(self, user: Any) -> str:
        return getattr(user, self.email_field()) or ""

    def normalize_email(self, email: str) -> str:
        """The form addresses are stored in: trimmed, NFKC-normalised, domain lowercased.

        NFKC folds compatibility characters (the long s → ``s``, the Kelvin sign → ``K``,
        fullwidth letters) so they cannot pose as another address.
        """
        return BaseUserManager.normalize_email(unicodedata.normalize("NFKC", email.strip()))

    def clean_new_email(self, email: str) -> str:
        """Normalise an address a user wants to register or switch to; ValidationError if refused.

        After NFKC, a local part (before the ``@``) with letters other than ASCII is
        refused: Django's validator lets only the dotless i and the dotted capital I through there (a quirk of
        its case-insensitive pattern), and PostgreSQL's case-insensitive comparison
        takes them for ``i``, so they could only ever pose as another address.
        """
        email = self.normalize_email(email)
        local = email.rpartition("@")[0]
        if not local.isascii():
            raise ValidationError(_("Enter a valid email address."), code="invalid")
        return email

    def email_key(self, email: str) -> str:
        """The comparison key of an address: two addresses are the same account iff their keys are equal.

        NFKC plus Unicode case folding, computed in Python: the database's own
        case-insensitive match (``UPPER()`` on PostgreSQL) also equates look-alikes
        such as the dotless i and ``i``, so it only ever narrows the candidates.
        """
        folded = unicodedata.normalize("NFKC", email.strip()).casefold()
        return unicodedata.normalize("NFKC", folded)

    def _candidates(self, email: str) -> list[Any]:
        """Accounts the database considers equal to ``email`` (a superset of the real matches)."""
        query = self.user_model._default_manager.filter(**{f"{self.email_field()}__iexact": email})
        return list(query.order_by("pk")[:20])

    def _matching(self, email: str) -> list[Any]:
        email = self.normalize_email(email)
        key = self.email_key(email)
        return [user for user in self._candidates(email) if self.email_key(self.get_email(user)) == key]

    def get_user_by_email(self, email: str) -> Any | None:
        """The account whose address has the same :meth:`email_key` as ``email``, or None."""
        matches = self._matching(email)
        return matches[0] if matches else None

    def email_in_use(self, email: str, *, exclude_pk: Any = None) -> bool:
        return any(user.pk != exclude_pk for user in self._matching(email))

    def has_field(self, name: str) -> bool:
        try:
            self.user_model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        return True

    def create_user(self, email: str, password: str, **fields: Any) -> Any:
        """Create an account; ``fields`` the user model lacks are dropped."""
        model = self.user_model
        values = {name: value for name, value in fields.items() if self.has_field(name)}
        values[self.email_field()] = email
        if self.email_field() != model.USERNAME_FIELD and not values.get(model.USERNAME_FIELD):
            # A username-login model: the address is a sensible initial username.
            values[model.USERNAME_FIELD] = email
        user = model(**values)
        user.set_password(password)
        user.save()
        return user

    # -- verification ---------------------------------------------------
    def is_email_verified(self, user: Any) -> bool:
        if self.has_field("email_verified_at"):
            return user.email_verified_at is not None
        return False

    def set_email_verified(self, user: Any, verified: bool = True) -> None:
        if self.has_field("email_verified_at"):
            user.email_verified_at = timezone.now() if verified else None
            user.save(update_fields=["email_verified_at"])

    # -- policy ---------------------------------------------------------
    def can_login(self, user: Any) -> bool:
        """Whether a user with the right password gets tokens (inactive ones never do)."""
        return bool(getattr(user, "is_active", True))

    def requires_verified_email(self, user: Any) -> bool:
        return accounts_settings.EMAIL_VERIFICATION == "mandatory" and not self.is_email_verified(user)

    # -- links in emails ------------------------------------------------
    def verify_email_url(self, request: HttpRequest | None, token: str) -> str:
        return accounts_settings.VERIFY_EMAIL_URL.format(token=token)

    def password_reset_url(self, request: HttpRequest | None, uid: str, token: str) -> str:
        return accounts_settings.PASSWORD_RESET_URL.format(uid=uid, token=token)

    def email_change_url(self, request: HttpRequest | None, token: str) -> str:
        return accounts_settings.EMAIL_CHANGE_URL.format(token=token)

    # -- deletion -------------------------------------------------------
    def anonymize_user(self, user: Any) -> None:
        """Deactivate and strip personal data; the address becomes free to register again."""
        placeholder = f"deleted-{uuid.uuid4().hex}@invalid.invalid"
        setattr(user, self.email_field(), placeholder)
        if self.email_field() != user.USERNAME_FIELD:
            setattr(user, user.USERNAME_FIELD, placeholder)
        for name in ("first_name", "last_name"):
            if self.has_field(name):
                setattr(user, name, "")
        if self.has_field("email_verified_at"):
            user.email_verified_at = None
        user.is_active = False
        user.set_unusable_password()
        user.save()
