"""Without bazary.notifications, accounts mail is rendered and sent by a Django task."""

import re

import pytest
from django.apps import apps
from django.core import mail
from django.core.checks import run_checks
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from rest_framework.test import APIClient

from bazary.accounts.tasks import send_account_email
from bazary.core.tasks import task_backends
from bazary.testing.accounts import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"

try:  # Django >= 6.0
    import django.tasks  # noqa: F401

    DUMMY_BACKEND = "django.tasks.backends.dummy.DummyBackend"
except ImportError:
    DUMMY_BACKEND = "django_tasks.backends.dummy.DummyBackend"


def test_only_core_and_accounts_are_installed():
    assert not apps.is_installed("bazary.notifications")
    assert not apps.is_installed("bazary.catalog")
    assert not {m.id for m in run_checks(tags=["bazary"]) if not m.is_silenced()}
    assert reverse("bazary_accounts:register") == "/api/auth/register/"
    with pytest.raises(NoReverseMatch):
        reverse("bazary_notifications:notification-list")


def test_registration_mail_is_sent_by_the_immediate_task_backend(api_client):
    response = api_client.post("/api/auth/register/", {"email": "a@example.com", "password": PASSWORD})
    assert response.status_code == 201
    (message,) = mail.outbox
    assert message.to == ["a@example.com"]
    assert message.subject == "Verify your email address"
    assert re.search(r"http://localhost:8000/verify-email\?token=\S+", message.body)
    assert message.alternatives[0][1] == "text/html"


@override_settings(TASKS={"default": {"BACKEND": DUMMY_BACKEND}})
def test_with_a_task_backend_the_request_only_enqueues():
    user = UserFactory()
    response = APIClient().post("/api/auth/password/reset/", {"email": user.email}, format="json")
    assert response.status_code == 202
    assert not mail.outbox  # nothing sent in the request
    # The request enqueues the lookup, whatever the address; the worker runs it,
    # which enqueues the mail itself.
    (lookup,) = task_backends["default"].results
    # With the requester's address and user agent, for the activity log.
    client = {"ip": "127.0.0.1", "user_agent": ""}
    assert (lookup.task.func, lookup.args) == (
        send_account_email.func,
        ["password_reset", user.email, "en-us", client],
    )
    task_backends["default"].clear()
    lookup.task.call(*lookup.args)
    (result,) = task_backends["default"].results
    template, context, to = result.args[:3]
    assert template == "bazary/accounts/email/password_reset"
    assert to == [user.email]
    assert all(isinstance(value, str) for value in context.values())
    assert context["url"].startswith("http://localhost:8000/reset-password?uid=")


def test_email_change_sends_the_link_to_the_new_address():
    user = UserFactory(email="old@example.com")
    client = APIClient()
    access = client.post("/api/auth/token/", {"email": user.email, "password": PASSWORD}).json()["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    response = client.post("/api/auth/email/change/", {"new_email": "new@example.com", "password": PASSWORD})
    assert response.status_code == 202
    assert sorted(m.to[0] for m in mail.outbox) == ["new@example.com", "old@example.com"]
    confirm = next(m for m in mail.outbox if m.to == ["new@example.com"])
    token = re.search(r"token=(\S+)", confirm.body).group(1)
    assert client.post("/api/auth/email/change/confirm/", {"token": token}).json() == {"email": "new@example.com"}


def _login(email):
    client = APIClient()
    pair = client.post("/api/auth/token/", {"email": email, "password": PASSWORD}, format="json").json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    return client


def test_the_export_has_only_the_sections_of_the_installed_apps(django_assert_max_num_queries):
    from bazary.testing.accounts import AddressFactory

    user = UserFactory(password=PASSWORD, first_name="Ada")
    AddressFactory(user=user, country="DE")
    client = _login(user.email)
    with django_assert_max_num_queries(10):  # 8, and the mfa section's two
        response = client.get("/api/auth/me/export/")
    assert response.status_code == 200
    body = response.json()
    # No catalog, notifications or orders here: none of their sections.
    assert set(body) == {"exported_at", "profile", "addresses", "sessions", "activity", "mfa"}
    assert body["profile"]["first_name"] == "Ada"
    assert body["addresses"][0]["country"] == "DE"


def test_mail_without_notifications_is_rendered_in_the_users_language_and_zone():
    from django.utils import timezone

    user = UserFactory(password=PASSWORD, language="de", timezone="America/New_York")
    client = _login(user.email)
    before = timezone.now()
    response = client.post(
        "/api/auth/password/change/",
        {"current_password": PASSWORD, "new_password": "another long passphrase 42"},
        format="json",
    )
    assert response.status_code == 204
    (message,) = mail.outbox
    from zoneinfo import ZoneInfo

    from django.utils import formats, translation

    with translation.override("de"):
        expected = formats.date_format(before.astimezone(ZoneInfo("America/New_York")), "DATE_FORMAT")
    assert expected in message.body  # a German date ("1. Dezember 2026") in New York's calendar
