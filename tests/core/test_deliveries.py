"""bazary.core.deliveries: the claim, the retry loop and the batching shared by notifications and webhooks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from bazary.core import deliveries
from bazary.core.models import DeliveryStatus
from bazary.core.tasks import task_backends
from bazary.testing.webhooks import make_endpoint
from bazary.webhooks.models import Delivery, Event
from bazary.webhooks.tasks import send_webhook_deliveries

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@dataclass
class Row:
    pk: int
    next_attempt_at: datetime | None = None


@pytest.mark.django_db
def test_claim_takes_queued_rows_once():
    endpoint, _ = make_endpoint("https://hooks.example.com/in")
    event = Event.objects.create(type="ping", payload={})
    first, second = (Delivery.objects.create(event=event, endpoint=endpoint) for _ in range(2))
    Delivery.objects.filter(pk=second.pk).update(status=DeliveryStatus.SENT)
    token = deliveries.claim(Delivery, [first.pk, second.pk], queued="queued", sending="sending")
    assert token
    assert list(Delivery.objects.filter(claim_token=token).values_list("pk", "status", "attempts")) == [
        (first.pk, "sending", 1)
    ]
    # A second worker with the same ids claims nothing.
    assert deliveries.claim(Delivery, [first.pk, second.pk], queued="queued", sending="sending") is None
    assert deliveries.count_by_status(Delivery, [first.pk, second.pk], DeliveryStatus.values) == {
        "queued": 0,
        "sending": 1,
        "sent": 1,
        "failed": 0,
    }


def test_run_retries_at_once_when_the_backend_cannot_defer():
    calls = []

    def attempt(ids):
        calls.append(list(ids))
        return [Row(pk) for pk in ids if pk != 1 and len(calls) < 3]

    deliveries.run([1, 2, 3], attempt=attempt, backend="default", enqueue=pytest.fail)
    assert calls == [[1, 2, 3], [2, 3], [2, 3]]


def test_run_enqueues_one_task_per_retry_time_when_the_backend_defers(settings):
    settings.TASKS = DUMMY
    soon, later = timezone.now() + timedelta(seconds=10), timezone.now() + timedelta(seconds=60)
    queued = []

    def attempt(ids):
        return [Row(1, soon), Row(2, later), Row(3, soon)]

    deliveries.run(
        [1, 2, 3], attempt=attempt, backend="default", enqueue=lambda ids, run_after: queued.append((ids, run_after))
    )
    assert sorted(queued) == [([1, 3], soon), ([2], later)]


@pytest.mark.django_db(transaction=True)
def test_enqueue_in_batches_after_the_commit_or_at_once(settings):
    settings.TASKS = DUMMY
    default_task_backend = task_backends["default"]
    default_task_backend.clear()
    run_after = timezone.now() + timedelta(minutes=5)
    with transaction.atomic():
        deliveries.enqueue(
            send_webhook_deliveries, range(5), backend="default", queue="default", batch_size=2, run_after=run_after
        )
        assert default_task_backend.results == []  # waits for the commit
    assert [r.args for r in default_task_backend.results] == [[[0, 1]], [[2, 3]], [[4]]]
    assert {r.task.run_after for r in default_task_backend.results} == {run_after}
    default_task_backend.clear()
    with transaction.atomic():
        deliveries.enqueue(
            send_webhook_deliveries, [7], backend="default", queue="default", batch_size=2, on_commit=False
        )
        assert [r.args for r in default_task_backend.results] == [[[7]]]
