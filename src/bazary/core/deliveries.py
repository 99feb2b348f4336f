"""The queue machinery of the apps that deliver rows (notifications' emails,
webhooks' requests): claim, run with retries, hand to the task backend.

A delivery model has ``status`` (with a queued and a sending value),
``attempts``, ``claim_token``, ``next_attempt_at`` and ``updated_at``. Each
app keeps its own ``attempt()`` (what sending means, what a failure records)
and its settings; what is the same for both lives here, with
:func:`bazary.core.retries.retry_delay` for the waits.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from . import tasks as core_tasks
from .tasks import task_backends


def claim(model: type[models.Model], delivery_ids: Sequence[int], *, queued: str, sending: str) -> str | None:
    """Move the deliveries among ``delivery_ids`` still ``queued`` to
    ``sending``, one more attempt each, stamped with a new claim token: the
    token, or ``None`` when nothing was claimed. A conditional UPDATE, so a
    second worker holding the same ids (a retry racing a re-queue) claims
    nothing and sends nothing."""
    token = uuid.uuid4().hex
    claimed = model._default_manager.filter(pk__in=delivery_ids, status=queued).update(
        status=sending, claim_token=token, attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    return token if claimed else None


def run(
    delivery_ids: Sequence[int],
    *,
    attempt: Callable[[Sequence[int]], list[Any]],
    backend: str,
    enqueue: Callable[..., None],
) -> None:
    """The body of a delivery task: ``attempt(delivery_ids)``, then schedule
    what it returned (deliveries due for a retry, with ``next_attempt_at``).

    A backend that can defer (database, RQ) gets one new task per retry time
    (``enqueue(ids, run_after=...)``); one that cannot (the immediate backend)
    retries at once, in this call, until ``attempt`` returns nothing (each
    delivery sent or out of attempts).
    """
    retry = attempt(delivery_ids)
    if task_backends[backend].supports_defer:
        by_time: dict[datetime, list[int]] = defaultdict(list)
        for delivery in retry:
            assert delivery.next_attempt_at is not None
            by_time[delivery.next_attempt_at].append(delivery.pk)
        for run_after, ids in by_time.items():
            enqueue(ids, run_after=run_after)
    else:
        while retry:
            retry = attempt([delivery.pk for delivery in retry])


def count_by_status(model: type[models.Model], delivery_ids: Sequence[int], statuses: Iterable[str]) -> dict[str, int]:
    """How many of ``delivery_ids`` are in each of ``statuses`` (what a delivery task returns)."""
    counts = dict.fromkeys(statuses, 0)
    for status in model._default_manager.filter(pk__in=delivery_ids).values_list("status", flat=True):
        counts[status] += 1
    return counts


def enqueue(
    task: Any,
    delivery_ids: Iterable[int],
    *,
    backend: str,
    queue: str,
    batch_size: int,
    run_after: datetime | None = None,
    on_commit: bool = True,
) -> None:
    """Hand deliveries to ``task`` on ``backend``/``queue``, ``batch_size`` ids
    a task; ``run_after`` when the backend can defer. With ``on_commit`` the
    tasks go when the current transaction commits (so a worker in another
    process never looks for a row it cannot see yet); without, at once.
    Through :func:`bazary.core.tasks.enqueue`: the in-process immediate
    backend runs them once the response has been sent."""
    ids = list(delivery_ids)
    if not ids:
        return
    options: dict[str, Any] = {"backend": backend, "queue_name": queue}
    if run_after is not None and task_backends[backend].supports_defer:
        options["run_after"] = run_after
    configured = task.using(**options)

    def _enqueue() -> None:
        for start in range(0, len(ids), batch_size):
            core_tasks.enqueue(configured, ids[start : start + batch_size])

    if on_commit:
        transaction.on_commit(_enqueue)
    else:
        _enqueue()
