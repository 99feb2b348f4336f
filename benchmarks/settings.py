"""The example project's production settings, plus the raw-Django baseline views.

Environment (set by ``benchmarks/run.py``): everything production needs, and
``BENCH_PAGINATION=cursor`` (or ``capped``) to serve the catalog with cursor
pagination (or page numbers with a capped count).
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
PAGINATION_CLASSES = {
    # The bench's "page" rows time the exact count (the baseline's ?count= default).
    "page": "bazary.catalog.pagination.CatalogPageNumberPagination",
    "cursor": "bazary.catalog.pagination.CatalogCursorPagination",
    "capped": "bazary.catalog.pagination.CatalogCappedCountPagination",
}
if env("BENCH_PAGINATION") in PAGINATION_CLASSES:
    BAZARY_CATALOG = {**BAZARY_CATALOG, "PAGINATION_CLASS": PAGINATION_CLASSES[env("BENCH_PAGINATION")]}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
