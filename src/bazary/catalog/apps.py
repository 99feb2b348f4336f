from typing import cast

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "bazary.catalog"
    label = "bazary_catalog"
    verbose_name = _("bazary catalog")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            conf,  # noqa: F401  (the core checks validate BAZARY_CATALOG)
        )
        from .alerts import connect_alert_triggers, forget_deleted_user
        from .search import connect_search_updates, connect_trigram_threshold
        from .tree import connect_cache_invalidation
        from .variants import connect_variant_updates

        connect_cache_invalidation()
        connect_variant_updates()
        from django.db.models.signals import post_migrate

        from .variants import fix_has_variants

        post_migrate.connect(fix_has_variants, sender=self, dispatch_uid="bazary_catalog_fix_has_variants")
        connect_search_updates()
        connect_trigram_threshold()
        connect_alert_triggers()
        from .export import register_sections

        register_sections()  # the stock alerts in the personal-data export
        if apps.is_installed("bazary.accounts"):
            # A signal, not a dependency: the catalog installs without accounts.
            from bazary.accounts.signals import user_deleted

            user_deleted.connect(forget_deleted_user, dispatch_uid="bazary_catalog_forget_deleted_user")
        if apps.is_installed("bazary.notifications"):
            from bazary.notifications.kinds import Kind, registry

            registry.register(
                Kind(
                    code="catalog.back_in_stock",
                    template="bazary/catalog/email/back_in_stock",
                    default_channels=("in_app", "email"),
                    mandatory=False,
                    verbose_name=cast(str, _("Back in stock")),  # lazy: translated when shown
                )
            )
