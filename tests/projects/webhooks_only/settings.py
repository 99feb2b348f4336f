"""bazary.core + bazary.webhooks (+ the catalog, for its events), with Django's own ``auth.User``."""

from tests.projects.base import *  # noqa: F403
from tests.projects.base import THIRD_PARTY_APPS

INSTALLED_APPS = [*THIRD_PARTY_APPS, "bazary.core", "bazary.catalog", "bazary.webhooks"]
BAZARY_WEBHOOKS = {"ALLOW_PRIVATE_NETWORKS": True, "RETRY_DELAYS": [0.01, 0.01]}
