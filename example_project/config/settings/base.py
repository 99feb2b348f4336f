"""Settings shared by every environment. Each value comes from the environment
and falls back to an embedded default (SQLite, local memory cache, local files,
tasks run in process, console email) so the site starts with nothing set."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url

from .env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Local state of the embedded defaults (SQLite file, media, emails); git-ignored.
VAR_DIR = Path(env("BAZARY_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env("DJANGO_SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
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
    "django_countries",  # localised country names of addresses
    "bazary.core",
    "bazary.catalog",
    "bazary.accounts",
    "bazary.notifications",
    "bazary.orders",
    "bazary.webhooks",
    "bazary.payments",
    "demo",
    "ops",
]
AUTH_USER_MODEL = "bazary_accounts.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

# Database: DATABASE_URL (postgres://user:pass@host:5432/name), else SQLite.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction begins and wait up to 20 s for it:
    # on Django's DEFERRED default, concurrent requests that read then write
    # fail with "database is locked" (bazary_core.W001, docs/settings/core.md).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_POOL", True):
    # psycopg 3's connection pool, managed by Django (4.2+); CONN_MAX_AGE must be 0 with it.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN", 2),
        "max_size": env_int("DATABASE_POOL_MAX", 10),
    }

# A read replica: DATABASE_REPLICA_URL. Reads go there until the request writes.
if env("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(env("DATABASE_REPLICA_URL"), conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0)),
        "OPTIONS": DATABASES["default"].get("OPTIONS", {}),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(0, "config.db_router.PinPrimaryMiddleware")

# Cache (throttle counters, lockout, cached responses): REDIS_URL, else local memory.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
            "KEY_PREFIX": "bazary",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background tasks (email): TASKS_BACKEND = immediate (default) | db | rq.
TASKS_BACKEND = env("TASKS_BACKEND", "immediate")
if TASKS_BACKEND == "db":
    INSTALLED_APPS.append("django_tasks_db")
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASKS_BACKEND == "rq":
    # django-tasks-rq implements the django-tasks backport's API (Django 5.2).
    INSTALLED_APPS += ["django_tasks", "django_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}

# Files: S3 when AWS_STORAGE_BUCKET_NAME is set (any S3-compatible server through
# AWS_S3_ENDPOINT_URL), else the local MEDIA_ROOT. Static files: whitenoise.
MEDIA_URL = env("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing one
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if env("AWS_STORAGE_BUCKET_NAME"):
    STORAGES["default"] = {
        # django-storages' S3Storage; its public URLs built without a botocore
        # call per image (bazary.core.s3, docs/performance.md).
        "BACKEND": "bazary.core.s3.PublicS3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "region_name": env("AWS_S3_REGION_NAME") or None,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN") or None,
            # Plain public URLs by default: a catalog's images are public, and
            # a presigned URL (about 0.1 ms of signing per image, a new URL on
            # every request, so no CDN or browser keeps it) buys nothing for
            # them. Serve the bucket publicly or through AWS_S3_CUSTOM_DOMAIN (a
            # CDN). A private bucket sets AWS_QUERYSTRING_AUTH=1: presigned URLs
            # that expire after AWS_QUERYSTRING_EXPIRE seconds.
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", False),
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 3600),
            "file_overwrite": False,
        },
    }

# Email: console by default; SMTP from EMAIL_HOST etc.; any backend (e.g. anymail) by EMAIL_BACKEND.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(VAR_DIR / "emails"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "bazary <shop@example.com>")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}
SPECTACULAR_SETTINGS = {"TITLE": "bazary example shop API", "SERVE_INCLUDE_SCHEMA": False}

# The values bazary's docs recommend: short access tokens, rotating refresh tokens.
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "SIGNING_KEY": env("JWT_SIGNING_KEY") or SECRET_KEY,
}

SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
BAZARY_CORE = {
    "THROTTLE_RATES": {"anon": env("THROTTLE_ANON") or None, "user": env("THROTTLE_USER") or None},
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
}
BAZARY_CATALOG = {"CURRENCY": env("SHOP_CURRENCY", "USD")}
BAZARY_ACCOUNTS = {
    "EMAIL_VERIFICATION": env("EMAIL_VERIFICATION", "optional"),
    "VERIFY_EMAIL_URL": f"{env('FRONTEND_URL', SITE_URL)}/verify-email?token={{token}}",
    "PASSWORD_RESET_URL": f"{env('FRONTEND_URL', SITE_URL)}/reset-password?uid={{uid}}&token={{token}}",
    "EMAIL_CHANGE_URL": f"{env('FRONTEND_URL', SITE_URL)}/confirm-email?token={{token}}",
    "UNLOCK_URL": f"{env('FRONTEND_URL', SITE_URL)}/unlock-account?token={{token}}",
    "LOCKOUT_THRESHOLD": env_int("LOCKOUT_THRESHOLD", 5),
    # Passkeys: the site's domain and the origins of the pages that use them (docs/accounts.md).
    "PASSKEY_RP_ID": env("PASSKEY_RP_ID", "localhost"),
    "PASSKEY_ORIGINS": env_list("PASSKEY_ORIGINS", "http://localhost:8000"),
    "MFA_REQUIRED_FOR_STAFF": env_bool("MFA_REQUIRED_FOR_STAFF", False),
}
_auth_rates = {
    scope: env(f"THROTTLE_{scope.upper()}")
    for scope in ("login", "register", "password_reset", "verify_email_resend")
    if env(f"THROTTLE_{scope.upper()}")
}
if _auth_rates:
    BAZARY_ACCOUNTS["THROTTLE_RATES"] = _auth_rates
# Stripe and Chapa are offered once their keys are in the environment
# (docs/payments.md); *_API_BASE only points them at a local test server.
BAZARY_PAYMENTS: dict = {"PROVIDERS": {}}
if env("STRIPE_SECRET_KEY"):
    BAZARY_PAYMENTS["PROVIDERS"]["stripe"] = {
        "SECRET_KEY": env("STRIPE_SECRET_KEY"),
        "PUBLISHABLE_KEY": env("STRIPE_PUBLISHABLE_KEY"),
        "WEBHOOK_SECRET": env("STRIPE_WEBHOOK_SECRET"),
    }
if env("CHAPA_SECRET_KEY"):
    BAZARY_PAYMENTS["PROVIDERS"]["chapa"] = {
        "SECRET_KEY": env("CHAPA_SECRET_KEY"),
        "WEBHOOK_SECRET": env("CHAPA_WEBHOOK_SECRET"),
    }
for _code in BAZARY_PAYMENTS["PROVIDERS"]:
    if env(f"{_code.upper()}_API_BASE"):
        BAZARY_PAYMENTS["PROVIDERS"][_code]["API_BASE"] = env(f"{_code.upper()}_API_BASE")
# Outgoing webhooks (docs/webhooks.md): to public HTTPS receivers only, unless
# they are on your own network (an on-premise ERP) or in a test.
BAZARY_WEBHOOKS = {
    "ALLOW_PRIVATE_NETWORKS": env_bool("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", False),
    # A private CA's certificate (PEM) for receivers it signed.
    "CA_BUNDLE": env("WEBHOOKS_CA_BUNDLE") or None,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}
