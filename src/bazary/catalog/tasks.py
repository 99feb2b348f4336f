"""The catalog's background tasks. Enqueue through
:func:`bazary.core.tasks.enqueue` (after the response with an in-process backend)."""

from __future__ import annotations

from bazary.core.tasks import task


@task()
def run_import_job(job_id: str) -> str:
    """Run the product import of ``ImportJob`` ``job_id``; returns its status."""
    from .imports import run

    return run(job_id)
