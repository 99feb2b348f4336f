from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bazary.core"
    label = "bazary_core"
    verbose_name = _("bazary core")
    # Fixed here so a project's DEFAULT_AUTO_FIELD never creates migrations
    # inside site-packages.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            tasks,  # noqa: F401  (runs in-process tasks after the response)
        )
