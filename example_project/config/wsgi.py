"""The WSGI application (gunicorn: ``config.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

from config import gcfreeze  # noqa: E402 (needs the apps loaded)

gcfreeze.install()
