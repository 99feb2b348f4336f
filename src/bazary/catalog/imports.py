"""Product imports uploaded over HTTP (``POST products/import/``), run by a
background task through bazary's Tasks layer (:mod:`bazary.core.tasks`).

The upload is checked in the request (size, UTF-8 text, no NUL), stored
through the default storage, and an :class:`~bazary.catalog.models.ImportJob`
records it. The task (:func:`run`) then imports the file with
:func:`bazary.catalog.transfer.import_products`: every row is validated first
(progress ``validating``, saved on the job as it goes), the images the rows
name are downloaded (progress ``images``: URLs done of all, in the cache),
and only a file without a bad row is written, in one transaction (progress
``writing``, kept in the cache since the job's row is inside that
transaction until it commits). A failed job has changed nothing; its errors carry the line numbers.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .models import ImportJob
from .transfer import import_products

logger = logging.getLogger(__name__)

FORMATS = ("csv", "json", "shopify")
#: Errors kept on a job: a hostile file cannot fill the database with them.
MAX_STORED_ERRORS = 1000
PROGRESS_KEY = "bazary:catalog:import:{id}:progress"
#: Rows between two progress saves.
PROGRESS_EVERY = 1000


class UnreadableFile(ValueError):
    """Not text this import can read (bad encoding, NUL characters)."""


def decode(content: bytes) -> str:
    """The upload as text: UTF-8 (with or without a byte-order mark), no NUL."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"The file is not UTF-8 text (byte {exc.start}).") from exc
    if "\x00" in text:
        raise UnreadableFile("The file contains NUL characters.")
    return text


def progress_of(job: ImportJob) -> dict[str, Any]:
    """``{"phase", "done", "total"}`` of a job, live while it runs."""
    if job.status == ImportJob.Status.RUNNING:
        live = cache.get(PROGRESS_KEY.format(id=job.pk))
        if live:
            return live
        return {"phase": "validating", "done": job.processed_rows, "total": job.total_rows}
    phase = "done" if job.status == ImportJob.Status.SUCCEEDED else job.status
    return {"phase": phase, "done": job.processed_rows, "total": job.total_rows}


def run(job_id: str) -> str:
    """Run a pending job once (a second call, or a job already taken by
    another worker, does nothing); returns the job's final status."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job.status
    try:
        with job.file.open("rb") as handle:
            text = decode(handle.read())
        status = _import(job, text)
    except (UnreadableFile, ValueError) as exc:
        status = _finish(job, ImportJob.Status.FAILED, errors=[{"line": None, "errors": [str(exc)]}])
    except Exception:
        logger.exception("Import job %s failed", job.pk)
        status = _finish(
            job, ImportJob.Status.FAILED, errors=[{"line": None, "errors": ["The import failed; nothing was written."]}]
        )
    finally:
        cache.delete(PROGRESS_KEY.format(id=job.pk))
        # The upload is not kept once read (the job keeps its name).
        if job.file.name:
            job.file.storage.delete(job.file.name)
    return status


def _import(job: ImportJob, text: str) -> str:
    total = _count_rows(text, job.format)
    ImportJob.objects.filter(pk=job.pk).update(total_rows=total)
    job.total_rows = total
    key = PROGRESS_KEY.format(id=job.pk)
    validated = {"n": 0}

    def on_row() -> None:
        # Validation runs outside the write transaction: saved on the job.
        validated["n"] += 1
        if validated["n"] % PROGRESS_EVERY == 0:
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=validated["n"])

    def on_images(done: int, total: int) -> None:
        cache.set(key, {"phase": "images", "done": done, "total": total}, 24 * 3600)

    def on_start(rows: int) -> Any:
        written = {"n": 0}
        cache.set(key, {"phase": "writing", "done": 0, "total": rows}, 24 * 3600)

        def advance(n: int) -> None:
            written["n"] += n
            cache.set(key, {"phase": "writing", "done": written["n"], "total": rows}, 24 * 3600)

        return advance

    report = import_products(
        io.StringIO(text, newline=""), job.format, user=job.user, on_start=on_start, on_row=on_row, on_images=on_images
    )
    if report.errors:
        errors = [{"line": line, "errors": detail} for line, detail in report.errors[:MAX_STORED_ERRORS]]
        if len(report.errors) > MAX_STORED_ERRORS:
            errors.append({"line": None, "errors": [f"{len(report.errors) - MAX_STORED_ERRORS} more bad rows."]})
        return _finish(job, ImportJob.Status.FAILED, errors=errors, processed=validated["n"])
    return _finish(
        job,
        ImportJob.Status.SUCCEEDED,
        processed=total,
        created=report.created,
        updated=report.updated,
    )


def _count_rows(text: str, fmt: str) -> int:
    from .transfer import read_rows

    return sum(1 for _ in read_rows(io.StringIO(text, newline=""), fmt))


def _finish(
    job: ImportJob,
    status: str,
    *,
    errors: list[Any] | None = None,
    processed: int | None = None,
    created: int = 0,
    updated: int = 0,
) -> str:
    fields: dict[str, Any] = {
        "status": status,
        "finished_at": timezone.now(),
        "errors": errors or [],
        "created_count": created,
        "updated_count": updated,
    }
    if processed is not None:
        fields["processed_rows"] = processed
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(**fields)
    return status
