"""bazary.core + bazary.accounts alone: no catalog, no notifications (mail through Django tasks)."""

from tests.projects.base import *  # noqa: F403
from tests.projects.base import THIRD_PARTY_APPS

INSTALLED_APPS = [*THIRD_PARTY_APPS, "bazary.core", "bazary.accounts"]
AUTH_USER_MODEL = "bazary_accounts.User"
