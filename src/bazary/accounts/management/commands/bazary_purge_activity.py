"""Delete activity log events older than ``BAZARY_ACCOUNTS["ACTIVITY_RETENTION_DAYS"]``.

Run it daily from cron::

    python manage.py bazary_purge_activity
    python manage.py bazary_purge_activity --days 90 --dry-run
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bazary.accounts.activity import retention
from bazary.accounts.models import AccountEvent


class Command(BaseCommand):
    help = "Delete activity log events older than ACTIVITY_RETENTION_DAYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help="Keep this many days instead of ACTIVITY_RETENTION_DAYS."
        )
        parser.add_argument("--dry-run", action="store_true", help="Only say how many would be deleted.")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        if options["dry_run"]:
            count = AccountEvent.objects.filter(created_at__lt=retention.cutoff(days)).count()
            self.stdout.write(f"{count} events would be deleted")
            return
        self.stdout.write(f"{retention.purge(days)} events deleted")
