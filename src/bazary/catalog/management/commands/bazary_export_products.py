"""``manage.py bazary_export_products``: every product as CSV or JSON, in the
format ``bazary_import_products`` reads back, images included (their URLs;
``--base-url`` makes the storage's relative URLs absolute, see
:mod:`bazary.catalog.exportimages`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bazary.catalog.exportimages import ImageURLs, is_absolute
from bazary.catalog.management.progress import ProgressBar
from bazary.catalog.models import get_product_model
from bazary.catalog.transfer import detect_format, export_products


class Command(BaseCommand):
    help = "Export products to CSV or JSON (readable by bazary_import_products)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", default="-", help="File to write; - (default) for standard output.")
        parser.add_argument("--format", choices=["csv", "json"], help="Default: from the output extension (csv).")
        parser.add_argument(
            "--base-url",
            help="Where the shop serves its files, e.g. https://shop.example: makes the image URLs "
            "absolute when the storage's are relative (local /media/...).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["output"]
        fmt = detect_format(path, options["format"])
        base_url = options["base_url"]
        if base_url is not None and not (is_absolute(base_url) and base_url.startswith(("https://", "http://"))):
            raise CommandError(f"--base-url must be an absolute http(s) URL (https://shop.example), not {base_url!r}.")
        urls = ImageURLs(base_url=base_url)
        if path == "-":
            # Raw text to standard output: no progress bar mixed into the data.
            export_products(_RawWriter(self.stdout), fmt, image_urls=urls)
            self._warn_relative(urls)
            return
        total = get_product_model()._default_manager.count()
        bar = ProgressBar(self.stdout, total, "products")
        try:
            with open(path, "w", encoding="utf-8", newline="") as handle:
                count = export_products(handle, fmt, progress=bar.advance, image_urls=urls)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc}") from exc
        bar.finish()
        self._warn_relative(urls)
        self.stdout.write(self.style.SUCCESS(f"Exported {count} products to {path}."))

    def _warn_relative(self, urls: ImageURLs) -> None:
        if urls.relative:
            self.stderr.write(
                self.style.WARNING(
                    f"{urls.relative} image URL(s) written relative, as the storage gives them: another shop "
                    "cannot import them. Pass --base-url (where the shop serves its files)."
                )
            )


class _RawWriter:
    """Writes through a command's OutputWrapper without its added newlines."""

    def __init__(self, wrapper: Any) -> None:
        self.wrapper = wrapper

    def write(self, text: str) -> int:
        self.wrapper.write(text, ending="")
        return len(text)
