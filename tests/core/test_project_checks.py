"""Checks of the setup around bazary: SQLite transactions, the throttles' cache."""

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.test import override_settings

from bazary.accounts.conf import accounts_settings
from bazary.core.checks import check_throttle_cache, sqlite_warnings

SQLITE = "django.db.backends.sqlite3"
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
DATABASE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache"}}
NO_ACCOUNT_LIMITS = {
    "THROTTLE_RATES": dict.fromkeys(accounts_settings.options["THROTTLE_RATES"].default),
    "LOCKOUT_THRESHOLD": 0,
}


def ids(messages) -> list[str]:
    return [m.id for m in messages]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, ["bazary_core.W001"]),
        ({"timeout": 20}, ["bazary_core.W001"]),
        ({"transaction_mode": "DEFERRED", "timeout": 20}, ["bazary_core.W001"]),
        ({"transaction_mode": "IMMEDIATE", "timeout": 20}, []),
        ({"transaction_mode": "immediate"}, []),
        ({"transaction_mode": "EXCLUSIVE"}, []),
    ],
)
def test_a_sqlite_file_needs_immediate_transactions(tmp_path, options, expected):
    databases = {"default": {"ENGINE": SQLITE, "NAME": str(tmp_path / "db.sqlite3"), "OPTIONS": options}}
    messages = sqlite_warnings(databases)
    assert ids(messages) == expected
    if expected:
        assert "'default'" in messages[0].msg
        assert "database is locked" in messages[0].msg
        assert '"transaction_mode": "IMMEDIATE"' in messages[0].hint.replace("'", '"')


@pytest.mark.parametrize("name", [":memory:", "file:shop?mode=memory&cache=shared"])
def test_an_in_memory_sqlite_database_is_not_warned_about(name):
    assert sqlite_warnings({"default": {"ENGINE": SQLITE, "NAME": name}}) == []


def test_other_databases_are_not_warned_about():
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "shop"}
    assert sqlite_warnings({"default": postgres}) == []
    # Each alias on its own: a second, file-backed SQLite one is named.
    (message,) = sqlite_warnings({"default": postgres, "legacy": {"ENGINE": SQLITE, "NAME": "/tmp/legacy.db"}})
    assert "'legacy'" in message.msg


@override_settings(DEBUG=False, CACHES=LOCMEM)
def test_throttles_on_a_per_process_cache_are_a_warning():
    (message,) = check_throttle_cache()
    assert message.id == "bazary_core.W002"
    assert "BAZARY_ACCOUNTS['THROTTLE_RATES']" in message.msg
    assert "BAZARY_ACCOUNTS['LOCKOUT_THRESHOLD']" in message.msg
    assert "N times the limit" in message.msg


@override_settings(DEBUG=False, CACHES=DUMMY)
def test_throttles_on_dummy_cache_are_off_and_say_so():
    (message,) = check_throttle_cache()
    assert message.id == "bazary_core.W003"
    assert "they are off" in message.msg


@override_settings(
    DEBUG=False, CACHES=LOCMEM, BAZARY_ACCOUNTS=NO_ACCOUNT_LIMITS, BAZARY_PAYMENTS={"THROTTLE_RATES": {"refund": None}}
)
def test_no_warning_when_nothing_is_throttled():
    assert check_throttle_cache() == []
    with override_settings(BAZARY_CORE={"THROTTLE_RATES": {"anon": "100/min"}}):
        (message,) = check_throttle_cache()
        assert message.msg.count("THROTTLE_RATES") == 1
        assert "BAZARY_CORE['THROTTLE_RATES']" in message.msg


@pytest.mark.parametrize("caches", [REDIS, DATABASE_CACHE])
def test_no_warning_on_a_shared_cache(caches):
    with override_settings(DEBUG=False, CACHES=caches):
        assert check_throttle_cache() == []


@override_settings(DEBUG=True, CACHES=LOCMEM)
def test_no_warning_in_debug():
    assert check_throttle_cache() == []


def test_the_test_settings_silence_only_the_per_process_cache_warning():
    # One test process, DEBUG off, local memory unless REDIS_URL is set: W002 is
    # expected here and silenced, like `manage.py check` would honour it.
    messages = [m for m in run_checks(tags=["bazary"]) if m.id.startswith("bazary_core.W")]
    if "RedisCache" in settings.CACHES["default"]["BACKEND"]:
        assert messages == []
    else:
        assert ids(messages) == ["bazary_core.W002"]
        assert all(m.is_silenced() for m in messages)
