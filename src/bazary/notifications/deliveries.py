"""Sending Delivery rows: claim, send, record, retry.

Each delivery is sent at most once by a worker that first moves it from
``queued`` to ``sending`` with a conditional UPDATE stamped with a claim token;
a second task holding the same id (a retry racing a re-queue) claims nothing
and sends nothing. A failed attempt goes back to ``queued`` with the error and
a ``next_attempt_at`` (exponential backoff), or to ``failed`` after
``MAX_ATTEMPTS``. The rows are never deleted: a failure is always on record.
Once sent, a delivery keeps its subject but not its body (see :func:`attempt`).
A delivery whose recipient was deactivated or deleted after ``notify()`` is
not sent (``failed``, "Cancelled: ..."), unless its kind is a farewell; a
farewell keeps no address once sent or failed for good.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from bazary.core import deliveries as core_deliveries
from bazary.core.retries import retry_delay
from bazary.core.tasks import task_backends

from . import withheld
from .channels import registry as channel_registry
from .conf import notifications_settings
from .kinds import is_active
from .kinds import registry as kind_registry
from .models import Delivery, DeliveryStatus
from .privacy import CANCELLED_DELETED, FORGOTTEN_ADDRESS, scrubbed_fields

#: Deliveries per task: large enough to share an SMTP session, small enough
#: that a task stays short.
BATCH_SIZE = 100

#: ``last_error`` of a delivery not sent because its recipient was deactivated meanwhile.
CANCELLED_INACTIVE = "Cancelled: the recipient's account is inactive."


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: base, 2 * base, 4 * base..."""
    return retry_delay(attempts, [notifications_settings.RETRY_BACKOFF_SECONDS])


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def attempt(delivery_ids: Sequence[int]) -> list[Delivery]:
    """One attempt at each queued delivery among ``delivery_ids``.

    Returns the deliveries that failed and are due for another attempt.
    """
    if not delivery_ids:
        return []
    # Read before claiming: a refused CHANNELS setting (ImproperlyConfigured)
    # leaves the rows queued instead of stuck in 'sending'.
    configured = {channel.code: channel for channel in channel_registry}
    token = core_deliveries.claim(Delivery, delivery_ids, queued=DeliveryStatus.QUEUED, sending=DeliveryStatus.SENDING)
    if token is None:
        return []
    # The recipient comes joined: whether the account is still active is read
    # at send time, not only when notify() ran.
    claimed_rows = Delivery.objects.filter(claim_token=token, status=DeliveryStatus.SENDING).select_related("recipient")
    kinds = {kind.code: kind for kind in kind_registry}
    deliveries, cancelled, farewells = [], [], set()
    for delivery in claimed_rows:
        kind = kinds.get(delivery.kind)
        if kind is not None and kind.farewell:
            farewells.add(delivery.pk)
        elif not is_active(delivery.recipient):
            cancelled.append(delivery)
            continue
        deliveries.append(delivery)

    outcomes: dict[int, BaseException | None] = {}
    by_channel: dict[str, list[Delivery]] = defaultdict(list)
    for delivery in deliveries:
        try:
            # One-time links back in place, in memory only: the row written
            # below never holds them.
            withheld.reveal(delivery)
        except withheld.Unreadable as exc:
            outcomes[delivery.pk] = exc
            continue
        by_channel[delivery.channel].append(delivery)
    for code, batch in by_channel.items():
        channel = configured.get(code)
        if channel is None or not channel.uses_deliveries:
            missing = LookupError(f"Channel {code!r} is not configured for deliveries.")
            outcomes.update(dict.fromkeys((d.pk for d in batch), missing))
            continue
        try:
            outcomes.update(channel.send_many(batch))
        except Exception as exc:
            # A channel that breaks outside one message fails the batch on
            # record, never leaves it 'sending'.
            outcomes.update(dict.fromkeys((d.pk for d in batch), exc))

    now = timezone.now()
    sent = [pk for pk, error in outcomes.items() if error is None]
    if sent:
        # The body goes once sent, and the sealed one-time links with it. The
        # log keeps kind, address, subject and times; a farewell keeps
        # neither address nor subject (the account it went to is gone).
        done = {
            "status": DeliveryStatus.SENT,
            "sent_at": now,
            "next_attempt_at": None,
            "last_error": "",
            "body": "",
            "html": "",
            "data": {},
            "sealed": "",
            "updated_at": now,
        }
        Delivery.objects.filter(pk__in=sent, claim_token=token).update(**done)
    # Rows to forget now: farewells sent or failed for good, and rows whose
    # recipient was deleted from the database meanwhile.
    scrub = [pk for pk in sent if pk in farewells]
    max_attempts = notifications_settings.MAX_ATTEMPTS
    failed, retry = [], []
    for delivery in deliveries:
        error = outcomes.get(delivery.pk, RuntimeError("The channel returned no outcome."))
        if error is None:
            continue
        delivery.last_error = _error(error)
        delivery.updated_at = now
        if delivery.attempts >= max_attempts:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            if delivery.pk in farewells:
                # Failed for good: nothing will be sent, so the address goes,
                # and the error keeps its type only (SMTP errors name the address).
                scrub.append(delivery.pk)
                delivery.last_error = type(error).__name__
        else:
            delivery.status = DeliveryStatus.QUEUED
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            retry.append(delivery)
        failed.append(delivery)
    for delivery in cancelled:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        delivery.updated_at = now
        if delivery.recipient_id is None:
            # Deleted from the database since notify(): forget what it held.
            delivery.last_error = CANCELLED_DELETED
            scrub.append(delivery.pk)
        else:
            delivery.last_error = CANCELLED_INACTIVE
        failed.append(delivery)
    if failed:
        Delivery.objects.bulk_update(failed, ["status", "last_error", "next_attempt_at", "updated_at"])
    if scrub:
        Delivery.objects.filter(pk__in=scrub).update(**scrubbed_fields())
    return retry


