"""The images of an export (``bazary_export_products``, ``products/export/``),
in the import's own format: each product's ``images`` as ``{url, alt_text,
position}`` and each variant's ``image`` (the URL of the first of its
images), so that importing the file into another shop downloads them.

The URLs are the stored files' ``storage.url()``: an absolute URL (S3, a
CDN) is written as it is; a relative one (``FileSystemStorage``'s
``/media/...``) is made absolute by :class:`ImageURLs` with the request
(the HTTP export) or a base URL (the command's ``--base-url``), and written
as the storage gives it when there is neither.

On the import side, a URL that is one of the product's own stored files
(the same path as its ``storage.url()``) is that image
(:func:`bazary.catalog.importimages.own_file_key`): importing an export
back into the shop it came from downloads nothing and adds no image.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

from .models import ProductImage


def is_absolute(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme and parts.netloc)


class ImageURLs:
    """A stored file's name to the URL an export writes (see the module's
    docstring). ``absolute``: makes a relative URL absolute (the request's
    ``build_absolute_uri``); else ``base_url`` is joined to it. :attr:`relative`
    counts the URLs written relative (neither given)."""

    def __init__(self, *, base_url: str | None = None, absolute: Callable[[str], str] | None = None) -> None:
        self.storage = ProductImage._meta.get_field("image").storage  # type: ignore[attr-defined]
        self.base_url, self.absolute = base_url, absolute
        self.relative = 0

    def __call__(self, name: str) -> str:
        url = self.storage.url(name)
        if is_absolute(url):
            return url
        if self.absolute is not None:
            return self.absolute(url)
        if self.base_url:
            return urljoin(self.base_url, url)
        self.relative += 1
        return url


def image_rows(product: Any, urls: ImageURLs) -> tuple[list[dict[str, Any]], dict[Any, str]]:
    """The product's ``images`` (from its prefetched images, by position)
    and their URLs by primary key (for the variants' ``image``)."""
    rows: list[dict[str, Any]] = []
    by_pk: dict[Any, str] = {}
    for image in product.images.all():
        url = by_pk[image.pk] = urls(image.image.name)
        rows.append({"url": url, "alt_text": image.alt_text, "position": image.position})
    return rows, by_pk


def variant_image(variant: Any, by_pk: dict[Any, str]) -> str:
    """The URL of the variant's first image (by position; its prefetched
    links), or ``""``: the import's variant ``image`` is one URL."""
    linked = sorted((link.position, link.pk) for link in variant.images.all() if link.pk in by_pk)
    return by_pk[linked[0][1]] if linked else ""
