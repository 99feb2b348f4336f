"""One-time links (password reset, email verification) are never stored in clear.

The stored delivery has placeholders and the sealed values; the worker puts the
link back in memory to send it, on the first attempt as on a retry.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.cache import caches
from django.core.checks import run_checks
from rest_framework.test import APIClient

from bazary.notifications import deliveries, withheld
from bazary.notifications.api import notify
from bazary.notifications.kinds import Kind, registry
from bazary.notifications.models import Delivery, DeliveryStatus, Notification

from .backends import FlakyBackend
from .conftest import task_backend_path

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://localhost:8000/\S+")


@pytest.fixture(autouse=True)
def _clear_cache():
    caches["default"].clear()  # throttle counters
    yield
    caches["default"].clear()


@pytest.fixture
def deferred_deliveries(settings):
    """Account mails are queued as usual (tasks on the immediate backend), but
    deliveries wait for a worker (a deferring backend that runs nothing)."""
    from bazary.core.tasks import task_backends

    settings.TASKS = {
        "default": {"BACKEND": task_backend_path("ImmediateBackend")},
        "deliveries": {"BACKEND": task_backend_path("DummyBackend")},
    }
    settings.BAZARY_NOTIFICATIONS = {"TASK_BACKEND": "deliveries"}
    task_backends["deliveries"].clear()


@pytest.fixture
def viewer(client, make_user):
    """A staff user who may only view deliveries."""
    staff = make_user("viewer@example.com", is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(codename="view_delivery", content_type__app_label="bazary_notifications")
    )
    client.force_login(staff)
    return client


def stored_text(delivery: Delivery) -> str:
    """Every stored column of the row, as text."""
    return str(Delivery.objects.filter(pk=delivery.pk).values().get())


def secret_of(delivery: Delivery) -> withheld.Withheld:
    return withheld.unseal(Delivery.objects.get(pk=delivery.pk).sealed)


def assert_nothing_readable(delivery: Delivery, viewer, secrets: list[str]) -> None:
    text = stored_text(delivery)
    page = viewer.get(f"/admin/bazary_notifications/delivery/{delivery.pk}/change/")
    assert page.status_code == 200
    listing = viewer.get("/admin/bazary_notifications/delivery/")
    assert listing.status_code == 200
    for secret in secrets:
        assert secret not in text
        assert secret not in page.content.decode()
        assert secret not in listing.content.decode()


def request_reset(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post("/api/auth/password/reset/", {"email": "alice@example.com"}, format="json")
    assert response.status_code in (200, 202), response.content


def test_a_password_reset_delivery_stores_no_token_and_a_retry_delivers_a_working_link(
    user, deferred_deliveries, viewer, settings, django_capture_on_commit_callbacks
):
    request_reset(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(kind="accounts.password_reset")
    held = secret_of(delivery)
    token, url = held.values["token"], held.values["url"]
    assert token in url
    # The row holds a placeholder where the link goes, and the data no token.
    assert held.placeholders["url"] in delivery.body
    assert held.placeholders["url"] in delivery.html
    assert "token" not in delivery.data
    assert "url" not in delivery.data
    assert_nothing_readable(delivery, viewer, [token, url])

    # The first attempt fails; the row waits for a retry, still without the token.
    FlakyBackend.calls, FlakyBackend.failures = 0, 1
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    assert [d.pk for d in deliveries.attempt([delivery.pk])] == [delivery.pk]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 1)
    assert_nothing_readable(delivery, viewer, [token, url])

    # The retry sends the link itself, in the text and the HTML part.
    assert deliveries.attempt([delivery.pk]) == []
    [message] = mail.outbox
    assert url in message.body
    assert "[withheld:" not in message.body
    html, _mimetype = message.alternatives[0]
    assert f'href="{url.replace("&", "&amp;")}"' in html
    delivery.refresh_from_db()
    assert (delivery.status, delivery.sealed) == (DeliveryStatus.SENT, "")
    assert_nothing_readable(delivery, viewer, [token, url])

    # The delivered link works.
    query = parse_qs(urlsplit(LINK.search(message.body).group()).query)
    response = APIClient().post(
        "/api/auth/password/reset/confirm/",
        {"uid": query["uid"][0], "token": query["token"][0], "new_password": "a-new-long-passphrase-7"},
        format="json",
    )
    assert response.status_code == 204, response.content
    user.refresh_from_db()
    assert user.check_password("a-new-long-passphrase-7")


def test_a_verification_delivery_stores_no_token_and_the_resent_link_works(
    deferred_deliveries, viewer, settings, make_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post(
            "/api/auth/register/",
            {"email": "carol@example.com", "password": "a-long-passphrase-9"},
            format="json",
        )
    assert response.status_code == 201, response.content
    delivery = Delivery.objects.get(kind="accounts.verify_email")
    held = secret_of(delivery)
    token = held.values["token"]
    assert_nothing_readable(delivery, viewer, [token, held.values["url"]])

    # Every attempt fails: the delivery ends failed, still without the token...
    settings.EMAIL_BACKEND = "tests.notifications.backends.BrokenBackend"
    settings.BAZARY_NOTIFICATIONS = {"TASK_BACKEND": "deliveries", "MAX_ATTEMPTS": 2}
    deliveries.attempt([delivery.pk])
    deliveries.attempt([delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert_nothing_readable(delivery, viewer, [token])

    # ...and the resend action (requeue) later delivers a link that works.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliveries.requeue(Delivery.objects.filter(pk=delivery.pk), reset_attempts=True) == 1
    deliveries.attempt([delivery.pk])
    [message] = mail.outbox
    link = LINK.search(message.body).group()
    delivered_token = parse_qs(urlsplit(link).query)["token"][0]
    response = APIClient().post("/api/auth/verify-email/", {"token": delivered_token}, format="json")
    assert response.status_code == 200, response.content
    delivery.refresh_from_db()
    assert token not in stored_text(delivery)


def test_a_kind_with_secrets_is_never_written_in_app(user, settings):
    kind = Kind(
        "tests.magic_link",
        "tests_notifications/email/hello",
        default_channels=("in_app", "email"),
        secret_context=("name",),
    )
    registry.register(kind)
    try:
        notify(user, "tests.magic_link", {"name": "s3cr3t-link"})
        warnings = [m.id for m in run_checks() if m.id == "bazary_notifications.W002"]
    finally:
        registry.unregister(kind.code)
    assert not Notification.objects.exists()
    [message] = mail.outbox
    assert "s3cr3t-link" in message.body
    assert message.subject == "Hello s3cr3t-link"
    assert "s3cr3t-link" not in stored_text(Delivery.objects.get())
    assert warnings == ["bazary_notifications.W002"]


def test_a_row_sealed_with_another_secret_key_fails_on_record_and_a_fallback_opens_it(user, settings):
    settings.TASKS = {"default": {"BACKEND": task_backend_path("DummyBackend")}}
    settings.BAZARY_NOTIFICATIONS = {"MAX_ATTEMPTS": 1}
    kind = Kind(
        "tests.magic_link", "tests_notifications/email/hello", default_channels=("email",), secret_context=("name",)
    )
    registry.register(kind)
    try:
        notify(user, "tests.magic_link", {"name": "s3cr3t-link"})
        delivery = Delivery.objects.get()
        old_key = settings.SECRET_KEY
        settings.SECRET_KEY = "a-rotated-secret-key-" + "x" * 40
        deliveries.attempt([delivery.pk])
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.FAILED
        assert delivery.last_error.startswith("Unreadable: ")
        assert not mail.outbox

        settings.SECRET_KEY_FALLBACKS = [old_key]
        deliveries.requeue(Delivery.objects.all(), reset_attempts=True)
        deliveries.attempt([delivery.pk])
    finally:
        registry.unregister(kind.code)
    [message] = mail.outbox
    assert "s3cr3t-link" in message.body


def test_secret_context_must_be_keys():
    with pytest.raises(ValueError, match="secret_context"):
        Kind("tests.bad", "t", secret_context="url")
