"""The delivery task. Enqueue through :func:`bazary.webhooks.deliveries.enqueue`,
which picks the backend (``TASK_BACKEND``) and queue (``TASK_QUEUE``)."""

from __future__ import annotations

from bazary.core.tasks import task


@task()
def send_webhook_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    """Send the given webhook deliveries that are still queued; returns counts by status."""
    from .deliveries import process

    return process(delivery_ids)
