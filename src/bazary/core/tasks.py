"""Django's Tasks API on every supported Django, and :func:`enqueue`.

Django 6 ships it as ``django.tasks``; on Django 5.2 the ``django-tasks``
backport provides the same API. bazary code imports ``task`` and friends from
here only, and enqueues through :func:`enqueue`.

With no ``TASKS`` setting both run tasks immediately, in process: called in a
view, a task that sends mail would make the client wait on SMTP (and tell it, by
the time the answer takes, that there was mail to send). :func:`enqueue` keeps
that out of the request: during a request, a task for an in-process (immediate)
backend runs once the response has been sent, when Django's
``request_finished`` signal fires (WSGI servers close the response after
writing its body; Django's ASGI handler after sending it). Outside a request
(a worker, a management command, a shell) it runs at once. Backends that run
tasks elsewhere (database, RQ...) get the task at once, as usual.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import connections

try:  # Django >= 6.0
    from django.tasks import (
        TaskResultStatus,
        default_task_backend,
        task,
        task_backends,
    )
    from django.tasks.backends.immediate import ImmediateBackend
except ImportError:  # Django 5.2: the backport
    from django_tasks import (  # type: ignore[no-redef,assignment]
        TaskResultStatus,
        default_task_backend,
        task,
        task_backends,
    )
    from django_tasks.backends.immediate import ImmediateBackend  # type: ignore[no-redef,assignment]

__all__ = ["TaskResultStatus", "default_task_backend", "enqueue", "runs_in_request", "task", "task_backends"]

logger = logging.getLogger(__name__)

#: The tasks waiting for the end of the current request; None outside a request.
_after_response: contextvars.ContextVar[list[Callable[[], Any]] | None] = contextvars.ContextVar(
    "bazary_tasks_after_response", default=None
)


def runs_in_request(backend: Any) -> bool:
    """Whether ``backend`` would run a task inside the current request (an immediate backend, in one)."""
    return isinstance(backend, ImmediateBackend) and _after_response.get() is not None


def enqueue(task: Any, *args: Any, **kwargs: Any) -> Any:
    """``task.enqueue(*args, **kwargs)``, after the response when the backend would run it in the request.

    Returns the ``TaskResult``, or None when the run waits for the end of the request.
    """
    pending = _after_response.get()
    if pending is not None and isinstance(task.get_backend(), ImmediateBackend):
        pending.append(lambda: task.enqueue(*args, **kwargs))
        return None
    return task.enqueue(*args, **kwargs)


def _start(**kwargs: Any) -> None:
    _after_response.set([])


def _finish(**kwargs: Any) -> None:
    pending = _after_response.get()
    _after_response.set(None)  # tasks these tasks enqueue run at once
    if not pending:
        return
    for run in pending:
        try:
            run()
        except Exception:  # one task must not keep the others (or the server) from finishing
            logger.exception("A task deferred to the end of the request failed to run.")
    # Django closed the request's connections before this receiver ran; close the
    # ones the tasks opened the same way (never one inside a transaction, as tests hold).
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


request_started.connect(_start, dispatch_uid="bazary.core.tasks.start")
request_finished.connect(_finish, dispatch_uid="bazary.core.tasks.finish")
