"""The kinds registry and the KINDS setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bazary.notifications.kinds import AlreadyRegistered, Kind, KindRegistry, UnknownKind, registry

from .conftest import HELLO

ROOT = Path(__file__).resolve().parents[2]
#: Importable by the KINDS setting.
SHIPPED = Kind("tests.shipped", "tests_notifications/email/hello", default_channels=("email",))


def test_register_get_iterate():
    kinds = KindRegistry()
    b = kinds.register(Kind("b.kind", "t/b"))
    a = kinds.register(Kind("a.kind", "t/a"))
    assert kinds.get("a.kind") is a
    assert list(kinds) == [a, b]
    assert "b.kind" in kinds
    assert "c.kind" not in kinds
    assert len(kinds) == 2


def test_registering_an_equal_kind_again_is_harmless():
    kinds = KindRegistry()
    kinds.register(Kind("a.kind", "t/a"))
    kinds.register(Kind("a.kind", "t/a"))
    assert len(kinds) == 1


def test_a_different_kind_with_a_taken_code_is_an_error():
    kinds = KindRegistry()
    kinds.register(Kind("a.kind", "t/a"))
    with pytest.raises(AlreadyRegistered):
        kinds.register(Kind("a.kind", "t/other"))
    kinds.register(Kind("a.kind", "t/other"), replace=True)
    assert kinds.get("a.kind").template == "t/other"


def test_unknown_kind():
    with pytest.raises(UnknownKind):
        registry.get("nope.nope")
    with pytest.raises(UnknownKind):
        registry.get(["not", "hashable"])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"code": "", "template": "t"},
        {"code": "x" * 101, "template": "t"},
        {"code": "a.b", "template": ""},
        {"code": "a.b", "template": "t", "default_channels": "email"},
        {"code": "a.b", "template": "t", "default_channels": (1,)},
    ],
)
def test_invalid_kinds(kwargs):
    with pytest.raises(ValueError, match=r"(?i)kind"):
        Kind(**kwargs)


def test_default_channels_become_a_tuple():
    kind = Kind("a.b", "t", default_channels=["email"])
    assert kind.default_channels == ("email",)
    assert kind == Kind("a.b", "t", default_channels=("email",))
    assert kind.label == "a.b"
    assert HELLO.label == "Hello"


def test_kinds_setting_adds_and_replaces_kinds_late(settings):
    settings.BAZARY_NOTIFICATIONS = {
        "KINDS": [
            {"code": "tests.extra", "template": "t/extra", "mandatory": True},
            "tests.notifications.test_kinds.SHIPPED",
            {"code": "tests.hello", "template": "t/replaced", "default_channels": ["in_app"]},
        ]
    }
    assert registry.get("tests.extra").mandatory is True
    assert registry.get("tests.shipped") is SHIPPED
    # The setting wins over the registered kind of the same code.
    assert registry.get("tests.hello").template == "t/replaced"
    settings.BAZARY_NOTIFICATIONS = {}
    assert "tests.extra" not in registry
    assert registry.get("tests.hello") == HELLO


def test_kinds_module_imports_before_django_setup():
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    code = (
        "from bazary.notifications.kinds import Kind, registry\n"
        "registry.register(Kind('a.b', 't'))\n"
        "registry.register(Kind('a.b', 't'))\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
