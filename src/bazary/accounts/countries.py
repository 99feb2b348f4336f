"""Countries of addresses: ISO 3166-1 alpha-2 codes and their localised names, from django-countries.

django-countries keeps the list current with the standard (and its names
translated); bazary only adds the API's rule that a code is two letters,
case-insensitive in, upper case out. Localised names need ``"django_countries"``
in ``INSTALLED_APPS`` (its translations are found through the app); without it
they are English.
"""

from __future__ import annotations

from django_countries import countries


def normalize_country(value: str) -> str | None:
    """``value`` as an upper-case ISO 3166-1 alpha-2 code, or ``None`` if it is not an assigned one.

    Only two-letter codes: django-countries would also map alpha-3 and numeric
    codes, which the API does not promise.
    """
    code = value.strip().upper() if isinstance(value, str) else ""
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        return None
    return code if code in countries else None


def country_name(code: str) -> str:
    """The name of the country ``code`` in the active language ("" if unknown)."""
    return str(countries.name(code)) if code else ""
