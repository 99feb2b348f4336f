from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "bazary.catalog"
    label = "bazary_catalog"
    verbose_name = _("bazary catalog")
    default_auto_field = "django.db.models.BigAutoField"
