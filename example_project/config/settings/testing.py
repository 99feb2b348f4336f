"""The example project's own tests: fast hasher, in-memory email."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# The tests run in one process with DEBUG off on local memory: the per-process
# throttle cache that bazary_core.W002 warns about is what they want.
SILENCED_SYSTEM_CHECKS = ["bazary_core.W002"]
