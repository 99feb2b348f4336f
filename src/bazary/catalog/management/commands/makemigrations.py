"""Django's ``makemigrations``, with the dependency rule that lets a project's
swapped catalog models migrate (see :mod:`bazary.catalog.migration_order`)."""

from django.core.management.commands import makemigrations

from bazary.catalog.migration_order import SwapSafeAutodetector


class Command(makemigrations.Command):
    autodetector = SwapSafeAutodetector
