"""``manage.py bazary_import_products FILE``: upsert products by SKU from CSV or JSON.

Every row is validated first; any bad row is reported with its line number
and nothing is written. The images the rows name are downloaded next (a bad
one is a row error too), then the rows written. ``--dry-run`` does all but
the writing (the images are downloaded and checked, and not stored).
``-`` reads standard input.
"""

from __future__ import annotations

import io
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bazary.catalog.management.progress import ProgressBar
from bazary.catalog.transfer import detect_format, import_products


class Command(BaseCommand):
    help = "Import products from a CSV or JSON file (upsert by SKU, all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path of the file, or - for standard input.")
        parser.add_argument(
            "--format",
            choices=["csv", "json", "shopify"],
            help="Default: from the file extension (csv). shopify: Shopify's product CSV export.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Validate the rows and download and check their images; store and write nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        fmt = detect_format(path, options["format"])
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8-sig", newline="") as handle:
                    text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        bars: list[ProgressBar] = []

        def on_start(total: int) -> Any:
            bars.append(ProgressBar(self.stdout, total, "rows"))
            return bars[0].advance

        downloads: list[Any] = []  # [bar, images done]

        def on_images(done: int, total: int) -> None:
            if not downloads:
                downloads.extend([ProgressBar(self.stdout, total, "images"), 0])
            downloads[0].advance(done - downloads[1])
            downloads[1] = done
            if done == total:
                downloads[0].finish()

        try:
            report = import_products(
                io.StringIO(text, newline=""),
                fmt,
                dry_run=options["dry_run"],
                on_start=on_start,
                on_images=on_images,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if report.errors:
            for line, errors in report.errors:
                self.stderr.write(f"line {line}: {errors}")
            raise CommandError(f"{len(report.errors)} invalid row(s); nothing was imported.")
        if options["dry_run"]:
            self.stdout.write(self.style.SUCCESS("Every row is valid (dry run: nothing written)."))
            return
        for bar in bars:
            bar.finish()
        self.stdout.write(self.style.SUCCESS(f"Imported: {report.created} created, {report.updated} updated."))
