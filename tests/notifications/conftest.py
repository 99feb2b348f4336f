"""Fixtures of the notifications tests: test kinds, their templates, users."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from bazary.notifications.kinds import Kind, registry

HERE = Path(__file__).parent
TEMPLATES_DIR = HERE / "templates"
OVERRIDE_DIR = HERE / "override_templates"

HELLO = Kind("tests.hello", "tests_notifications/email/hello", verbose_name="Hello")
SECURITY = Kind("tests.security", "tests_notifications/email/security", default_channels=("email",), mandatory=True)


def templates_setting(*dirs: Path) -> list[dict]:
    """The project's TEMPLATES with ``dirs`` as the DIRS of its first engine."""
    from django.conf import settings

    first, *others = settings.TEMPLATES
    return [{**first, "DIRS": [str(d) for d in dirs]}, *others]


@pytest.fixture(autouse=True)
def test_kinds(settings):
    settings.TEMPLATES = templates_setting(TEMPLATES_DIR)
    registry.register(HELLO)
    registry.register(SECURITY)
    yield
    registry.unregister(HELLO.code)
    registry.unregister(SECURITY.code)


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 1_000_000))

    def make(email: str | None = None, **extra):
        email = email or f"user{next(counter)}@example.com"
        return get_user_model().objects.create_user(email, "pw-not-used-1", **extra)

    return make


@pytest.fixture
def user(make_user):
    return make_user("alice@example.com", first_name="Alice")


@pytest.fixture
def other_user(make_user):
    return make_user("bob@example.com")


@pytest.fixture
def client_for(api_client):
    def login(user):
        api_client.force_authenticate(user)
        return api_client

    return login


def task_backend_path(name: str) -> str:
    """The import path of a built-in task backend: ``django.tasks`` on Django 6, the backport on 5.2."""
    try:
        import django.tasks  # noqa: F401
    except ImportError:
        return f"django_tasks.backends.{name.lower().removesuffix('backend')}.{name}"
    return f"django.tasks.backends.{name.lower().removesuffix('backend')}.{name}"
