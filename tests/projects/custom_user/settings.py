"""bazary.accounts with a project's own user model: username login plus a unique email.

No bazary.notifications either, so mail goes through Django tasks.
"""

from tests.projects.base import *  # noqa: F403
from tests.projects.base import THIRD_PARTY_APPS

INSTALLED_APPS = [
    *THIRD_PARTY_APPS,
    "tests.projects.custom_user.users",
    "bazary.core",
    "bazary.accounts",
]
AUTH_USER_MODEL = "custom_users.Member"
