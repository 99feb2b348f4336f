"""Deactivated and deleted accounts get nothing, except the farewell mail, which keeps no address."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import caches
from rest_framework.test import APIClient

from bazary.catalog.models import StockAlert
from bazary.catalog.stock import adjust_stock
from bazary.notifications import deliveries
from bazary.notifications.api import notify
from bazary.notifications.kinds import Kind, registry
from bazary.notifications.models import Delivery, DeliveryStatus, Notification
from bazary.testing.catalog import ProductFactory

from .backends import FlakyBackend
from .conftest import task_backend_path

pytestmark = pytest.mark.django_db

PASSWORD = "pw-not-used-1"


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters live in the cache: account deletion is throttled.
    caches["default"].clear()
    yield
    caches["default"].clear()


def delete_account(user) -> None:
    client = APIClient()
    client.force_authenticate(user)
    response = client.delete("/api/auth/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204, response.content


@pytest.fixture
def dummy_tasks(settings):
    """A backend that can defer and records what is enqueued, without running it."""
    from bazary.core.tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": task_backend_path("DummyBackend")}}
    backend = task_backends["default"]
    backend.clear()
    return backend


@pytest.mark.parametrize("kind", ["tests.hello", "tests.security"])
def test_notify_sends_nothing_to_an_inactive_user(make_user, kind):
    inactive = make_user("gone@example.com", is_active=False)
    active = make_user("here@example.com")
    result = notify([inactive, active], kind)
    assert not Notification.objects.filter(recipient=inactive).exists()
    assert not Delivery.objects.filter(recipient=inactive).exists()
    assert [message.to for message in mail.outbox] == [["here@example.com"]]
    assert all(delivery.recipient == active for delivery in result.deliveries)


def test_notify_sends_nothing_to_a_deleted_account(user):
    delete_account(user)
    mail.outbox.clear()
    user.refresh_from_db()
    result = notify(user, "tests.hello")
    assert (result.messages, result.deliveries) == (0, [])
    assert not mail.outbox


@pytest.mark.parametrize("how", ["deleted", "deactivated"])
def test_a_restock_mails_no_deleted_or_deactivated_account(
    make_user, how, django_capture_on_commit_callbacks, mailoutbox
):
    product = ProductFactory(stock=0)
    waiting = make_user("waiting@example.com")
    staying = make_user("staying@example.com")
    StockAlert.objects.create(user=waiting, product=product)
    StockAlert.objects.create(user=staying, product=product)
    if how == "deleted":
        delete_account(waiting)
    else:
        waiting.is_active = False
        waiting.save(update_fields=["is_active"])
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        adjust_stock(product, 3)

    assert [message.to for message in mailoutbox] == [["staying@example.com"]]
    assert not Notification.objects.filter(recipient=waiting, kind="catalog.back_in_stock").exists()
    assert not Delivery.objects.filter(recipient=waiting, kind="catalog.back_in_stock").exists()


def test_a_user_deactivated_before_the_worker_runs_is_not_mailed(user, dummy_tasks):
    notify(user, "tests.security")
    delivery = Delivery.objects.get()
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert deliveries.attempt([delivery.pk]) == []  # cancelled, not retried

    assert not mail.outbox
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == deliveries.CANCELLED_INACTIVE


def test_a_user_deleted_from_the_database_before_the_worker_runs_is_not_mailed(user, dummy_tasks):
    notify(user, "tests.security")
    delivery = Delivery.objects.get()
    user.delete()  # a plain delete (admin, shell): no forget_user ran

    deliveries.process([delivery.pk])

    assert not mail.outbox
    delivery.refresh_from_db()
    assert (delivery.status, delivery.recipient) == (DeliveryStatus.FAILED, None)
    assert (delivery.address, delivery.subject, delivery.body, delivery.data) == ("", "", "", {})
    # Nothing to send it to: the resend action and the retry command leave it be.
    assert deliveries.requeue(Delivery.objects.all(), reset_attempts=True) == 0


# -- the farewell --------------------------------------------------------------------------


def farewell_row(user) -> Delivery:
    return Delivery.objects.get(recipient=user, kind="accounts.account_deleted")


def assert_forgotten(delivery: Delivery) -> None:
    assert delivery.address == ""
    assert (delivery.subject, delivery.body, delivery.html, delivery.data) == ("", "", "", {})
    assert "alice" not in delivery.last_error
    assert "alice" not in str(Delivery.objects.filter(pk=delivery.pk).values().get())


def test_the_farewell_goes_out_once_and_its_row_keeps_no_address(user):
    delete_account(user)
    assert [message.to for message in mail.outbox] == [["alice@example.com"]]
    assert mail.outbox[0].subject
    delivery = farewell_row(user)
    assert delivery.status == DeliveryStatus.SENT
    assert_forgotten(delivery)
    # Sent is final: nothing sends it again.
    assert deliveries.requeue(Delivery.objects.filter(pk=delivery.pk)) == 0


def test_the_farewell_sent_on_a_retry_keeps_no_address(user, settings):
    FlakyBackend.calls, FlakyBackend.failures = 0, 1
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    delete_account(user)
    delivery = farewell_row(user)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert [message.to for message in mail.outbox] == [["alice@example.com"]]
    assert_forgotten(delivery)


def test_a_queued_farewell_keeps_the_address_only_until_the_worker_is_done(user, dummy_tasks, settings):
    delete_account(user)
    delivery = farewell_row(user)
    # Waiting for a worker: the address is what it will be sent to.
    assert (delivery.status, delivery.address) == (DeliveryStatus.QUEUED, "alice@example.com")

    settings.EMAIL_BACKEND = "tests.notifications.backends.BrokenBackend"
    retry = deliveries.attempt([delivery.pk])
    assert [d.pk for d in retry] == [delivery.pk]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.address) == (DeliveryStatus.QUEUED, "alice@example.com")

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliveries.attempt([delivery.pk]) == []
    assert [message.to for message in mail.outbox] == [["alice@example.com"]]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert_forgotten(delivery)


def test_a_farewell_that_fails_for_good_keeps_no_address_either(user, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.BrokenBackend"
    settings.BAZARY_NOTIFICATIONS = {"MAX_ATTEMPTS": 2}
    delete_account(user)
    delivery = farewell_row(user)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)
    assert delivery.last_error == "ConnectionError"  # the type, not a message that may name the address
    assert_forgotten(delivery)
    assert not mail.outbox
    # The resend action has nothing to send it to.
    assert deliveries.requeue(Delivery.objects.filter(pk=delivery.pk), reset_attempts=True) == 0


def test_a_project_farewell_kind_reaches_an_inactive_user(make_user):
    farewell = Kind("tests.goodbye", "tests_notifications/email/security", default_channels=("email",), farewell=True)
    registry.register(farewell)
    try:
        inactive = make_user("leaving@example.com", is_active=False)
        notify(inactive, "tests.goodbye")
        notify(inactive, "tests.security")
    finally:
        registry.unregister(farewell.code)
    assert [message.to for message in mail.outbox] == [["leaving@example.com"]]
    assert_forgotten(Delivery.objects.get(kind="tests.goodbye"))
