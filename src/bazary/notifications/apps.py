from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "bazary.notifications"
    label = "bazary_notifications"
    verbose_name = _("bazary notifications")
    default_auto_field = "django.db.models.BigAutoField"
