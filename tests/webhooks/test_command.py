from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from bazary.testing.webhooks import make_endpoint
from bazary.webhooks.models import Delivery, DeliveryStatus, Event

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args):
    out = io.StringIO()
    call_command("bazary_retry_webhooks", *args, stdout=out)
    return out.getvalue()


def test_stuck_and_dead_workers_deliveries_are_sent_again(fast, receiver):
    endpoint, secret = make_endpoint(receiver.url, ["ping"])
    long_ago = timezone.now() - timedelta(hours=1)
    stuck = Delivery.objects.create(event=Event.objects.create(type="ping"), endpoint=endpoint)
    dead = Delivery.objects.create(event=Event.objects.create(type="ping"), endpoint=endpoint)
    fresh = Delivery.objects.create(event=Event.objects.create(type="ping"), endpoint=endpoint)
    Delivery.objects.filter(pk=stuck.pk).update(updated_at=long_ago)
    Delivery.objects.filter(pk=dead.pk).update(status=DeliveryStatus.SENDING, claim_token="x", updated_at=long_ago)

    assert run("--dry-run", "--include-sending") == "stuck: 1 would be re-queued\nsending: 1 would be re-queued\n"
    assert receiver.received == []
    assert run() == "stuck: 1 re-queued\n"
    assert len(receiver.received) == 1
    assert run("--include-sending") == "stuck: 0 re-queued\nsending: 1 re-queued\n"
    assert len(receiver.received) == 2
    assert all(r.verifies(secret) for r in receiver.received)
    statuses = dict(Delivery.objects.values_list("pk", "status"))
    assert statuses == {stuck.pk: "sent", dead.pk: "sent", fresh.pk: "queued"}