def process(delivery_ids: Sequence[int]) -> dict[str, int]:
    """The body of the delivery task: attempt, then retry what failed
    (:func:`bazary.core.deliveries.run`: new tasks at the retry times, or at
    once with the immediate backend); returns counts by status."""
    core_deliveries.run(delivery_ids, attempt=attempt, backend=notifications_settings.TASK_BACKEND, enqueue=enqueue)
    return core_deliveries.count_by_status(Delivery, delivery_ids, DeliveryStatus.values)


def enqueue(delivery_ids: Iterable[int], *, run_after: datetime | None = None) -> None:
    """Hand deliveries to the task backend, in batches of :data:`BATCH_SIZE`.

    Backends that run tasks in other processes get them when the current
    transaction commits, so a worker never looks for a row it cannot see yet;
    the in-process immediate backend (no ``supports_defer``) runs them at once,
    or, during a request, once the response is sent (:func:`bazary.core.tasks.enqueue`).
    """
    from .tasks import send_deliveries

    backend = notifications_settings.TASK_BACKEND
    core_deliveries.enqueue(
        send_deliveries,
        delivery_ids,
        backend=backend,
        queue=notifications_settings.TASK_QUEUE,
        batch_size=BATCH_SIZE,
        run_after=run_after,
        on_commit=task_backends[backend].supports_defer,
    )


def requeue(queryset: QuerySet[Delivery], *, reset_attempts: bool = False) -> int:
    """Put deliveries (failed, stuck) back in the queue and enqueue them.

    Sent deliveries are never re-queued, nor forgotten ones (no address left: a
    deleted account's). ``reset_attempts`` gives failed ones a fresh set of
    ``MAX_ATTEMPTS``.
    """
    queryset = queryset.exclude(status=DeliveryStatus.SENT).exclude(address=FORGOTTEN_ADDRESS)
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return 0
    changes: dict[str, Any] = {
        "status": DeliveryStatus.QUEUED,
        "next_attempt_at": None,
        "claim_token": "",
        "updated_at": timezone.now(),
    }
    if reset_attempts:
        changes["attempts"] = 0
    with transaction.atomic():
        count = (
            Delivery.objects.filter(pk__in=ids)
            .exclude(status=DeliveryStatus.SENT)
            .exclude(address=FORGOTTEN_ADDRESS)
            .update(**changes)
        )
        enqueue(ids)
    return count
