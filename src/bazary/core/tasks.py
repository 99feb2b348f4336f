"""Django's Tasks API on every supported Django.

Django 6 ships it as ``django.tasks``; on Django 5.2 the ``django-tasks``
backport provides the same API. bazary code imports ``task`` and friends from
here only. With no ``TASKS`` setting both run tasks immediately, in process.
"""

from __future__ import annotations

try:  # Django >= 6.0
    from django.tasks import (
        TaskResultStatus,
        default_task_backend,
        task,
        task_backends,
    )
except ImportError:  # Django 5.2: the backport
    from django_tasks import (  # type: ignore[no-redef,assignment]
        TaskResultStatus,
        default_task_backend,
        task,
        task_backends,
    )

__all__ = ["TaskResultStatus", "default_task_backend", "task", "task_backends"]
