"""System checks for every ``BAZARY_*`` settings dict.

Stable ids, shared by all apps (the app's own label prefixes them):

- ``<label>.E001`` the setting is not a dict
- ``<label>.E002`` unknown key (a typo is never silently ignored)
- ``<label>.E003`` wrong type
- ``<label>.E004`` an import string that cannot be imported
- ``<label>.E005`` a value outside the allowed choices
- ``<label>.E006`` an imported class that is not a subclass of what the key needs
- ``<label>.E010`` and up: combinations an app rejects (see the settings reference)

and, for the project around bazary (``docs/settings/core.md``):

- ``bazary_core.W001`` a file-backed SQLite database whose transactions begin DEFERRED
- ``bazary_core.W002`` throttles or lockout counted in a cache each process keeps apart
- ``bazary_core.W003`` throttles or lockout on DummyCache, which turns them off
"""

from __future__ import annotations

import difflib
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import InvalidCacheBackendError, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import CheckMessage, Error, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.sqlite3.creation import DatabaseCreation as SQLiteCreation
from django.db.utils import load_backend

from .conf import AppSettings, resolve


@register("bazary")
def check_bazary_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for app_settings in AppSettings.registry.values():
        if apps.is_installed(app_settings.app_name):
            errors.extend(check_app_settings(app_settings))
    return errors


def check_app_settings(app_settings: AppSettings) -> list[CheckMessage]:
    name = app_settings.setting_name
    label = next(c.label for c in apps.get_app_configs() if c.name == app_settings.app_name)
    raw = getattr(settings, name, {})
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return [Error(f"{name} must be a dict, not {type(raw).__name__}.", id=f"{label}.E001")]

    errors: list[CheckMessage] = []
    for key in raw:
        if key not in app_settings.options:
            close = difflib.get_close_matches(str(key), app_settings.options, n=1)
            hint = f"Did you mean {close[0]!r}?" if close else f"Known keys: {', '.join(app_settings.options)}."
            errors.append(Error(f"{name} has an unknown key {key!r}.", hint=hint, id=f"{label}.E002"))

    for key, option in app_settings.options.items():
        if key not in raw:
            continue
        value = raw[key]
        allowed = option.types
        if not _is_instance(value, allowed):
            expected = " or ".join(t.__name__ for t in allowed)
            errors.append(Error(f"{name}[{key!r}] must be {expected}, not {type(value).__name__}.", id=f"{label}.E003"))
            continue
        if option.import_string and value is not None:
            try:
                resolved = resolve(value)
            except ImportError as exc:
                errors.append(Error(f"{name}[{key!r}] cannot be imported: {exc}", id=f"{label}.E004"))
            else:
                errors.extend(_check_base(name, key, option.base, resolved, label))
        if option.choices is not None and value not in option.choices:
            errors.append(
                Error(
                    f"{name}[{key!r}] = {value!r} is not one of {', '.join(map(repr, option.choices))}.",
                    id=f"{label}.E005",
                )
            )
    if errors:
        return errors

    values = app_settings.effective()
    for validator in app_settings.validators:
        for check_id, message in validator(values):
            errors.append(Error(f"{name}: {message}", id=check_id))
    return errors


def _check_base(name: str, key: str, base: Any, resolved: Any, label: str) -> list[CheckMessage]:
    if base is None:
        return []
    bases = tuple(resolve(b) for b in ((base,) if isinstance(base, str) else base))
    items = resolved if isinstance(resolved, list) else [resolved]
    wrong = [item for item in items if not (isinstance(item, type) and issubclass(item, bases))]
    if not wrong:
        return []
    expected = " or ".join(f"{b.__module__}.{b.__qualname__}" for b in bases)
    return [
        Error(
            f"{name}[{key!r}] must name a subclass of {expected}; {', '.join(map(repr, wrong))} is not.",
            id=f"{label}.E006",
        )
    ]


def _is_instance(value: Any, types: tuple[type, ...]) -> bool:
    # bool is an int to Python, never to a settings reader.
    if isinstance(value, bool) and bool not in types:
        return False
    return isinstance(value, types)


# The project around bazary.

SQLITE_OPTIONS = {"transaction_mode": "IMMEDIATE", "timeout": 20}


@register("bazary")
def check_sqlite_transactions(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return sqlite_warnings(settings.DATABASES)


def sqlite_warnings(databases: dict[str, dict[str, Any]]) -> list[CheckMessage]:
    """``bazary_core.W001`` for each file-backed SQLite database of ``databases``."""
    warnings: list[CheckMessage] = []
    for alias, database in databases.items():
        if _vendor(database.get("ENGINE", "")) != "sqlite" or SQLiteCreation.is_in_memory_db(database.get("NAME", "")):
            continue
        mode = (database.get("OPTIONS") or {}).get("transaction_mode")
        if str(mode).upper() not in ("IMMEDIATE", "EXCLUSIVE"):
            warnings.append(
                Warning(
                    f"The SQLite database {alias!r} begins transactions DEFERRED: concurrent requests that read "
                    "then write (a token refresh, an address save) fail with 'database is locked', a 500.",
                    hint=f'Set DATABASES[{alias!r}]["OPTIONS"] = {SQLITE_OPTIONS!r} (Django 5.1+).',
                    id="bazary_core.W001",
                )
            )
    return warnings


def _vendor(engine: str) -> str | None:
    try:
        return str(load_backend(engine).DatabaseWrapper.vendor)
    except ImproperlyConfigured:  # Django itself reports a backend that does not load
        return None


def throttles_in_use() -> list[str]:
    """The settings that make bazary count requests in the default cache."""
    used = []
    for app_settings in AppSettings.registry.values():
        if not apps.is_installed(app_settings.app_name):
            continue
        name = app_settings.setting_name
        values = app_settings.effective()  # a bad value is reported by check_bazary_settings
        rates = values.get("THROTTLE_RATES")
        if isinstance(rates, dict) and any(rates.values()):
            used.append(f"{name}['THROTTLE_RATES']")
        threshold = values.get("LOCKOUT_THRESHOLD")
        if isinstance(threshold, int) and threshold > 0:
            used.append(f"{name}['LOCKOUT_THRESHOLD']")
    return used


@register("bazary", "caches")
def check_throttle_cache(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG:
        return []
    used = throttles_in_use()
    if not used:
        return []
    try:
        cache = caches["default"]
    except (InvalidCacheBackendError, ImproperlyConfigured):  # Django's own checks report those
        return []
    what = ", ".join(used)
    hint = (
        "Point CACHES['default'] at a cache every process shares (Redis, Memcached or Django's "
        "DatabaseCache), or set the rates to None and LOCKOUT_THRESHOLD to 0 to turn them off knowingly."
    )
    if isinstance(cache, DummyCache):
        return [
            Warning(
                f"The default cache is DummyCache, which stores nothing: the throttles and lockout that {what} "
                "turn on never count a request, so they are off.",
                hint=hint,
                id="bazary_core.W003",
            )
        ]
    if isinstance(cache, LocMemCache):
        return [
            Warning(
                f"The default cache is LocMemCache, kept apart in each process: the throttles and lockout that "
                f"{what} turn on count per worker, so with N workers a client gets N times the limit.",
                hint=hint,
                id="bazary_core.W002",
            )
        ]
    return []
