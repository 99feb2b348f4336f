from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "bazary.webhooks"
    label = "bazary_webhooks"
    verbose_name = _("bazary webhooks")
    # Fixed here so a project's DEFAULT_AUTO_FIELD never creates migrations
    # inside site-packages.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, conf  # noqa: F401  (the core checks validate BAZARY_WEBHOOKS)
        from .sources import connect_sources

        # The events of the other installed apps: their signals, connected here,
        # so none of them imports webhooks.
        connect_sources()
