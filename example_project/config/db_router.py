"""Reads to a replica, writes to the primary (``DATABASE_REPLICA_URL``).

Only web requests read from the ``replica`` database, and only until they
write: from a request's first write on (and inside any transaction on the
primary) its reads go to the primary, so a request always reads its own writes
and ``select_for_update`` stays on the primary. Everything outside a request
(task workers, management commands, migrations) uses the primary only: such
code often opens a transaction on ``queryset.db`` and then locks rows.
:class:`PinPrimaryMiddleware` marks the start of each request.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponse

_replica_allowed: ContextVar[bool] = ContextVar("bazary_example_replica_allowed", default=False)

PRIMARY = "default"
REPLICA = "replica"


class PrimaryReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str:
        if _replica_allowed.get() and not connections[PRIMARY].in_atomic_block:
            return REPLICA
        return PRIMARY

    def db_for_write(self, model: Any, **hints: Any) -> str:
        _replica_allowed.set(False)
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two connections

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


class PinPrimaryMiddleware:
    """A request may read from the replica until it writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _replica_allowed.set(True)
        try:
            return self.get_response(request)
        finally:
            _replica_allowed.reset(token)
