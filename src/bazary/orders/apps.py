from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "bazary.orders"
    label = "bazary_orders"
    verbose_name = _("bazary orders")
    # Fixed here so a project's DEFAULT_AUTO_FIELD never creates migrations
    # inside site-packages.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The settings object registers itself with core's settings check;
        # checks.py registers the checks of the configured hooks.
        from . import checks, conf  # noqa: F401
        from .emails import on_status_changed
        from .signals import order_placed, order_status_changed
        from .timeouts import schedule_timeout

        order_status_changed.connect(on_status_changed, dispatch_uid="bazary.orders.emails.on_status_changed")
        order_placed.connect(schedule_timeout, dispatch_uid="bazary.orders.timeouts.schedule_timeout")
        from .export import register_sections

        register_sections()  # the orders in the personal-data export
        if apps.is_installed("bazary.notifications"):
            from .emails import register_kinds

            register_kinds()
