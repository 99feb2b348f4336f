"""One command for the demo site: migrate, a demo admin, demo data, then serve."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

DEMO_ADMIN_EMAIL = "admin@example.com"
DEMO_ADMIN_PASSWORD = "bazary-demo"
DEMO_ORDER_EMAIL = "demo-customer@example.com"


class Command(BaseCommand):
    help = "Prepare the demo site (migrate, demo admin, demo catalog, a demo order) and run it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="Address for runserver.")
        parser.add_argument("--products", type=int, default=200, help="Demo products to create.")
        parser.add_argument("--no-serve", action="store_true", help="Prepare only; do not start the server.")

    def handle(self, *args: Any, addr: str, products: int, no_serve: bool, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")

        User = get_user_model()
        admin = User.objects.filter(email__iexact=DEMO_ADMIN_EMAIL).first()
        if admin is None:
            admin = User.objects.create_superuser(email=DEMO_ADMIN_EMAIL, password=DEMO_ADMIN_PASSWORD)
        if hasattr(admin, "email_verified_at") and admin.email_verified_at is None:
            admin.email_verified_at = timezone.now()
            admin.save(update_fields=["email_verified_at"])

        if "bazary_seed_demo" in get_commands():
            call_command("bazary_seed_demo", products=products, stdout=self.stdout)
        order = demo_order()
        if order is not None:
            self.stdout.write(f"Demo order {order.number} ({order.email}, {order.status}).")

        base = f"http://{addr}"
        self.stdout.write(
            self.style.SUCCESS(
                "\nThe bazary demo is ready.\n"
                f"  API docs (Swagger UI): {base}/api/v1/docs/\n"
                f"  API docs (ReDoc):      {base}/api/v1/redoc/\n"
                f"  OpenAPI schema:        {base}/api/v1/schema/\n"
                f"  Admin:                 {base}/admin/\n"
                f"  Demo admin login:      {DEMO_ADMIN_EMAIL} / {DEMO_ADMIN_PASSWORD}\n"
            )
        )
        if not no_serve:
            call_command("runserver", addr, use_reloader=False)


def demo_order() -> Any:
    """A guest's order of two demo products, paid and shipped, placed through
    the real checkout (stock reserved, history written); once only."""
    if not apps.is_installed("bazary.orders"):
        return None
    from bazary.catalog.models import get_product_model
    from bazary.orders.models import Order
    from bazary.orders.transitions import transition
    from bazary.testing.orders import place_test_order

    existing = Order.objects.filter(email=DEMO_ORDER_EMAIL).first()
    if existing is not None:
        return existing
    products = list(
        get_product_model()._default_manager.visible().filter(stock__gte=2, variants__isnull=True).order_by("pk")[:2]
    )
    if not products:
        return None
    order = place_test_order([(product, 1) for product in products], email=DEMO_ORDER_EMAIL)
    transition(order, "paid", note="Demo: bank transfer received.")
    transition(order, "fulfilled", note="Demo: shipped.", tracking_number="DEMO-1Z999", carrier="Demo Post")
    return order
