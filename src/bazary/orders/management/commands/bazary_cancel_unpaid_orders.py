"""``manage.py bazary_cancel_unpaid_orders``: cancel the orders not paid within
``PAYMENT_TIMEOUT`` and release their stock (run it from cron, e.g. every 5 minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bazary.orders.timeouts import cancel_unpaid_orders


class Command(BaseCommand):
    help = "Cancel unpaid orders older than BAZARY_ORDERS['PAYMENT_TIMEOUT'] (offline payments excepted)."

    def handle(self, *args: Any, **options: Any) -> None:
        numbers = cancel_unpaid_orders()
        for number in numbers:
            self.stdout.write(f"cancelled {number}")
        self.stdout.write(f"{len(numbers)} unpaid order(s) cancelled.")
