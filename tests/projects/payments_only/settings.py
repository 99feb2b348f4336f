"""bazary.core + bazary.catalog + bazary.orders + bazary.payments, without
accounts or notifications, with Django's own ``auth.User``."""

from tests.projects.base import *  # noqa: F403
from tests.projects.base import THIRD_PARTY_APPS

INSTALLED_APPS = [*THIRD_PARTY_APPS, "bazary.core", "bazary.catalog", "bazary.orders", "bazary.payments"]
