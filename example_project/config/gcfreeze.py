"""Keep Django's long-lived objects out of the garbage collector's full passes.

A full (generation 2) collection walks every tracked object: the ~190k that
Django, DRF, botocore and bazary load and keep for the life of a worker. In a
gunicorn worker that is a ~90 ms pause every dozen or so requests of a search
(measured: docs/performance.md). ``gc.freeze()`` moves what exists to a
permanent generation that collections skip. What is loaded lazily (views on
the first request, the S3 client on the first image URL, ...) is caught by
freezing again after a few early requests, each time after a collection so no
garbage is frozen with it.
"""

import gc

from django.core.signals import request_finished
from django.urls import get_resolver

#: Freeze again once this many requests have been served by the process.
AFTER_REQUESTS = (1, 10, 100)

DISPATCH_UID = "config_gcfreeze"
_served = 0


def freeze() -> None:
    gc.collect()
    gc.freeze()


def _request_finished(**kwargs: object) -> None:
    global _served
    _served += 1
    if _served in AFTER_REQUESTS:
        freeze()
    if _served >= AFTER_REQUESTS[-1]:
        request_finished.disconnect(dispatch_uid=DISPATCH_UID)


def install() -> None:
    """Import every view, freeze, and freeze again after the early requests."""
    get_resolver().url_patterns  # noqa: B018 (imports the views)
    freeze()
    request_finished.connect(_request_finished, dispatch_uid=DISPATCH_UID)
