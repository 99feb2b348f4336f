"""The nested category tree, built in one query and cached.

The cache key carries a version (the time of the last change) that any
category save or delete bumps, so every process sharing the cache (Redis) sees
a change at once; the version doubles as the tree's Last-Modified. The version
is bumped again when the write commits (see :func:`invalidate_tree`).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .conf import catalog_settings
from .models import get_category_model

TREE_KEY = "bazary:catalog:tree:{active_only}:{version}"
VERSION_KEY = "bazary:catalog:tree-version"


def tree_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = f"{time.time():.6f}"
        # add(): two processes racing here agree on one version.
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def _bump_version() -> None:
    current = cache.get(VERSION_KEY)
    now = time.time()
    if current is not None:
        # Strictly newer than the version a reader may have cached a tree under.
        now = max(now, float(current) + 0.000001)
    cache.set(VERSION_KEY, f"{now:.6f}", None)


def invalidate_tree(using: str | None = None, **kwargs: Any) -> None:
    """Bump the version now, and again once the write commits: a reader that
    rebuilt the tree in between saw the old rows (the write was not committed
    yet) and cached them under the first new version; the second one leaves
    that stale tree behind."""
    _bump_version()
    transaction.on_commit(_bump_version, using=using)


def connect_cache_invalidation() -> None:
    model = get_category_model()
    post_save.connect(invalidate_tree, sender=model, dispatch_uid="bazary_catalog_tree_save")
    post_delete.connect(invalidate_tree, sender=model, dispatch_uid="bazary_catalog_tree_delete")


def build_tree(active_only: bool) -> list[dict[str, Any]]:
    """One query: every category, nested under its parent in Python."""
    qs: Any = get_category_model()._default_manager.order_by("position", "name")
    if active_only:
        qs = qs.filter(is_active=True)
    rows = list(qs.values("id", "slug", "name", "parent_id", "position"))
    nodes = {row["id"]: {"id": row["id"], "slug": row["slug"], "name": row["name"], "children": []} for row in rows}
    roots = []
    for row in rows:
        node = nodes[row["id"]]
        parent = nodes.get(row["parent_id"]) if row["parent_id"] else None
        if parent is not None:
            parent["children"].append(node)
        elif row["parent_id"] is None:
            roots.append(node)
        # A child of an inactive (hidden) parent stays hidden with it.
    return roots


def cached_tree(active_only: bool) -> tuple[list[dict[str, Any]], float]:
    """``(tree, timestamp of the last category change)``."""
    version = tree_version()
    key = TREE_KEY.format(active_only=int(active_only), version=version)
    tree = cache.get(key)
    if tree is None:
        tree = build_tree(active_only)
        cache.set(key, tree, catalog_settings.TREE_CACHE_TIMEOUT)
    return tree, float(version)
