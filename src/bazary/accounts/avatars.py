"""Avatars: checked by content, stored under a fresh random name, the old file deleted after commit.

Uploads are checked by :mod:`bazary.core.images` (the check the catalog's
product images get) with ``AVATAR_MAX_BYTES`` and ``AVATAR_MAX_PIXELS``.
A replaced or removed avatar's file is deleted only once the transaction that
replaced it has committed (``transaction.on_commit``): a rolled-back change
keeps the file its row still names.
"""

from __future__ import annotations

import os
import uuid
from functools import partial
from typing import Any

from django.db import transaction

from bazary.core.images import name_for_format, validate_image_file

UPLOAD_DIR = "bazary/accounts/avatars"


def avatar_path(instance: Any, filename: str) -> str:
    """A fresh, unguessable name per upload: never the user's file name, never their id,
    and never a name another upload had (storages such as S3 overwrite by default)."""
    extension = os.path.splitext(filename)[1].lower()[:10]
    return f"{UPLOAD_DIR}/{uuid.uuid4().hex}{extension}"


def validate_avatar(upload: Any) -> Any:
    """Check ``upload`` (ValidationError if refused) and name it after its real format."""
    from .conf import accounts_settings

    image_format = validate_image_file(
        upload, max_bytes=accounts_settings.AVATAR_MAX_BYTES, max_pixels=accounts_settings.AVATAR_MAX_PIXELS
    )
    upload.name = name_for_format(upload.name, image_format)
    return upload


def _storage(user: Any) -> Any:
    return type(user)._meta.get_field("avatar").storage


def _locked_avatar_name(user: Any) -> str:
    """The avatar the database holds now, the user's row locked: two concurrent
    uploads each delete the file the other replaced, never one still in use."""
    manager = type(user)._default_manager
    return manager.select_for_update().filter(pk=user.pk).values_list("avatar", flat=True).first() or ""


def delete_after_commit(user: Any, name: str) -> None:
    """Delete the stored file ``name`` once the current transaction commits."""
    if name:
        transaction.on_commit(partial(_storage(user).delete, name))


def set_avatar(user: Any, upload: Any) -> None:
    """Store ``upload`` (already :func:`validate_avatar`-checked) as ``user``'s avatar."""
    try:
        with transaction.atomic():
            old = _locked_avatar_name(user)
            user.avatar = upload
            user.save(update_fields=["avatar"])  # the storage saves the file here, under avatar_path()
            delete_after_commit(user, old)
    except Exception:
        # Nothing half-done: a file stored before the failure goes too.
        stored = getattr(user, "avatar", None)
        if stored and stored.name and getattr(stored, "_committed", False):
            stored.storage.delete(stored.name)
        raise


def remove_avatar(user: Any) -> None:
    with transaction.atomic():
        old = _locked_avatar_name(user)
        user.avatar = ""
        user.save(update_fields=["avatar"])
        delete_after_commit(user, old)
