"""Account policy in one overridable class (``BAZARY_ACCOUNTS["ADAPTER"]``).

Subclass :class:`DefaultAccountAdapter` and point the setting at it to change
how links in emails are built, who may log in, how users are created or how
an account is anonymised. An adapter is created per call, so it may keep
per-request state.
"""

from __future__ import annotations

import contextlib
import stringprep
import unicodedata
import uuid
from typing import Any

import idna
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .conf import accounts_settings


def is_invisible(char: str) -> bool:
    """A character that shows nothing: a format or control character, or one IDNA maps to nothing.

    That is the zero-width space, joiners and non-joiners, the soft hyphen,
    left-to-right and right-to-left marks and overrides, the word joiner, the
    byte order mark, variation selectors and the combining grapheme joiner.
    """
    return unicodedata.category(char) in ("Cf", "Cc") or stringprep.in_table_b1(char)


def _decoded_labels(domain: str) -> str:
    """``domain`` with its ``xn--`` labels decoded as raw Punycode, valid under IDNA or not."""
    labels = []
    for label in domain.split("."):
        if label[:4].lower() == "xn--":
            with contextlib.suppress(UnicodeError, ValueError):
                label = label[4:].encode("ascii").decode("punycode")
        labels.append(label)
    return ".".join(labels)


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
        """The one form of an address: what is stored, looked up, throttled and locked out.

        Invisible characters (:func:`is_invisible`) are removed wherever they are,
        then the address is trimmed and NFKC-normalised, the domain lowercased and
        its ``xn--`` labels decoded (IDNA 2008), so ``x@exa\u200bmple.com``,
        ``x@EXAMPLE.com`` and ``x@example.com`` are one address, and so are
        ``x@xn--bcher-kva.example`` and ``x@bücher.example``. NFKC folds
        compatibility characters (the long s → ``s``, the Kelvin sign → ``K``,
        fullwidth letters) so they cannot pose as another address.
        :meth:`clean_new_email` refuses what this removes, so no stored address has it.
        """
        email = "".join(char for char in email if not is_invisible(char))
        email = BaseUserManager.normalize_email(unicodedata.normalize("NFKC", email.strip()))
        local, at, domain = email.rpartition("@")
        if at and "xn--" in domain:
            # Not a valid IDN: kept as it is (and refused by clean_new_email).
            with contextlib.suppress(idna.IDNAError, UnicodeError, ValueError):
                domain = idna.decode(domain)
            email = f"{local}@{domain}"
        return email

    def clean_new_email(self, email: str) -> str:
        """Normalise an address a user wants to register or switch to; ValidationError if refused.

        Refused (400), rather than silently repaired:

        - an invisible character (:func:`is_invisible`) anywhere, in the local part
          or the domain, including in the decoded form of an ``xn--`` label: it
          is never part of a real mailbox's name, mail systems drop it (Python's
          own IDNA codec does, when Django sends), so the registrant sees the
          address they typed is not the one they meant instead of receiving mail
          at a spelling they never wrote;
        - a domain that is not a valid internationalised domain name (IDNA 2008);
        - after NFKC, a local part (before the ``@``) with letters other than
          ASCII: Django's validator lets only the dotless i and the dotted capital
          I through there (a quirk of its case-insensitive pattern), and
          PostgreSQL's case-insensitive comparison takes them for ``i``, so they
          could only ever pose as another address.
        """
        invalid = ValidationError(_("Enter a valid email address."), code="invalid")
        raw = unicodedata.normalize("NFKC", email.strip())
        if any(is_invisible(char) for char in _decoded_labels(raw)):
            raise invalid
        email = self.normalize_email(email)
        local, _at, domain = email.rpartition("@")
        if not local.isascii():
            raise invalid
        if not domain.isascii() or "xn--" in domain:
            try:
                idna.encode(domain, uts46=False)
            except (idna.IDNAError, UnicodeError, ValueError) as exc:
                raise invalid from exc
        return email

    def email_key(self, email: str) -> str:
        """The comparison key of an address: two addresses are the same account iff their keys are equal.

        :meth:`normalize_email` plus Unicode case folding, computed in Python: the
        database's own case-insensitive match (``UPPER()`` on PostgreSQL) also
        equates look-alikes such as the dotless i and ``i``, so it only ever
        narrows the candidates.
        """
        folded = self.normalize_email(email).casefold()
        return unicodedata.normalize("NFKC", folded)

    def _candidates(self, email: str) -> list[Any]:
        """Accounts the database considers equal to ``email`` (a superset of the real matches).

        ``email`` is normalised; a stored address whose domain is in its ``xn--``
        form (stored before domains were decoded) is found too.
        """
        field = f"{self.email_field()}__iexact"
        condition = Q(**{field: email})
        local, at, domain = email.rpartition("@")
        if at and not domain.isascii():
            with contextlib.suppress(idna.IDNAError, UnicodeError, ValueError):
                condition |= Q(**{field: f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"})
        query = self.user_model._default_manager.filter(condition)
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

    def unlock_url(self, request: HttpRequest | None, token: str) -> str:
        return accounts_settings.UNLOCK_URL.format(token=token)

    # -- deletion -------------------------------------------------------
    #: Personal fields of the user blanked by :meth:`anonymize_user` (where the model has them).
    PERSONAL_TEXT_FIELDS = ("first_name", "last_name", "phone", "language", "timezone", "marketing_consent_source")
    PERSONAL_NULL_FIELDS = ("email_verified_at", "date_of_birth", "marketing_consent_at")

    def anonymize_user(self, user: Any) -> None:
        """Deactivate and strip personal data; the address becomes free to register again.

        The names, phone, date of birth, language, time zone and marketing
        consent are blanked and the avatar's file is deleted once the
        deletion commits.
        """
        placeholder = f"deleted-{uuid.uuid4().hex}@invalid.invalid"
        setattr(user, self.email_field(), placeholder)
        if self.email_field() != user.USERNAME_FIELD:
            setattr(user, user.USERNAME_FIELD, placeholder)
        for name in self.PERSONAL_TEXT_FIELDS:
            if self.has_field(name):
                setattr(user, name, "")
        for name in self.PERSONAL_NULL_FIELDS:
            if self.has_field(name):
                setattr(user, name, None)
        if self.has_field("marketing_opt_in"):
            user.marketing_opt_in = False
        if self.has_field("avatar") and user.avatar:
            from .avatars import delete_after_commit

            delete_after_commit(user, user.avatar.name)
            user.avatar = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
