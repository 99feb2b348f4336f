from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "bazary.payments"
    label = "bazary_payments"
    verbose_name = _("bazary payments")
    # Fixed here so a project's DEFAULT_AUTO_FIELD never creates migrations
    # inside site-packages.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The settings object registers itself with core's settings check.
        from . import checks, conf  # noqa: F401
        from .emails import on_payment_refunded
        from .signals import payment_refunded

        payment_refunded.connect(on_payment_refunded, dispatch_uid="bazary.payments.emails.on_payment_refunded")

        if apps.is_installed("bazary.notifications"):
            from .emails import register_kinds

            register_kinds()
