"""bazary.core alone: the schema and docs still answer, nothing else is mounted."""

from tests.projects.base import *  # noqa: F403
from tests.projects.base import THIRD_PARTY_APPS

INSTALLED_APPS = [*THIRD_PARTY_APPS, "bazary.core"]
