"""The settings class: defaults, overrides read late, import strings, checks."""

import pytest
from django.core.checks import run_checks
from django.test import override_settings
from rest_framework.authentication import SessionAuthentication

from bazary.core.conf import AppSettings, Option, core_settings


def check_ids() -> set[str]:
    # As `manage.py check` reports them: without what the settings silence.
    return {message.id for message in run_checks(tags=["bazary"]) if not message.is_silenced()}


def test_defaults():
    assert core_settings.NUM_PROXIES == 0
    assert core_settings.PAGE_SIZE == 20
    assert core_settings.THROTTLE_RATES == {"anon": None, "user": None}


def test_override_settings_is_read_late_and_reset():
    with override_settings(BAZARY_CORE={"NUM_PROXIES": 2, "THROTTLE_RATES": {"anon": "5/min"}}):
        assert core_settings.NUM_PROXIES == 2
        # dict options merge over their default
        assert core_settings.THROTTLE_RATES == {"anon": "5/min", "user": None}
    assert core_settings.NUM_PROXIES == 0


def test_import_strings_are_resolved():
    with override_settings(
        BAZARY_CORE={"AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"]}
    ):
        assert [SessionAuthentication] == core_settings.AUTHENTICATION_CLASSES


def test_unknown_option_is_an_attribute_error():
    with pytest.raises(AttributeError):
        core_settings.NOT_A_SETTING  # noqa: B018


def test_checks_pass_on_defaults():
    assert check_ids() == set()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("not a dict", "bazary_core.E001"),
        ({"NUM_PROXIE": 1}, "bazary_core.E002"),
        ({"NUM_PROXIES": "1"}, "bazary_core.E003"),
        ({"NUM_PROXIES": True}, "bazary_core.E003"),
        ({"AUTHENTICATION_CLASSES": ["nope.Nope"]}, "bazary_core.E004"),
        ({"AUTHENTICATION_CLASSES": ["builtins.dict"]}, "bazary_core.E006"),
        ({"NUM_PROXIES": -1}, "bazary_core.E010"),
        ({"THROTTLE_RATES": {"anon": "lots"}}, "bazary_core.E011"),
        ({"PAGE_SIZE": 500}, "bazary_core.E012"),
    ],
)
def test_checks_flag_bad_settings(value, expected):
    with override_settings(BAZARY_CORE=value):
        assert expected in check_ids()


def test_unknown_key_check_suggests_the_close_name():
    with override_settings(BAZARY_CORE={"NUM_PROXIE": 1}):
        (message,) = [m for m in run_checks(tags=["bazary"]) if m.id == "bazary_core.E002"]
    assert "NUM_PROXIES" in message.hint


def test_choices_are_checked(settings):
    app_settings = AppSettings("BAZARY_TEST_CHOICES", "bazary.core", {"MODE": Option("a", (str,), choices=("a", "b"))})
    try:
        settings.BAZARY_TEST_CHOICES = {"MODE": "c"}
        assert "bazary_core.E005" in check_ids()
        settings.BAZARY_TEST_CHOICES = {"MODE": "b"}
        assert app_settings.MODE == "b"
    finally:
        del AppSettings.registry["BAZARY_TEST_CHOICES"]
