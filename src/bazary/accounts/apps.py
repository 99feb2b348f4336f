from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "bazary.accounts"
    label = "bazary_accounts"
    verbose_name = _("bazary accounts")
    default_auto_field = "django.db.models.BigAutoField"
