"""bazary.webhooks with the database task backend and a real worker process.

The database is a SQLite file (the worker subprocess must see the test's rows);
the test starts the worker with ``BAZARY_WORKER_DB`` pointing at it, and a
receiver on loopback that the worker delivers to.
"""

import os
import tempfile
from pathlib import Path

from tests.projects.base import *  # noqa: F403
from tests.projects.base import THIRD_PARTY_APPS

INSTALLED_APPS = [*THIRD_PARTY_APPS, "django_tasks_db", "bazary.core", "bazary.webhooks"]

_tmp = Path(tempfile.gettempdir())
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BAZARY_WORKER_DB") or str(_tmp / f"bazary-whworker-{os.getpid()}.sqlite3"),
        "TEST": {"NAME": str(_tmp / f"bazary-whworker-test-{os.getpid()}.sqlite3")},
        "OPTIONS": {"timeout": 30},
    }
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
BAZARY_WEBHOOKS = {"ALLOW_PRIVATE_NETWORKS": True, "RETRY_DELAYS": [0], "MAX_ATTEMPTS": 3}
