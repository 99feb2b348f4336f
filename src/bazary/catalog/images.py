"""Image upload validation for the catalog, with its caps (``IMAGE_MAX_BYTES``, ``IMAGE_MAX_PIXELS``).

The check itself lives in :mod:`bazary.core.images`, shared with accounts' avatars.
"""

from __future__ import annotations

from typing import Any

from bazary.core.images import ALLOWED_FORMATS, EXTENSIONS, name_for_format
from bazary.core.images import validate_image_file as validate_image

from .conf import catalog_settings

__all__ = ["ALLOWED_FORMATS", "EXTENSIONS", "name_for_format", "validate_image_file"]


def validate_image_file(upload: Any) -> str:
    """:func:`bazary.core.images.validate_image_file` with the catalog's caps; returns Pillow's format name."""
    return validate_image(
        upload, max_bytes=catalog_settings.IMAGE_MAX_BYTES, max_pixels=catalog_settings.IMAGE_MAX_PIXELS
    )
