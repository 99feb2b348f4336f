"""Every bazary app with bazary's own user model: the main test project."""

from tests.projects.base import *  # noqa: F403
from tests.projects.base import THIRD_PARTY_APPS

INSTALLED_APPS = [
    *THIRD_PARTY_APPS,
    "bazary.core",
    "bazary.catalog",
    "bazary.accounts",
    "bazary.notifications",
    "bazary.orders",
    "bazary.webhooks",
    "bazary.payments",
    "django_countries",  # localised country names of addresses (docs/accounts.md)
]
AUTH_USER_MODEL = "bazary_accounts.User"
