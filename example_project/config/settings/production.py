"""Production: everything from the environment; refuses to start without it.

Required: DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, REDIS_URL.
Optional integrations switch on when their variable is set: SENTRY_DSN,
CORS_ALLOWED_ORIGINS, METRICS (django-prometheus), an anymail EMAIL_BACKEND.
"""

from .env import env, env_bool, env_int, env_list, require

require("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL")

from .base import *  # noqa: E402, F403
from .base import INSTALLED_APPS, MIDDLEWARE  # noqa: E402

DEBUG = False

# HTTPS behind a TLS-terminating proxy (nginx, a load balancer).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^health/"]  # probes speak plain HTTP inside the network
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: Django 6's built-in middleware. The API docs pages
# load their scripts from our own static files (drf-spectacular-sidecar) and
# run one inline script, hence 'unsafe-inline' for scripts on those pages only
# would be ideal; a site-wide policy keeps to 'self' plus that inline script.
try:
    from django.utils.csp import CSP

    MIDDLEWARE.insert(1, "django.middleware.csp.ContentSecurityPolicyMiddleware")
    SECURE_CSP = {
        "default-src": [CSP.SELF],
        "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
        "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
        "img-src": [CSP.SELF, "data:", "https:"],
        "connect-src": [CSP.SELF],
        "frame-ancestors": [CSP.NONE],
    }
except ImportError:  # Django 5.2: no built-in CSP; nginx can send the header instead.
    pass

# CORS for browser front ends on other origins.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
if CORS_ALLOWED_ORIGINS:
    INSTALLED_APPS.append("corsheaders")
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.common.CommonMiddleware"), "corsheaders.middleware.CorsMiddleware"
    )
    CORS_URLS_REGEX = r"^/api/.*$"
    from corsheaders.defaults import default_headers

    # The orders' guest cart token and checkout's idempotency key.
    CORS_ALLOW_HEADERS = (*default_headers, "x-cart-token", "idempotency-key")
    CORS_EXPOSE_HEADERS = ["X-Cart-Token"]

# Prometheus metrics at /metrics (nginx keeps it off the public internet).
if env_bool("METRICS", True):
    INSTALLED_APPS.append("django_prometheus")
    MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
    MIDDLEWARE.append("django_prometheus.middleware.PrometheusAfterMiddleware")

# Errors to Sentry when SENTRY_DSN is set; no personal data is sent.
if env("SENTRY_DSN"):
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=env("SENTRY_DSN"),
        integrations=[DjangoIntegration()],
        environment=env("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(env("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
        send_default_pii=False,
    )

# JSON logs, one object per line, for the log pipeline.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}
