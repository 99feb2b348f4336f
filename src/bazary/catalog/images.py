"""Image upload validation: by content (Pillow), not by name or content type."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image

from .conf import catalog_settings

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")


def validate_image_file(upload: Any) -> None:
    """Reject files over ``IMAGE_MAX_BYTES`` and anything Pillow does not read
    as a JPEG, PNG, WebP or GIF (a renamed PDF, a truncated file, a
    decompression bomb)."""
    limit = catalog_settings.IMAGE_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The image is larger than %(limit)s.") % {"limit": filesizeformat(limit)}, code="file_too_large"
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
        # verify() leaves the image unusable; load() on a fresh handle catches
        # truncated pixel data that verify() does not read.
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
    except Exception as exc:  # Pillow raises many types for a bad file
        raise ValidationError(
            _("Upload a valid image: the file is corrupt or not an image."), code="invalid_image"
        ) from exc
    finally:
        upload.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            _("Unsupported image type %(format)s; use JPEG, PNG, WebP or GIF.") % {"format": image_format},
            code="invalid_image_type",
        )
