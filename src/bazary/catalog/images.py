"""Image upload validation for the catalog, with its caps (``IMAGE_MAX_BYTES``, ``IMAGE_MAX_PIXELS``).

The check itself lives in :mod:`bazary.core.images`, shared with accounts' avatars.
"""

from __future__ import annotations

from typing import Any

from bazary.core.images import ALLOWED_FORMATS, EXTENSIONS, CheckedImage, name_for_format
from bazary.core.images import check_image_file as check_image

from .conf import catalog_settings

__all__ = [
    "ALLOWED_FORMATS",
    "EXTENSIONS",
    "CheckedImage",
    "check_image_file",
    "name_for_format",
    "validate_image_file",
]


def check_image_file(upload: Any) -> CheckedImage:
    """:func:`bazary.core.images.check_image_file` with the catalog's caps: the format and size Pillow read."""
    return check_image(upload, max_bytes=catalog_settings.IMAGE_MAX_BYTES, max_pixels=catalog_settings.IMAGE_MAX_PIXELS)


def validate_image_file(upload: Any) -> str:
    """:func:`check_image_file`, returning Pillow's format name alone."""
    return check_image_file(upload).format
