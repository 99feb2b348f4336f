from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "bazary.notifications"
    label = "bazary_notifications"
    verbose_name = _("bazary notifications")
    # Fixed here so a project's DEFAULT_AUTO_FIELD never creates migrations
    # inside site-packages.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The settings object registers itself with core's settings check;
        # checks.py registers the check of the kinds registry.
        from . import checks, conf  # noqa: F401
        from .export import register_sections

        register_sections()  # notifications and preferences in the personal-data export
