"""Django's ``migrate`` with bazary's autodetector: Django requires the same
autodetector in ``makemigrations`` and ``migrate`` (check ``commands.E001``)."""

from django.core.management.commands import migrate

from bazary.catalog.migration_order import SwapSafeAutodetector


class Command(migrate.Command):
    autodetector = SwapSafeAutodetector
