"""Re-queue deliveries that are stuck in the queue or failed.

Run it from cron (every few minutes) when a worker may have been down, or after
fixing a mail server that made deliveries fail::

    python manage.py bazary_retry_deliveries            # stuck + failed
    python manage.py bazary_retry_deliveries --no-failed --stuck-after 600
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Q
from django.utils import timezone

from bazary.notifications.conf import notifications_settings
from bazary.notifications.deliveries import requeue
from bazary.notifications.models import Delivery, DeliveryStatus


class Command(BaseCommand):
    help = "Re-queue notification deliveries that are stuck (queued for too long) or failed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stuck-after",
            type=int,
            default=None,
            metavar="SECONDS",
            help="A queued delivery is stuck when it was due this long ago "
            "(default: BAZARY_NOTIFICATIONS['STUCK_AFTER_SECONDS']).",
        )
        parser.add_argument(
            "--no-failed", action="store_true", help="Leave failed deliveries alone (default: re-queue them)."
        )
        parser.add_argument(
            "--include-sending",
            action="store_true",
            help="Also re-queue deliveries left 'sending' by a worker that died. Such a message may "
            "have gone out already and then goes out twice.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only say how many would be re-queued.")

    def handle(self, *args: Any, **options: Any) -> None:
        stuck_after = options["stuck_after"]
        if stuck_after is None:
            stuck_after = notifications_settings.STUCK_AFTER_SECONDS
        if stuck_after < 0:
            self.stderr.write("--stuck-after cannot be negative.")
            raise SystemExit(2)
        cutoff = timezone.now() - timedelta(seconds=stuck_after)
        # Queued and due (or never scheduled) since before the cutoff.
        stuck = Delivery.objects.filter(status=DeliveryStatus.QUEUED, updated_at__lt=cutoff).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=cutoff)
        )
        groups = [("stuck", stuck, False)]
        if options["include_sending"]:
            groups.append(
                ("sending", Delivery.objects.filter(status=DeliveryStatus.SENDING, updated_at__lt=cutoff), False)
            )
        if not options["no_failed"]:
            groups.append(("failed", Delivery.objects.filter(status=DeliveryStatus.FAILED), True))

        for name, queryset, reset in groups:
            if options["dry_run"]:
                self.stdout.write(f"{name}: {queryset.count()} would be re-queued")
                continue
            count = requeue(queryset, reset_attempts=reset)
            self.stdout.write(f"{name}: {count} re-queued")
