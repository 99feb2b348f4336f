"""Settings shared by the test projects; services come from the environment.

With nothing set the suite runs on SQLite, local memory cache and local files.
``nox -s services`` sets ``DATABASE_URL``, ``REDIS_URL`` and ``BAZARY_TEST_S3_*``
to run the same suite against PostgreSQL, Redis and an S3 server.
"""

import atexit
import os
import secrets
import shutil
import tempfile


def temporary_folder(prefix: str) -> str:
    """A fresh path in the temporary folder, removed at exit. It is not created
    here: the first write makes it (the file storage, the file mail backend),
    so a process that loads the settings and writes nothing leaves nothing,
    also when it ends without running atexit (mypy's Django plugin loads these
    settings and leaves by ``os._exit``; a server stopped by a signal)."""
    path = os.path.join(tempfile.gettempdir(), f"{prefix}{secrets.token_hex(8)}")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


SECRET_KEY = "bazary-tests-only-not-a-secret-but-long-enough-for-hs256"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "tests.projects.urls"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"  # bazary must not depend on it
STATIC_URL = "/static/"
MEDIA_URL = "/media/"
MEDIA_ROOT = temporary_folder("bazary-test-media-")  # one per process that loads the settings
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests

THIRD_PARTY_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}


def _database() -> dict:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    import dj_database_url

    return dict(dj_database_url.parse(url))


DATABASES = {"default": _database()}

if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"bazary-test-{os.getpid()}",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # One test process, DEBUG off: throttles on local memory are what the tests
    # want, not the multi-process deployment bazary_core.W002 warns about.
    SILENCED_SYSTEM_CHECKS = ["bazary_core.W002"]

if os.environ.get("BAZARY_TEST_S3_ENDPOINT_URL"):
    STORAGES = {
        "default": {
            "BACKEND": "bazary.core.s3.PublicS3Storage",
            "OPTIONS": {
                "bucket_name": os.environ["BAZARY_TEST_S3_BUCKET"],
                "endpoint_url": os.environ["BAZARY_TEST_S3_ENDPOINT_URL"],
                "access_key": "testing",
                "secret_key": "testing",
                "region_name": "us-east-1",
                "querystring_auth": False,
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
