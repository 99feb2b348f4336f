"""System checks of bazary.catalog beyond its settings dict (see docs/settings/catalog.md).

- ``bazary_catalog.E020``: a migration of the app of a swapped catalog model
  depends on a catalog migration that itself comes after it (``migrate`` would
  raise ``CircularDependencyError``); names the file, the dependency to change
  and what to change it to. ``migrate`` runs the checks before it loads the graph.
- ``bazary_catalog.W025``: ``IMPORT_IMAGE_MAX_BYTES`` is above ``IMAGE_MAX_BYTES``:
  a downloaded image goes through the upload checks, so one over
  ``IMAGE_MAX_BYTES`` is refused after its download anyway.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.apps import apps
from django.core.checks import CheckMessage, Error, Warning, register
from django.db.migrations.exceptions import BadMigrationError, CircularDependencyError, NodeNotFoundError
from django.db.migrations.graph import MigrationGraph
from django.db.migrations.loader import MigrationLoader

from .migration_order import Node, ancestors, cycles_through, newest_without, referenced_models

LABEL = "bazary_catalog"


def _comes_after(graph: MigrationGraph, key: Node, node: Node) -> bool:
    return key in ancestors(graph, node)


@register("bazary")
def check_migration_order(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    # Only a swapped model can make the catalog's migrations depend on another app.
    swapped = sorted(
        {
            model._meta.swapped.rpartition(".")[0]
            for model in apps.get_app_config(LABEL).get_models(include_swapped=True)
            if model._meta.swapped
        }
    )
    if not swapped:
        return []
    loader = MigrationLoader(None, ignore_no_migrations=True, load=False)
    try:
        loader.build_graph()
    except CircularDependencyError:
        pass  # the graph is complete, only cyclic: what this check explains
    except (BadMigrationError, NodeNotFoundError):
        return []  # not an ordering problem; migrate reports it as it is
    graph = loader.graph
    errors: list[CheckMessage] = []
    for app_label in swapped:
        for path, key, dependency, closing in cycles_through(graph, app_label, LABEL):
            migration = graph.nodes[key]
            declared = dependency in migration.dependencies
            written = repr(dependency) if declared else f"the dependency that resolves to {dependency!r}"
            models = {m for m in referenced_models(migration) if m[0] == LABEL}
            fix = newest_without(graph, LABEL, partial(_comes_after, graph, key), models)
            if fix:
                hint = (
                    f"Change {written} to {', '.join(map(repr, fix))} (the newest {LABEL} migrations that do not "
                    f"need {app_label}'s models), as bazary's makemigrations writes it. If makemigrations wrote this "
                    "file, another app's makemigrations command replaces bazary's: give it "
                    "autodetector = bazary.catalog.migration_order.SwapSafeAutodetector."
                )
            else:
                hint = (
                    f"{key[0]}.{key[1]} refers to {LABEL} models that exist only after {LABEL} migrations that need "
                    f"it: move those references to a later migration of {app_label}."
                )
            errors.append(
                Error(
                    f"{path} depends on {written}, which comes after {key[0]}.{key[1]} "
                    f"({closing[0]}.{closing[1]} depends on it): migrate cannot order them.",
                    hint=hint,
                    id=f"{LABEL}.E020",
                )
            )
    return errors


@register("bazary")
def check_import_image_cap(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from .conf import catalog_settings

    download, upload = catalog_settings.raw("IMPORT_IMAGE_MAX_BYTES"), catalog_settings.raw("IMAGE_MAX_BYTES")
    # A value of the wrong type is the settings checks' E003.
    if not isinstance(download, int) or not isinstance(upload, int) or download <= upload:
        return []
    return [
        Warning(
            f"BAZARY_CATALOG['IMPORT_IMAGE_MAX_BYTES'] ({download}) is above IMAGE_MAX_BYTES ({upload}): an imported "
            "image over IMAGE_MAX_BYTES is downloaded, then refused by the image checks.",
            hint="Set IMPORT_IMAGE_MAX_BYTES at most to IMAGE_MAX_BYTES (or raise IMAGE_MAX_BYTES).",
            id=f"{LABEL}.W025",
        )
    ]
