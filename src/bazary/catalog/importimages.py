"""The product images an import file names (Shopify's ``Image Src`` and
``Variant Image``, the ``images`` of bazary's format), downloaded and stored.

The network never runs inside the import's write transaction (it holds
row locks on the products while it runs), so images come in two steps:

1. :func:`fetch`, after the rows are validated and before the transaction:
   every image URL a product does not have yet (an image keeps the URL it
   came from, ``ProductImage.source_url``, so a re-import of the same file
   downloads nothing again; nor does a URL of one of the product's own
   stored files, :func:`own_file_key`, as an export of this shop gives) is
   downloaded with :mod:`bazary.core.outbound`
   (resolved once, non-public addresses refused unless
   ``IMPORT_ALLOW_PRIVATE_NETWORKS``, the checked IP connected to, https
   only, TLS checked, at most ``IMPORT_IMAGE_MAX_BYTES`` read, each read
   within ``IMPORT_IMAGE_TIMEOUT``). A redirect is followed up to
   :data:`MAX_REDIRECTS` times (CDNs redirect), each hop through the same
   checks as the first request. The bytes then go through the checks of an
   uploaded product image (:func:`bazary.catalog.images.check_image_file`:
   decoded by Pillow, ``IMAGE_MAX_BYTES``, ``IMAGE_MAX_PIXELS``) and are
   stored under a fresh random name (``product_image_path``). A URL that
   fails is an error of every row naming it (with the row's line, as any
   other row error): then nothing is written and the files stored so far
   are deleted. A dry run downloads and checks the same URLs, reporting the
   same errors, and stores nothing (``fetch(..., store=False)``).
2. :class:`ImageWriter`, inside the transaction: one ``ProductImage`` per
   stored file, the alt text and position of images the product already
   had from the same URL updated, the first image made primary when the
   product has no primary image, and each variant's ``image`` linked.

If the transaction does not commit, :meth:`Fetched.discard` deletes every
stored file (see :func:`bazary.catalog.transfer.import_products`): a failed
import leaves no file behind.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urljoin, urlsplit

import urllib3
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bazary.core import outbound

from .conf import catalog_settings
from .images import CheckedImage, check_image_file, name_for_format
from .models import ProductImage, Variant, product_image_path

SETTING = "BAZARY_CATALOG['IMPORT_ALLOW_PRIVATE_NETWORKS']"
#: Redirects followed per image, each hop checked as the first request.
MAX_REDIRECTS = 3
REDIRECTS = (301, 302, 303, 307, 308)
#: Images downloaded at the same time.
WORKERS = 4


def is_shop_path(value: str) -> bool:
    """A root-relative URL (``/media/...``): a file of this shop, as an export
    writes the URLs of a storage that gives relative ones (see
    :mod:`bazary.catalog.exportimages`). It is never downloaded: it names one
    of the product's images (:func:`own_file_key`) or is a row error."""
    return value.startswith("/") and not value.startswith("//")


def own_file_key(url: str) -> str:
    """What identifies an image the product already has when the file names
    it by its own stored file (an export of this shop imported back, see
    :mod:`bazary.catalog.exportimages`): the path of the URL (stored names
    are random, so a path cannot name another product's file by chance)."""
    return "file:" + urlsplit(url).path


def held_keys(storage: Any, source_url: str, name: str) -> list[str]:
    """The URLs (or :func:`own_file_key`) that name an image the product has:
    the URL it was downloaded from, and its own file's URL."""
    keys = [source_url] if source_url else []
    if name:
        keys.append(own_file_key(storage.url(name)))
    return keys


NOT_OWN_FILE = gettext_lazy(
    "%(url)s is a relative URL, a file of this shop, and not one of this product's images. "
    "Export with absolute URLs (bazary_export_products --base-url) to import into another shop."
)


class DownloadError(Exception):
    """An image URL that gave no acceptable image (the message says why)."""


def check_url(url: str) -> None:
    """What no download may use, before any network access (a scheme other
    than https, credentials in the URL); raises :class:`outbound.Refused`."""
    outbound.check_url(url, allow_private=catalog_settings.IMPORT_ALLOW_PRIVATE_NETWORKS)


