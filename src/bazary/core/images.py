"""Image upload checks shared by the apps: by content (Pillow), not by name or content type.

The catalog (product and category images) and accounts (avatars) check their
uploads here, each with its own byte and pixel caps.
"""

from __future__ import annotations

import os
import warnings
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from PIL import Image

#: Pillow's format names accepted, each with the extension a file of it is stored under.
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
ALLOWED_FORMATS = tuple(EXTENSIONS)


def _too_many_pixels(max_pixels: int, width: int | None = None, height: int | None = None) -> ValidationError:
    limit = number_format(max_pixels, force_grouping=True)
    if width is None or height is None:
        message = _("The image has too many pixels: at most %(limit)s are accepted.") % {"limit": limit}
    else:
        message = _("The image is %(width)sx%(height)s pixels: at most %(limit)s pixels are accepted.") % {
            "width": width,
            "height": height,
            "limit": limit,
        }
    return ValidationError(message, code="too_many_pixels")


class CheckedImage(NamedTuple):
    """What :func:`check_image_file` read from an accepted image."""

    #: Pillow's name of the format (``"PNG"``), a key of :data:`EXTENSIONS`.
    format: str
    width: int
    height: int


def check_image_file(upload: Any, *, max_bytes: int, max_pixels: int) -> CheckedImage:
    """Reject files over ``max_bytes``, images of more than ``max_pixels``
    pixels and anything Pillow does not read as a JPEG, PNG, WebP or GIF (a
    renamed PDF, a truncated file); return the format and size Pillow read
    (the caller needs not open the file again for them).

    The pixel count comes from the header alone (``Image.open`` decodes
    nothing), so a decompression bomb (a small file of a huge image) is refused
    before any pixel is decoded; Pillow's own bomb warning counts as a refusal
    too (Pillow warns above ``PIL.Image.MAX_IMAGE_PIXELS``, 89 MP by default,
    and refuses twice that)."""
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("The image is larger than %(limit)s.") % {"limit": filesizeformat(max_bytes)}, code="file_too_large"
        )
    try:
        # record=True collects Pillow's bomb warning instead of printing it (a
        # refusal below); catch_warnings swaps the process's filters for the
        # duration, not the thread's: another thread's warnings may be recorded
        # here too, which can only refuse this upload, never accept one.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as image:  # reads the header only
                image_format = image.format
                width, height = image.size
                bomb = any(issubclass(w.category, Image.DecompressionBombWarning) for w in caught)
                if bomb or width * height > max_pixels:
                    raise _too_many_pixels(max_pixels, width, height)
                if image_format not in ALLOWED_FORMATS:
                    raise ValidationError(
                        _("Unsupported image type %(format)s; use JPEG, PNG, WebP or GIF.") % {"format": image_format},
                        code="invalid_image_type",
                    )
                image.verify()
            # verify() leaves the image unusable; load() on a fresh handle catches
            # truncated pixel data that verify() does not read.
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:  # over twice Pillow's limit: refused by open()
        raise _too_many_pixels(max_pixels) from exc
    except Exception as exc:  # Pillow raises many types for a bad file
        raise ValidationError(
            _("Upload a valid image: the file is corrupt or not an image."), code="invalid_image"
        ) from exc
    finally:
        upload.seek(0)
    return CheckedImage(str(image_format), width, height)


def validate_image_file(upload: Any, *, max_bytes: int, max_pixels: int) -> str:
    """:func:`check_image_file`, returning Pillow's name of the format alone (``"PNG"``)."""
    return check_image_file(upload, max_bytes=max_bytes, max_pixels=max_pixels).format


def name_for_format(filename: str | None, image_format: str) -> str:
    """``filename`` with the extension of the detected format: a PNG sent as
    ``photo.pdf`` is stored (and served) as a ``.png``."""
    stem = os.path.splitext(os.path.basename(filename or ""))[0] or "image"
    return f"{stem}{EXTENSIONS[image_format]}"
