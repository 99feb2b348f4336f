"""Events into deliveries, and deliveries to endpoints: claim, sign, send, record, retry.

:func:`emit` stores the event and one :class:`~.models.Delivery` per active
endpoint subscribed to its type, and hands them to the task backend (after
the commit, for backends in other processes). A worker sends a delivery only
after claiming it: a conditional UPDATE from ``queued`` to ``sending`` stamped
with a claim token; a second task holding the same id claims nothing, sends
nothing. Each attempt is logged (:class:`~.models.Attempt`).

An attempt is retried after a 5xx, 408, 429, a timeout or a connection error,
after ``RETRY_DELAYS`` (with jitter; a ``Retry-After`` header wins when it asks
for longer), up to ``MAX_ATTEMPTS``; any other answer (2xx aside) fails the
delivery for good. A delivery that fails for good counts against its endpoint;
``DISABLE_AFTER`` in a row disable it and tell its owner.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from bazary.core import deliveries as core_deliveries
from bazary.core import sealing
from bazary.core.retries import retry_delay

from . import transport
from .conf import webhooks_settings
from .models import Attempt, Delivery, DeliveryStatus, Endpoint, Event

logger = logging.getLogger(__name__)

#: Deliveries per task.
BATCH_SIZE = 50
#: Statuses worth another attempt, besides 5xx.
RETRY_STATUSES = frozenset({408, 429})
#: Fraction by which a retry delay varies at random either way.
JITTER = 0.2
#: The longest Retry-After honoured (a day); longer is read as this.
MAX_RETRY_AFTER = 86400


def encode(payload: dict[str, Any]) -> str:
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)


def body_of(event: Event) -> str:
    """The JSON body sent (Standard Webhooks' shape: type, timestamp, data)."""
    return encode({"type": event.type, "timestamp": event.created_at.isoformat(), "data": event.payload})


def emit(event_type: str, payload: dict[str, Any], *, endpoints: Iterable[Endpoint] | None = None) -> Event | None:
    """Store the event and queue its deliveries now (no waiting for a commit:
    :func:`bazary.webhooks.send_event` does that). None when no endpoint wants it."""
    if endpoints is None:
        endpoints = [e for e in Endpoint.objects.filter(is_active=True) if e.wants(event_type)]
    targets = list(endpoints)
    if not targets:
        return None
    # A round trip through JSON: what is stored is what is sent.
    data = json.loads(encode(payload))
    with transaction.atomic():
        event = Event.objects.create(type=event_type, payload=data)
        deliveries = Delivery.objects.bulk_create([Delivery(event=event, endpoint=e) for e in targets])
        enqueue([d.pk for d in deliveries])
    return event


def signature_headers(event: Event, body: str, secrets: Sequence[str], now: datetime) -> dict[str, str]:
    """The Standard Webhooks headers, one ``v1,`` signature per secret (space-separated)."""
    signatures = [Webhook(secret).sign(event.message_id, now, body) for secret in secrets]
    return {
        "webhook-id": event.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def _retry_after(headers: dict[str, str], now: datetime) -> timedelta | None:
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return timedelta(seconds=min(int(value), MAX_RETRY_AFTER))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return min(max(when - now, timedelta(0)), timedelta(seconds=MAX_RETRY_AFTER))


def _send(delivery: Delivery) -> tuple[Attempt, bool, timedelta | None]:
    """One request: the attempt (unsaved), whether it is worth retrying, and the wait the receiver asked for."""
    now = timezone.now()
    attempt = Attempt(delivery=delivery, number=delivery.attempts, created_at=now)
    endpoint, event = delivery.endpoint, delivery.event
    try:
        secrets = endpoint.signing_secrets(now)
    except sealing.Unreadable:
        attempt.error = "The endpoint's secret was sealed with a SECRET_KEY this process does not have."
        return attempt, False, None
    body = body_of(event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "bazary-webhooks",
        # Aware UTC whatever USE_TZ says: the header and the signature must agree.
        **signature_headers(event, body, secrets, datetime.now(tz=UTC)),
    }
    try:
        response = transport.post(endpoint.url, body.encode(), headers)
    except transport.Refused as exc:
        attempt.error = f"Refused: {exc}"
        return attempt, False, None
    except Exception as exc:  # timeouts, connection errors, TLS: worth another try
        attempt.error = f"{type(exc).__name__}: {exc}"[:2000]
        return attempt, True, None
    attempt.status_code = response.status
    attempt.duration_ms = response.duration_ms
    attempt.response_body = response.body.decode("utf-8", errors="replace")
    if 200 <= response.status < 300:
        return attempt, False, None
    attempt.error = f"HTTP {response.status}"
    retry = response.status >= 500 or response.status in RETRY_STATUSES
    return attempt, retry, _retry_after(response.headers, now) if retry else None


def attempt(delivery_ids: Sequence[int]) -> list[Delivery]:
    """One attempt at each queued delivery among ``delivery_ids``; returns those due for a retry."""
    if not delivery_ids:
        return []
    token = core_deliveries.claim(Delivery, delivery_ids, queued=DeliveryStatus.QUEUED, sending=DeliveryStatus.SENDING)
    if token is None:
        return []
    rows = Delivery.objects.filter(claim_token=token, status=DeliveryStatus.SENDING).select_related("event", "endpoint")
    retry: list[Delivery] = []
    for delivery in sorted(rows, key=lambda d: (d.event.created_at, d.pk)):
        record, worth_retrying, requested = _send(delivery)
        now = timezone.now()
        delivery.last_status_code = record.status_code
        delivery.last_error = record.error
        delivery.updated_at = now
        if record.status_code is not None and 200 <= record.status_code < 300:
            delivery.status, delivery.sent_at, delivery.next_attempt_at = DeliveryStatus.SENT, now, None
        elif worth_retrying and delivery.attempts < webhooks_settings.MAX_ATTEMPTS:
            delay = retry_delay(delivery.attempts, webhooks_settings.RETRY_DELAYS, jitter=JITTER)
            if requested is not None and requested > delay:
                delay = requested
            delivery.status, delivery.next_attempt_at = DeliveryStatus.QUEUED, now + delay
            record.next_retry_at = delivery.next_attempt_at
            retry.append(delivery)
        else:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        with transaction.atomic():
            record.save()
            Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(
                status=delivery.status,
                sent_at=delivery.sent_at,
                next_attempt_at=delivery.next_attempt_at,
                last_status_code=delivery.last_status_code,
                last_error=delivery.last_error,
                updated_at=now,
            )
        if delivery.status == DeliveryStatus.SENT:
            Endpoint.objects.filter(pk=delivery.endpoint_id).exclude(consecutive_failures=0).update(
                consecutive_failures=0
            )
        elif delivery.status == DeliveryStatus.FAILED:
            _count_failure(delivery.endpoint)
    return retry


def _count_failure(endpoint: Endpoint) -> None:
    """One more event failed for good; disable the endpoint at ``DISABLE_AFTER`` in a row."""
    Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    limit = webhooks_settings.DISABLE_AFTER
    if limit < 1:
        return
    reason = f"{limit} consecutive events failed on every attempt."
    disabled = Endpoint.objects.filter(pk=endpoint.pk, is_active=True, consecutive_failures__gte=limit).update(
        is_active=False, disabled_at=timezone.now(), disabled_reason=reason
    )
    if disabled:
        logger.warning("Webhook endpoint %s disabled: %s", endpoint.pk, reason)
        from .owners import tell_disabled

        tell_disabled(Endpoint.objects.get(pk=endpoint.pk))


def process(delivery_ids: Sequence[int]) -> dict[str, int]:
    """The body of the delivery task: attempt, then schedule what failed
    (:func:`bazary.core.deliveries.run`: new tasks at the retry times, or at
    once with the immediate backend); returns counts by status."""
    core_deliveries.run(delivery_ids, attempt=attempt, backend=webhooks_settings.TASK_BACKEND, enqueue=enqueue)
    return core_deliveries.count_by_status(Delivery, delivery_ids, DeliveryStatus.values)


def enqueue(delivery_ids: Iterable[int], *, run_after: datetime | None = None) -> None:
    """Hand deliveries to the task backend (``TASK_BACKEND``, ``TASK_QUEUE``) in batches.

    When the transaction commits, whatever the backend, so a worker never
    looks for a row it cannot see yet; the in-process backend runs them then,
    or, during a request, once the response is sent.
    """
    from .tasks import send_webhook_deliveries

    core_deliveries.enqueue(
        send_webhook_deliveries,
        delivery_ids,
        backend=webhooks_settings.TASK_BACKEND,
        queue=webhooks_settings.TASK_QUEUE,
        batch_size=BATCH_SIZE,
        run_after=run_after,
    )


def redeliver(delivery: Delivery) -> Delivery:
    """A new delivery of the same event (same ``webhook-id``) to the same endpoint."""
    with transaction.atomic():
        fresh = Delivery.objects.create(event_id=delivery.event_id, endpoint_id=delivery.endpoint_id)
        enqueue([fresh.pk])
    return fresh


def ping(endpoint: Endpoint) -> Delivery:
    """Queue a ``ping`` to ``endpoint``, whatever it subscribes to (even disabled: that is how it is tested)."""
    from .events import PING

    with transaction.atomic():
        event = Event.objects.create(type=PING, payload={"endpoint": endpoint.pk})
        delivery = Delivery.objects.create(event=event, endpoint=endpoint)
        enqueue([delivery.pk])
    return delivery


def requeue(delivery_ids: Iterable[int]) -> int:
    """Put deliveries that are not sent or failed back in the queue (claim
    dropped) and enqueue them; returns how many."""
    ids = list(delivery_ids)
    with transaction.atomic():
        count = Delivery.objects.filter(pk__in=ids, status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]).update(
            status=DeliveryStatus.QUEUED, claim_token="", next_attempt_at=None, updated_at=timezone.now()
        )
        enqueue(ids)
    return count
