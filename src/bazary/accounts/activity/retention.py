"""Keeping the activity log to ``ACTIVITY_RETENTION_DAYS``: :func:`purge`, its task and command.

Run ``manage.py bazary_purge_activity`` daily (cron), or enqueue
:func:`purge_activity` from your scheduler; both delete the events older than the
retention, in batches, so a large backlog never holds one long transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from bazary.core.tasks import task

from ..conf import accounts_settings

#: Events deleted per ``DELETE``.
BATCH_SIZE = 5000


def cutoff(days: int | None = None, now: datetime | None = None) -> datetime:
    """Events created before this are past the retention (``days`` defaults to ``ACTIVITY_RETENTION_DAYS``)."""
    days = accounts_settings.ACTIVITY_RETENTION_DAYS if days is None else days
    return (now or timezone.now()) - timedelta(days=days)


def purge(days: int | None = None, *, batch_size: int = BATCH_SIZE) -> int:
    """Delete the events older than ``days`` (default ``ACTIVITY_RETENTION_DAYS``); how many went."""
    from ..models import AccountEvent

    if days is not None and days < 1:
        raise ValueError("The retention is at least one day.")
    before = cutoff(days)
    deleted = 0
    while True:
        old = AccountEvent.objects.filter(created_at__lt=before).order_by("pk")
        batch = list(old.values_list("pk", flat=True)[:batch_size])
        if not batch:
            return deleted
        deleted += AccountEvent.objects.filter(pk__in=batch).delete()[0]


@task()
def purge_activity() -> int:
    """:func:`purge` with ``ACTIVITY_RETENTION_DAYS``, as a Django task."""
    return purge()
