"""Validators of the profile fields of bazary's user (``AbstractUser``).

They are plain functions (model validators, reused by the profile serializer),
read settings per call and put nothing settings-dependent into a field's
definition: ``language`` has no ``choices``, so changing ``LANGUAGES`` never
makes a migration.
"""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: E.164: a ``+``, then at most 15 digits.
PHONE_MAX_LENGTH = 16
#: The longest IANA zone name is 30 characters; room for new ones.
TIMEZONE_MAX_LENGTH = 64
#: BCP 47 language codes as Django writes them (``pt-br``, ``zh-hans``).
LANGUAGE_MAX_LENGTH = 15


def normalize_phone(value: str) -> str:
    """``value`` as an E.164 number (``+33612345678``); ValidationError if it is not a valid number.

    The number must be international (start with ``+`` and the country code):
    a national number means nothing without a country, and bazary does not guess one.
    Spaces, dots, dashes and brackets are accepted in input and dropped.
    """
    invalid = ValidationError(
        _("Enter a valid phone number in international format, such as +33 6 12 34 56 78."), code="invalid_phone"
    )
    if not isinstance(value, str) or len(value) > 40 or not value.strip().startswith("+"):
        raise invalid
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise invalid from exc
    if not phonenumbers.is_valid_number(number):
        raise invalid
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    """A model validator: ``value`` is empty or already in E.164 form."""
    if value and normalize_phone(value) != value:
        raise ValidationError(_("Store phone numbers in E.164 form, such as +33612345678."), code="invalid_phone")


def validate_date_of_birth(value: datetime.date | None) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("The date of birth cannot be in the future."), code="future_date")


def language_codes() -> list[str]:
    """The codes of ``settings.LANGUAGES``, read per call."""
    return [code for code, _name in settings.LANGUAGES]


def validate_language(value: str) -> None:
    if value and value not in language_codes():
        raise ValidationError(
            _("Choose one of the languages of this site: %(codes)s.") % {"codes": ", ".join(language_codes())},
            code="invalid_language",
        )


@functools.cache
def _zone_names() -> frozenset[str]:
    # The IANA keys of the installed tz database (the system's or the tzdata package's),
    # without the file names that are not zones ("posixrules", "localtime"...).
    return frozenset(zoneinfo.available_timezones())


def is_timezone(value: Any) -> bool:
    """Whether ``value`` is the name of an IANA time zone (``Europe/Paris``, ``UTC``)."""
    return isinstance(value, str) and len(value) <= TIMEZONE_MAX_LENGTH and value in _zone_names()


def validate_timezone(value: str) -> None:
    if value and not is_timezone(value):
        raise ValidationError(
            _("Enter an IANA time zone name, such as Europe/Paris or America/New_York."), code="invalid_timezone"
        )
