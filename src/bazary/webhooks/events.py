"""The registry of event types, and :func:`send_event`.

Apps (and projects) declare the event types they send and register them,
usually in ``AppConfig.ready()``::

    from bazary.webhooks.events import EventType, registry

    registry.register(EventType("shop.invoice_issued", "An invoice was issued."))

and send one with :func:`bazary.webhooks.send_event`. Endpoints subscribe to
registered types only (or to ``"*"``, every type).

Events leave **after the transaction commits**: inside ``atomic()`` the event
waits for the commit (a rolled-back change sends nothing); outside one it is
sent at once. Within one transaction an event is sent once per ``key``
(``"product:42"``, say): a request that saves a row three times sends one
``product.updated``; a ``created`` absorbs later ``updated`` events of the same
key and a ``deleted`` replaces them. ``payload`` may be a callable, called at
commit time, so the event carries the committed state. An event that cannot
be stored after the commit is logged (``robust``), never turned into an error
of the change that was committed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

#: Every endpoint can receive it, whatever it subscribed to (``POST …/test/``).
PING = "ping"


@dataclass(frozen=True)
class EventType:
    #: Dotted, ``"<resource>.<what happened>"``: ``"product.created"``.
    code: str
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code or len(self.code) > 100 or " " in self.code:
            raise ValueError(
                f"An event type is a non-empty code without spaces (100 characters at most): {self.code!r}"
            )


class UnknownEventType(LookupError):
    """:func:`send_event` got a type nobody registered."""


class EventTypeRegistry:
    def __init__(self) -> None:
        self._types: dict[str, EventType] = {}

    def register(self, event_type: EventType) -> EventType:
        if not isinstance(event_type, EventType):
            raise TypeError(f"register() takes an EventType, not {type(event_type).__name__}.")
        self._types[event_type.code] = event_type
        return event_type

    def unregister(self, code: str) -> None:
        self._types.pop(code, None)

    def get(self, code: str) -> EventType:
        try:
            return self._types[code]
        except KeyError:
            raise UnknownEventType(f"No webhook event type {code!r} is registered.") from None

    def __contains__(self, code: object) -> bool:
        return code in self._types

    def __iter__(self) -> Iterator[EventType]:
        return iter(sorted(self._types.values(), key=lambda t: t.code))

    def __len__(self) -> int:
        return len(self._types)


#: The event types of this process. Fill it from ``AppConfig.ready()``.
registry = EventTypeRegistry()
registry.register(EventType(PING, "A test event sent with POST webhooks/endpoints/{id}/test/."))

Payload = dict[str, Any] | Callable[[], dict[str, Any] | None]


class _Pending:
    """One event waiting for the commit: the last word on one key."""

    def __init__(self, event_type: str, payload: Payload) -> None:
        self.event_type = event_type
        self.payload = payload
        # Django names a robust on_commit callback that failed by it.
        self.__qualname__ = f"bazary.webhooks.send_event({event_type!r})"

    def __call__(self) -> None:
        payload = self.payload() if callable(self.payload) else self.payload
        if payload is not None:  # a callable returns None when there is nothing left to tell
            from .deliveries import emit

            emit(self.event_type, payload)


def _merge(earlier: str, later: str) -> str | None:
    """The event type that stands for ``earlier`` then ``later`` on one key (None: nothing to send)."""
    first, _, first_action = earlier.rpartition(".")
    second, _, second_action = later.rpartition(".")
    if first != second:
        return later
    if first_action == "created" and second_action == "updated":
        return earlier
    if first_action == "created" and second_action == "deleted":
        return None  # created and gone in one transaction: nobody saw it
    return later


def send_event(event_type: str, payload: Payload, *, key: str | None = None, using: str = DEFAULT_DB_ALIAS) -> None:
    """Send ``event_type`` with ``payload`` (JSON-serialisable, or a callable
    returning it at commit time) to every active endpoint subscribed to it.

    After the current transaction commits, once per ``key`` in it (see the
    module's docstring); never in the request: deliveries go to the task
    backend. Raises :class:`UnknownEventType` for an unregistered type.
    """
    registry.get(event_type)
    connection = connections[using]
    if key is None or not connection.in_atomic_block:
        transaction.on_commit(_Pending(event_type, payload), using=using, robust=True)
        return
    pending: dict[str, _Pending] = connection.__dict__.setdefault("_bazary_webhooks_pending", {})
    existing = pending.get(key)
    # The callbacks still waiting for this transaction's commit (not those that
    # already ran, or whose savepoint rolled back and Django dropped them): one
    # pass over the queue, so N events in one transaction cost O(N) each, not O(N²).
    waiting = {id(entry[1]) for entry in connection.run_on_commit}
    if existing is not None and id(existing) in waiting:
        merged = _merge(existing.event_type, event_type)
        if merged is None:
            existing.payload = lambda: None
        elif merged == event_type:
            existing.event_type, existing.payload = event_type, payload
        return
    for stale in [k for k, p in pending.items() if id(p) not in waiting]:
        del pending[stale]
    entry = _Pending(event_type, payload)
    pending[key] = entry
    transaction.on_commit(entry, using=using, robust=True)
