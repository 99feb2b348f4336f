"""Re-queue webhook deliveries that are stuck: due long ago and still queued
(a worker was down, a task was lost), or, with ``--include-sending``, left
``sending`` by a worker that died. Run it from cron every few minutes::

    python manage.py bazary_retry_webhooks --stuck-after 900

Failed deliveries are not touched: staff redeliver them (``…/redeliver/``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Q
from django.utils import timezone

from bazary.webhooks.deliveries import requeue
from bazary.webhooks.models import Delivery, DeliveryStatus


class Command(BaseCommand):
    help = "Re-queue webhook deliveries stuck in the queue (or, with --include-sending, in a dead worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stuck-after",
            type=int,
            default=900,
            metavar="SECONDS",
            help="A delivery is stuck when it was due this long ago (default 900).",
        )
        parser.add_argument(
            "--include-sending",
            action="store_true",
            help="Also re-queue deliveries left 'sending' that long: the receiver may then get one twice "
            "(it dedupes on webhook-id).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only say how many would be re-queued.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["stuck_after"] < 0:
            self.stderr.write("--stuck-after cannot be negative.")
            raise SystemExit(2)
        cutoff = timezone.now() - timedelta(seconds=options["stuck_after"])
        stuck = Delivery.objects.filter(status=DeliveryStatus.QUEUED, updated_at__lt=cutoff).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=cutoff)
        )
        groups = [("stuck", stuck)]
        if options["include_sending"]:
            groups.append(("sending", Delivery.objects.filter(status=DeliveryStatus.SENDING, updated_at__lt=cutoff)))
        for name, queryset in groups:
            ids = list(queryset.values_list("pk", flat=True))
            if options["dry_run"]:
                self.stdout.write(f"{name}: {len(ids)} would be re-queued")
                continue
            self.stdout.write(f"{name}: {requeue(ids)} re-queued")