def download(url: str) -> bytes:
    """The body of ``url`` (following at most :data:`MAX_REDIRECTS`
    redirects), or :class:`DownloadError`."""
    max_bytes = catalog_settings.IMPORT_IMAGE_MAX_BYTES
    timeout = catalog_settings.IMPORT_IMAGE_TIMEOUT
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            response = outbound.request(
                "GET",
                current,
                headers={"Accept": "image/*"},
                allow_private=catalog_settings.IMPORT_ALLOW_PRIVATE_NETWORKS,
                setting=SETTING,
                timeout=timeout,
                max_body=max_bytes,
            )
        except outbound.Refused as exc:
            raise DownloadError(_("Refused to download %(url)s: %(reason)s") % {"url": current, "reason": exc}) from exc
        except (urllib3.exceptions.TimeoutError, TimeoutError) as exc:
            raise DownloadError(
                _("%(url)s did not answer within %(seconds)s seconds.") % {"url": current, "seconds": timeout}
            ) from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:  # connection refused or reset, TLS, DNS
            raise DownloadError(_("Could not download %(url)s: %(reason)s") % {"url": current, "reason": exc}) from exc
        if response.status in REDIRECTS:
            location = response.headers.get("location")
            if not location:
                raise DownloadError(_("%(url)s redirects without a Location.") % {"url": current})
            current = urljoin(current, location)
            continue
        if response.status != 200:
            raise DownloadError(_("%(url)s answered HTTP %(status)s.") % {"url": current, "status": response.status})
        if response.truncated:
            raise DownloadError(
                _("%(url)s is larger than %(limit)s.") % {"url": current, "limit": filesizeformat(max_bytes)}
            )
        return response.body
    raise DownloadError(_("%(url)s redirects more than %(count)s times.") % {"url": url, "count": MAX_REDIRECTS})


@dataclass(frozen=True)
class StoredImage:
    name: str
    width: int
    height: int


class Fetched:
    """The files :func:`fetch` stored, by ``(product SKU, URL)``."""

    def __init__(self) -> None:
        self.stored: dict[tuple[str, str], StoredImage] = {}
        self.storage = ProductImage._meta.get_field("image").storage  # type: ignore[attr-defined]

    def store(self, sku: str, url: str, data: bytes, checked: CheckedImage) -> None:
        stem = os.path.basename(urlsplit(url).path)
        name = self.storage.save(product_image_path(None, name_for_format(stem, checked.format)), ContentFile(data))
        self.stored[(sku, url)] = StoredImage(name, checked.width, checked.height)

    def discard(self) -> None:
        """Delete every stored file (the import did not commit)."""
        for stored in self.stored.values():
            self.storage.delete(stored.name)
        self.stored.clear()


def checked_image(url: str, data: bytes) -> CheckedImage:
    """The format and size of a downloaded file, read by the checks of an
    uploaded product image (the one time Pillow opens it), or :class:`DownloadError`."""
    try:
        return check_image_file(ContentFile(data))
    except ValidationError as exc:
        raise DownloadError(f"{url}: {' '.join(str(m) for m in exc.messages)}") from exc


def _attempt(url: str) -> bytes | DownloadError:
    try:
        return download(url)
    except DownloadError as exc:
        return exc


def fetch(
    rows: list[tuple[int, dict[str, Any]]],
    errors: list[tuple[int, Any]],
    progress: Callable[[int, int], None] | None = None,
    *,
    store: bool = True,
) -> Fetched:
    """Download and store the images of validated ``(line, row)`` pairs that
    their products do not have yet; a bad image is appended to ``errors``
    as ``(line, {"images": {index: [message]}})``, and once there is one,
    nothing more is stored (what was is discarded by the caller).
    ``progress(done, total)`` is called as URLs are done. ``store=False``
    (a dry run): every image is downloaded and checked the same way, with
    the same errors, and nothing is stored."""
    from .transfer import BATCH, chunked

    with_images = [(line, row) for line, row in rows if row.get("images")]
    fetched = Fetched()
    have: set[tuple[str, str]] = set()
    for chunk in chunked(with_images, BATCH):
        for sku, source_url, name in ProductImage.objects.filter(
            product__sku__in=[row["sku"] for _line, row in chunk]
        ).values_list("product__sku", "source_url", "image"):
            have.update((sku, key) for key in held_keys(fetched.storage, source_url, name))
    # A URL is downloaded once, however many products name it; each gets its own file.
    users: dict[str, list[tuple[int, str, int]]] = {}
    failed = False
    for line, row in with_images:
        for index, image in enumerate(row["images"]):
            sku, url = row["sku"], image["url"]
            if (sku, url) in have or (sku, own_file_key(url)) in have:
                continue
            if is_shop_path(url):
                # Relative: a file of this shop, never downloaded; not one of this product's.
                failed = True
                errors.append((line, {"images": {str(index): [str(NOT_OWN_FILE % {"url": url})]}}))
                continue
            users.setdefault(url, []).append((line, sku, index))
    urls = list(users)
    try:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            # A few at a time: at most that many bodies are held in memory.
            for start in range(0, len(urls), WORKERS * 2):
                batch = urls[start : start + WORKERS * 2]
                for url, outcome in zip(batch, pool.map(_attempt, batch), strict=True):
                    try:
                        if isinstance(outcome, DownloadError):
                            raise outcome
                        checked = checked_image(url, outcome)
                    except DownloadError as exc:
                        failed = True
                        for line, _sku, index in users[url]:
                            errors.append((line, {"images": {str(index): [str(exc)]}}))
                        continue
                    if store and not failed:
                        for _line, sku, _index in users[url]:
                            fetched.store(sku, url, outcome, checked)
                if progress:
                    progress(min(start + len(batch), len(urls)), len(urls))
    except BaseException:
        fetched.discard()
        raise
    return fetched


