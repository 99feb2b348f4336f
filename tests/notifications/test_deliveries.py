"""Delivery: retries with backoff, idempotent sending, nothing lost."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from bazary.core.tasks import task_backends
from bazary.notifications import deliveries
from bazary.notifications.api import notify
from bazary.notifications.channels import Channel
from bazary.notifications.models import Delivery, DeliveryStatus
from bazary.testing.notifications import DeliveryFactory

from .backends import FlakyBackend
from .conftest import task_backend_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def flaky(settings):
    FlakyBackend.calls = 0
    FlakyBackend.failures = 2
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    return FlakyBackend


@pytest.fixture
def dummy_tasks(settings):
    """A backend that can defer and records what is enqueued, without running it."""
    settings.TASKS = {"default": {"BACKEND": task_backend_path("DummyBackend")}}
    backend = task_backends["default"]
    backend.clear()
    return backend


def test_fails_twice_then_succeeds_sends_one_email(user, flaky):
    notify(user, "tests.security")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 3
    assert delivery.last_error == ""
    assert len(mail.outbox) == 1
    assert flaky.calls == 3


def test_always_failing_ends_failed_with_the_error_kept(user, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.BrokenBackend"
    settings.BAZARY_NOTIFICATIONS = {"MAX_ATTEMPTS": 4}
    notify(user, "tests.security")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 4
    assert delivery.last_error == "ConnectionError: SMTP server is down"
    assert delivery.sent_at is None
    assert delivery.next_attempt_at is None
    # Nothing lost: the message is kept and can be sent later.
    assert delivery.subject == "Security notice"
    assert delivery.body == "Your account changed.\n"
    assert delivery.address == "alice@example.com"
    assert not mail.outbox


def test_a_connection_that_cannot_open_fails_every_message(user, other_user, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.BrokenOpenBackend"
    settings.BAZARY_NOTIFICATIONS = {"MAX_ATTEMPTS": 2}
    notify([user, other_user], "tests.security")
    assert list(Delivery.objects.values_list("status", "attempts", "last_error")) == [
        ("failed", 2, "OSError: connection refused"),
        ("failed", 2, "OSError: connection refused"),
    ]


def test_a_failed_delivery_is_sent_by_the_retry_command(user, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.BrokenBackend"
    notify(user, "tests.security")
    assert Delivery.objects.get().status == DeliveryStatus.FAILED

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("bazary_retry_deliveries", stdout=StringIO())
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 1  # a fresh set of attempts
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]


def test_a_sent_delivery_is_never_sent_again(user):
    notify(user, "tests.security")
    delivery = Delivery.objects.get()
    assert len(mail.outbox) == 1
    # A duplicate task (a retry racing a re-queue) finds nothing to claim.
    deliveries.process([delivery.pk])
    deliveries.requeue(Delivery.objects.all())
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)


def test_a_delivery_claimed_by_another_worker_is_left_alone(db):
    delivery = DeliveryFactory(status=DeliveryStatus.SENDING, attempts=1, claim_token="other")
    assert deliveries.attempt([delivery.pk]) == []
    assert not mail.outbox
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.claim_token) == (DeliveryStatus.SENDING, 1, "other")


def test_a_delivery_for_a_channel_no_longer_configured_fails_on_record(db, settings):
    settings.BAZARY_NOTIFICATIONS = {"MAX_ATTEMPTS": 1}
    delivery = DeliveryFactory(channel="sms")
    deliveries.process([delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "'sms' is not configured" in delivery.last_error


def test_backoff_is_exponential(settings):
    settings.BAZARY_NOTIFICATIONS = {"RETRY_BACKOFF_SECONDS": 10}
    assert [deliveries.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]


def test_deferring_backend_retries_later_with_run_after(user, flaky, dummy_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(user, "tests.security")
    # Handed to the backend after commit, on the configured queue, not run yet.
    assert len(dummy_tasks.results) == 1
    first = dummy_tasks.results[0]
    delivery = Delivery.objects.get()
    assert list(first.args) == [[delivery.pk]]
    assert first.task.run_after is None
    assert delivery.status == DeliveryStatus.QUEUED

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        first.task.call(*first.args)  # what a worker does: it fails once...
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 1)
    assert delivery.last_error == "ConnectionError: SMTP server said no"
    # ...and a new task waits for the backoff (30 s after the first failure).
    retry = dummy_tasks.results[1]
    assert list(retry.args) == [[delivery.pk]]
    assert retry.task.run_after == delivery.next_attempt_at
    assert before + timedelta(seconds=29) < retry.task.run_after < timezone.now() + timedelta(seconds=31)
    assert not mail.outbox


def test_task_backend_and_queue_settings_are_used(user, settings, dummy_tasks, django_capture_on_commit_callbacks):
    settings.TASKS = {
        "default": {"BACKEND": task_backend_path("DummyBackend")},
        "mail": {"BACKEND": task_backend_path("DummyBackend"), "QUEUES": ["emails"]},
    }
    settings.BAZARY_NOTIFICATIONS = {"TASK_BACKEND": "mail", "TASK_QUEUE": "emails"}
    with django_capture_on_commit_callbacks(execute=True):
        notify(user, "tests.security")
    results = task_backends["mail"].results
    assert [(r.task.backend, r.task.queue_name) for r in results] == [("mail", "emails")]


def test_immediate_backend_sends_at_once_inside_the_transaction(user):
    # No TASKS setting: the in-process backend runs the task during notify().
    notify(user, "tests.security")
    assert Delivery.objects.get().status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1


class ExplodingChannel(Channel):
    code = "exploding"

    def send_many(self, deliveries):
        raise RuntimeError("the channel itself broke")


def test_a_channel_that_breaks_fails_its_batch_on_record(db, settings):
    settings.BAZARY_NOTIFICATIONS = {
        "CHANNELS": ["tests.notifications.test_deliveries.ExplodingChannel"],
        "MAX_ATTEMPTS": 2,
    }
    delivery = DeliveryFactory(channel="exploding")
    deliveries.process([delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)
    assert delivery.last_error == "RuntimeError: the channel itself broke"
