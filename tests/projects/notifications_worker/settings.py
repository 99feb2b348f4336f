"""bazary.notifications with the database task backend and a real worker process.

The database is a SQLite file (the worker subprocess must see the test's rows)
and mail goes to files (the test reads what the worker sent). The worker is
started by the test with ``BAZARY_WORKER_DB`` and ``BAZARY_WORKER_MAIL_DIR``
pointing at the test's database and mail directory.
"""

import os
import tempfile
from pathlib import Path

from tests.projects.base import *  # noqa: F403
from tests.projects.base import TEMPLATES, THIRD_PARTY_APPS, temporary_folder

INSTALLED_APPS = [
    *THIRD_PARTY_APPS,
    "django_tasks_db",
    "bazary.core",
    "bazary.notifications",
]
# Django's own user model: notifications work with any AUTH_USER_MODEL.

_tmp = Path(tempfile.gettempdir())
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BAZARY_WORKER_DB") or str(_tmp / f"bazary-worker-{os.getpid()}.sqlite3"),
        "TEST": {"NAME": str(_tmp / f"bazary-worker-test-{os.getpid()}.sqlite3")},
        "OPTIONS": {"timeout": 30},
    }
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ.get("BAZARY_WORKER_MAIL_DIR")
if not EMAIL_FILE_PATH:
    # The pytest process itself (its worker subprocess gets the test's folder):
    # a folder of its own, made by the first email, removed at exit like base.py's MEDIA_ROOT.
    EMAIL_FILE_PATH = temporary_folder("bazary-worker-mail-")

TEMPLATES = [{**TEMPLATES[0], "DIRS": [str(Path(__file__).resolve().parents[2] / "notifications" / "templates")]}]
