"""The example project's production settings, plus the raw-Django baseline views.

Environment (set by ``benchmarks/run.py``): everything production needs, and
``BENCH_PAGINATION=cursor`` to serve the catalog with cursor pagination.
"""

from config.settings.env import env
from config.settings.production import *  # noqa: F403
from config.settings.production import BAZARY_ACCOUNTS, BAZARY_CATALOG, INSTALLED_APPS, STORAGES

INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks.baseline"]
ROOT_URLCONF = "benchmarks.urls"
# The API serves JSON only: no collectstatic needed.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Throughput, not abuse protection: the login throttle and lockout would stop the load generator.
BAZARY_ACCOUNTS = {**BAZARY_ACCOUNTS, "THROTTLE_RATES": {"login": None}, "LOCKOUT_THRESHOLD": 0}
if env("BENCH_PAGINATION") == "cursor":
    BAZARY_CATALOG = {**BAZARY_CATALOG, "PAGINATION_CLASS": "bazary.catalog.pagination.CatalogCursorPagination"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