class ImageWriter:
    """The images of a batch of written rows (see the module's docstring)."""

    def __init__(self, fetched: Fetched) -> None:
        self.fetched = fetched

    def write(self, products: dict[str, Any], rows: list[dict[str, Any]], variants: dict[tuple[str, int], Any]) -> None:
        """``products``: SKU to the written product; ``variants``: ``(product
        SKU, index in the row's variants)`` to the written variant."""
        rows = [row for row in rows if row.get("images")]
        if not rows:
            return
        ids = {row["sku"]: products[row["sku"]].pk for row in rows}
        current: dict[tuple[Any, str], Any] = {}
        with_primary: set[Any] = set()
        for held in ProductImage.objects.filter(product_id__in=list(ids.values())).order_by("pk"):
            for key in held_keys(self.fetched.storage, held.source_url, held.image.name or ""):
                current.setdefault((held.product_id, key), held)
            if held.is_primary:
                with_primary.add(held.product_id)
        new: list[Any] = []
        changed: dict[Any, Any] = {}
        unused: list[str] = []
        placed: dict[tuple[Any, str], Any] = {}
        for row in rows:
            product_id = ids[row["sku"]]
            images = []
            for index, given in enumerate(row["images"]):
                url = given["url"]
                stored = self.fetched.stored.get((row["sku"], url))
                image = current.get((product_id, url)) or current.get((product_id, own_file_key(url)))
                position = given.get("position", index)
                if image is not None:
                    if stored is not None:
                        unused.append(stored.name)  # another import added it since the download
                    alt_text = given.get("alt_text", image.alt_text)
                    if (image.alt_text, image.position) != (alt_text, position):
                        image.alt_text, image.position = alt_text, position
                        changed[image.pk] = image
                elif stored is not None:
                    image = ProductImage(
                        product_id=product_id,
                        image=stored.name,
                        width=stored.width,
                        height=stored.height,
                        alt_text=given.get("alt_text", ""),
                        position=position,
                        source_url=url,
                    )
                    new.append(image)
                else:
                    continue
                images.append(image)
                placed[(product_id, url)] = image
            if product_id not in with_primary and images:
                # The first by position (the first in the file among equals).
                first = min(images, key=lambda image: image.position)
                first.is_primary = True
                if first.pk is not None:
                    changed[first.pk] = first
        if changed:
            ProductImage.objects.bulk_update(list(changed.values()), ["alt_text", "position", "is_primary"])
        if new:
            ProductImage.objects.bulk_create(new)
        if unused:
            for name in unused:
                transaction.on_commit(partial(self.fetched.storage.delete, name))
        self._link_variants(rows, ids, placed, variants)

    def _link_variants(
        self,
        rows: list[dict[str, Any]],
        ids: dict[str, Any],
        placed: dict[tuple[Any, str], Any],
        variants: dict[tuple[str, int], Any],
    ) -> None:
        """Each variant's ``image`` linked to it (links it has are kept)."""
        wanted: set[tuple[Any, Any]] = set()
        for row in rows:
            for index, variant_row in enumerate(row.get("variants") or ()):
                image = placed.get((ids[row["sku"]], variant_row.get("image") or ""))
                variant = variants.get((row["sku"], index))
                if image is not None and variant is not None:
                    wanted.add((variant.pk, image.pk))
        if not wanted:
            return
        through = Variant.images.through
        have = set(
            through.objects.filter(variant_id__in={variant_id for variant_id, _ in wanted}).values_list(
                "variant_id", "productimage_id"
            )
        )
        through.objects.bulk_create(
            [through(variant_id=variant_id, productimage_id=image_id) for variant_id, image_id in sorted(wanted - have)]
        )
