"""Migration order with swapped models: the dependency rule of bazary's
``makemigrations`` and the cycle that ``bazary_catalog.E020`` reports.

A swapped product (``shop.Product``) refers to bazary_catalog's tags (and
categories), and bazary_catalog's migrations that refer to the product (0003
onward) depend on the product's app (``swapper.dependency``, i.e.
``("shop", "__first__")``). Django's autodetector makes a new migration depend
on the *latest* migration of an app that already has migrations
(``graph.leaf_nodes(app)[0]``), so ``shop.0001_initial`` would depend on
bazary_catalog's last migration, which comes after ``shop.0001_initial``: a
cycle that ``makemigrations`` cannot see (the loader drops a ``__first__``
dependency on an app with no migrations yet) and ``migrate`` refuses.

The rule, for each dependency of a new migration of app A on a migration N of
another app B: if N would come after that new migration (one of N's ancestors
declares ``(A, "__first__")`` while A has no migrations, or ``(A,
"__latest__")``), depend instead on the newest migrations of B that would not
(the leaves of the part of B's graph that does not wait for A), provided
their state already has every model of B the new migration refers to.
Otherwise the cycle is real: the dependency is left as Django wrote it and
the check reports it.

Second rule, for a model that is not swapped: Django writes a relation to a
swappable model as ``swappable_dependency(settings.X)``, which means the first
migration of the model's app; bazary_catalog's Category and Product are not in
its first migration, so a project's model with a foreign key to them would
be created before them. When the dependencies do not reach a model the new
migration refers to, the newest migrations of that app that have it are added.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.db.migrations import CreateModel, Migration
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.graph import MigrationGraph
from django.db.migrations.utils import resolve_relation

Node = tuple[str, str]


def ancestors(graph: MigrationGraph, node: Node) -> set[Node]:
    """``node`` and every migration it comes after (also in a cyclic graph)."""
    seen: set[Node] = set()
    stack = [node]
    while stack:
        key = stack.pop()
        if key not in seen and key in graph.node_map:
            seen.add(key)
            stack.extend(parent.key for parent in graph.node_map[key].parents)
    return seen


def referenced_models(migration: Migration) -> set[Node]:
    """``(app_label, model_name)`` of every model the operations refer to
    (relations, their ``through`` models, model bases)."""
    targets: list[Any] = []
    for operation in migration.operations:
        fields = [field for _, field in operation.fields] if isinstance(operation, CreateModel) else []
        if getattr(operation, "field", None) is not None:  # AddField, AlterField
            fields.append(operation.field)  # type: ignore[attr-defined]
        for field in fields:
            if field.remote_field is not None:
                targets += [field.remote_field.model, getattr(field.remote_field, "through", None)]
        if isinstance(operation, CreateModel):
            targets += [base for base in operation.bases or () if isinstance(base, str) or hasattr(base, "_meta")]
    return {resolve_relation(target, migration.app_label) for target in targets if target}


def newest_without(
    graph: MigrationGraph, app_label: str, waits: Callable[[Node], bool], models: Iterable[Node]
) -> list[Node] | None:
    """The newest migrations of ``app_label`` for which ``waits`` is false, if
    their state has all ``models``; None when there are none or they lack one."""
    safe = {key for key in graph.nodes if key[0] == app_label and not waits(key)}
    newest = sorted(key for key in safe if not any(child.key in safe for child in graph.node_map[key].children))
    if not newest:
        return None
    state = graph.make_state(nodes=newest, at_end=True)
    return newest if set(models) <= set(state.models) else None


def waits_for_new_migration(graph: MigrationGraph, node: Node, app_label: str) -> bool:
    """Whether ``node`` would come after a migration not yet written for
    ``app_label``: a dependency the loader could not resolve yet."""
    migrated = {key[0] for key in graph.nodes}
    for key in ancestors(graph, node):
        for dep_app, dep_name in graph.nodes[key].dependencies:  # type: ignore[union-attr]
            if dep_app == app_label and (
                dep_name == "__latest__" or (dep_name == "__first__" and app_label not in migrated)
            ):
                return True
    return False


def reorder_dependencies(graph: MigrationGraph, migration: Migration) -> list[Node]:
    """``migration.dependencies`` with the rule of this module applied."""
    models = referenced_models(migration)

    def waits(key: Node) -> bool:
        return waits_for_new_migration(graph, key, migration.app_label)

    dependencies: list[Node] = []
    for dependency in migration.dependencies:
        app_label = dependency[0]
        replacement = None
        if dependency in graph.nodes and app_label != migration.app_label and waits(dependency):
            replacement = newest_without(graph, app_label, waits, {m for m in models if m[0] == app_label})
        for key in replacement or [dependency]:
            if key not in dependencies:
                dependencies.append(key)
    # A swappable dependency means the first migration of the model's app,
    # which may not create it (bazary_catalog's Category is in 0002, Product in
    # 0003): add the newest migrations of that app that do.
    for app_label in sorted({m[0] for m in models} - {migration.app_label}):
        reached = [key for key in map(partial(_resolve, graph), dependencies) if key and key[0] == app_label]
        wanted = {m for m in models if m[0] == app_label}
        if reached and not wanted <= set(graph.make_state(nodes=reached, at_end=True).models):
            for key in newest_without(graph, app_label, waits, wanted) or []:
                if key not in dependencies:
                    dependencies.append(key)
    return dependencies


def _resolve(graph: MigrationGraph, dependency: Node) -> Node | None:
    """The migration a dependency of a new migration will mean once written."""
    if dependency in graph.nodes:
        return dependency
    if dependency[0] == "__setting__":  # written as swappable_dependency(): (app, "__first__")
        app_label = str(getattr(settings, dependency[1], "")).rpartition(".")[0]
        roots = graph.root_nodes(app_label)
        return roots[0] if roots else None
    return None


class SwapSafeAutodetector(MigrationAutodetector):
    """Django's autodetector, then :func:`reorder_dependencies` on every new
    migration. bazary's ``makemigrations`` uses it; a project with its own
    ``makemigrations`` command sets ``autodetector = SwapSafeAutodetector``."""

    def changes(self, graph, trim_to_apps=None, convert_apps=None, migration_name=None):  # type: ignore[no-untyped-def]
        changes = super().changes(graph, trim_to_apps, convert_apps, migration_name)
        for migrations in changes.values():
            for migration in migrations:
                migration.dependencies = reorder_dependencies(graph, migration)  # type: ignore[misc]
        return changes


def cycles_through(graph: MigrationGraph, app_label: str, other: str) -> Iterable[tuple[str, Node, Node, Node]]:
    """Each dependency of a migration of ``app_label`` on a migration of
    ``other`` that comes after it: ``(file, migration, dependency, the
    migration of other that depends on it)``."""
    for key in sorted(k for k in graph.nodes if k[0] == app_label):
        for parent in sorted(p.key for p in graph.node_map[key].parents if p.key[0] == other):
            before = ancestors(graph, parent)
            if key in before:
                # The migration that closes the cycle (of ``other`` when there is one).
                closing = [k for k in before if key in {p.key for p in graph.node_map[k].parents}]
                needs = min(closing, key=lambda k: (k[0] != other, k))
                module = sys.modules.get(type(graph.nodes[key]).__module__)
                yield getattr(module, "__file__", None) or f"{key[0]}.{key[1]}", key, parent, needs
