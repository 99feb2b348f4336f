"""manage.py bazary_retry_deliveries."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from bazary.notifications.models import Delivery, DeliveryStatus
from bazary.testing.notifications import DeliveryFactory

pytestmark = pytest.mark.django_db


def age(delivery, seconds, **changes):
    Delivery.objects.filter(pk=delivery.pk).update(updated_at=timezone.now() - timedelta(seconds=seconds), **changes)


def run(*args):
    out = StringIO()
    call_command("bazary_retry_deliveries", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def rows(db):
    stuck = DeliveryFactory(address="stuck@example.com")
    fresh = DeliveryFactory(address="fresh@example.com")
    waiting = DeliveryFactory(address="waiting@example.com")
    failed = DeliveryFactory(address="failed@example.com")
    sending = DeliveryFactory(address="sending@example.com")
    sent = DeliveryFactory(address="sent@example.com")
    age(stuck, 3600)
    age(fresh, 10)
    # Failed recently, its retry is due in the future: not stuck.
    age(waiting, 3600, attempts=1, next_attempt_at=timezone.now() + timedelta(minutes=5))
    age(failed, 3600, status=DeliveryStatus.FAILED, attempts=5, last_error="boom")
    age(sending, 3600, status=DeliveryStatus.SENDING, attempts=1)
    age(sent, 3600, status=DeliveryStatus.SENT, attempts=1, sent_at=timezone.now())
    return {"stuck": stuck, "fresh": fresh, "waiting": waiting, "failed": failed, "sending": sending, "sent": sent}


def sent_to():
    return sorted(message.to[0] for message in mail.outbox)


def test_requeues_stuck_and_failed(rows):
    output = run()
    assert "stuck: 1 re-queued" in output
    assert "failed: 1 re-queued" in output
    assert sent_to() == ["failed@example.com", "stuck@example.com"]
    failed = Delivery.objects.get(pk=rows["failed"].pk)
    assert (failed.status, failed.attempts, failed.last_error) == (DeliveryStatus.SENT, 1, "")
    assert Delivery.objects.get(pk=rows["fresh"].pk).status == DeliveryStatus.QUEUED
    assert Delivery.objects.get(pk=rows["sending"].pk).status == DeliveryStatus.SENDING


def test_options(rows):
    assert run("--dry-run") == "stuck: 1 would be re-queued\nfailed: 1 would be re-queued\n"
    assert not mail.outbox
    run("--no-failed", "--include-sending", "--stuck-after", "5")
    assert sent_to() == ["fresh@example.com", "sending@example.com", "stuck@example.com"]
    assert Delivery.objects.get(pk=rows["failed"].pk).status == DeliveryStatus.FAILED
    assert Delivery.objects.get(pk=rows["waiting"].pk).status == DeliveryStatus.QUEUED


def test_stuck_after_setting(rows, settings):
    settings.BAZARY_NOTIFICATIONS = {"STUCK_AFTER_SECONDS": 5}
    run("--no-failed")
    assert sent_to() == ["fresh@example.com", "stuck@example.com"]


def test_negative_stuck_after_is_an_error(rows):
    with pytest.raises(SystemExit):
        call_command("bazary_retry_deliveries", "--stuck-after", "-1", stdout=StringIO(), stderr=StringIO())
