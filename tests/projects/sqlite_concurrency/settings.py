"""Every bazary app on a file-backed SQLite database, for the concurrency tests.

The tests start ``runserver`` (threaded: one connection per request thread) in a
subprocess with these settings. ``BAZARY_TEST_SQLITE_PATH`` names the database
file and ``BAZARY_TEST_SQLITE_OPTIONS`` (JSON) its ``OPTIONS``, by default the
ones the quickstart documents; the pytest process itself uses no database.
"""

import json
import os

from tests.projects.full.settings import *  # noqa: F403

QUICKSTART = '{"transaction_mode": "IMMEDIATE", "timeout": 20}'

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BAZARY_TEST_SQLITE_PATH", ":memory:"),
        "OPTIONS": json.loads(os.environ.get("BAZARY_TEST_SQLITE_OPTIONS", QUICKSTART)),
    }
}
