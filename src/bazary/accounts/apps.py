from django.apps import AppConfig, apps
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save, pre_delete
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "bazary.accounts"
    label = "bazary_accounts"
    verbose_name = _("bazary accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            conf,  # noqa: F401  (registers BAZARY_ACCOUNTS with the settings checks)
            signals,
        )
        from .export import register_sections
        from .receivers import forget_deleted_user, forget_events_of_deleted_row, revoke_deactivated_user

        register_sections()  # profile, addresses, sessions and activity in the personal-data export

        signals.user_deleted.connect(forget_deleted_user, dispatch_uid="bazary.accounts.forget_deleted_user")
        from .privacy import forget_unlinked_events

        signals.user_deleted.connect(forget_unlinked_events, dispatch_uid="bazary.accounts.forget_unlinked_events")
        post_save.connect(
            revoke_deactivated_user,
            sender=get_user_model(),
            dispatch_uid="bazary.accounts.revoke_deactivated_user",
        )
        pre_delete.connect(
            forget_events_of_deleted_row,
            sender=get_user_model(),
            dispatch_uid="bazary.accounts.forget_events_of_deleted_row",
        )

        if apps.is_installed("bazary.notifications"):
            from .emails import register_kinds

            register_kinds()
