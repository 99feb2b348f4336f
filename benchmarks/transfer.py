"""Throughput of ``bazary_import_products`` and peak memory of the export.

    python scripts/services.py -- python -m benchmarks.transfer [--rows 50000] [--export-products 100000]

Runs against ``DATABASE_URL`` (PostgreSQL from ``scripts/services.py``; SQLite
in memory without it) with the main test project's settings, on a database it
migrates itself. It

1. writes ``--rows`` generated plain products as CSV (500 categories, 20 tags),
   imports them into an empty catalog (all created), then imports the same
   file again (all updated), and prints rows/s of each run;
2. checks that the search vectors are filled after the bulk import (PostgreSQL):
   no product without one, and a search by a word of one name finds it;
3. grows the catalog to ``--export-products`` products (``bazary_seed_demo``
   adds the missing ones) and streams the HTTP
   export (``GET products/export/``) of each format into a counter, printing the
   peak Python memory (tracemalloc) and the peak RSS growth.

Timings are medians of nothing: one run on a shared machine, to compare
orders of magnitude, not to assert (no test times anything).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any


def setup() -> None:
    root = Path(__file__).resolve().parent.parent
    sys.path[:0] = [str(root), str(root / "src")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.projects.full.settings")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        os.environ["DATABASE_URL"] = fresh_database(url, "bazary_bench_transfer")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fresh_database(url: str, name: str) -> str:
    """An empty database ``name`` on the server of ``url``; its URL."""
    import urllib.parse

    import psycopg

    parts = urllib.parse.urlsplit(url)
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def write_csv(path: Path, rows: int, offset: int = 0) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "name", "description", "price", "stock", "category", "tags", "is_active"])
        for i in range(offset, offset + rows):
            writer.writerow(
                [
                    f"BENCH-{i:08d}",
                    f"Bench product {i} walnut{i % 97}",
                    f"Generated product number {i} for the import benchmark.",
                    f"{(i % 5000) / 10 + 1:.2f}",
                    i % 40,
                    f"Department {i % 10}/Section {i % 500}",
                    f"tag{i % 20}|tag{(i + 7) % 20}",
                    "true",
                ]
            )


def timed_import(path: Path) -> tuple[float, str]:
    from django.core.management import call_command

    out = io.StringIO()
    start = time.perf_counter()
    call_command("bazary_import_products", str(path), stdout=out)
    return time.perf_counter() - start, out.getvalue().strip().splitlines()[-1]


def check_search(rows: int) -> None:
    from django.db import connection

    from bazary.catalog.models import get_product_model

    if connection.vendor != "postgresql":
        print("search vectors: not PostgreSQL, skipped")
        return
    from bazary.catalog.search import PostgresSearchBackend

    model = get_product_model()
    missing = model._default_manager.filter(search_vector__isnull=True).count()
    target = model._default_manager.get(sku=f"BENCH-{rows // 2:08d}")
    tag = target.tags.first()
    found = PostgresSearchBackend().search(model._default_manager.all(), f"{target.name} {tag.name}")
    print(f"search vectors: {missing} products without one; search for one name finds it: {target in found}")


class Sink:
    """Consumes a streamed response chunk by chunk, keeping only a count."""

    def __init__(self) -> None:
        self.bytes = 0

    def consume(self, response: Any) -> None:
        for chunk in response.streaming_content:
            self.bytes += len(chunk)


def rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure_export(products: int) -> None:
    from django.core.management import call_command
    from rest_framework.test import APIClient

    from bazary.catalog.models import get_product_model

    have = get_product_model()._default_manager.count()
    if have < products:
        # The demo seeder's bulk inserts: quicker than importing the rest.
        call_command("bazary_seed_demo", "--products", str(products - have), "--no-images", stdout=io.StringIO())
    from django.contrib.auth import get_user_model

    user = get_user_model()._default_manager.create_user(email="bench@example.com", password="x" * 20)
    user.is_staff = user.is_superuser = True  # the export needs view_product
    user.save()
    client = APIClient()
    client.force_authenticate(user)
    for fmt in ("csv", "json"):
        sink = Sink()
        rss_before = rss_kib()
        tracemalloc.start()
        start = time.perf_counter()
        response = client.get(f"/api/products/export/?format={fmt}")
        assert response.status_code == 200, response.status_code
        sink.consume(response)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"export {fmt}: {products} products, {sink.bytes / 1e6:.1f} MB streamed in {elapsed:.1f} s; "
            f"peak Python memory {peak / 1e6:.1f} MB (tracemalloc), peak RSS growth "
            f"{(rss_kib() - rss_before) / 1024:.1f} MB"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--export-products", type=int, default=100_000, help="0 skips the export measurement.")
    args = parser.parse_args(argv)
    setup()
    from django.db import connection

    print(f"database: {connection.vendor}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "products.csv"
        write_csv(path, args.rows)
        for run in ("create", "update"):
            elapsed, summary = timed_import(path)
            rate = args.rows / elapsed
            print(f"import ({run}): {args.rows} rows in {elapsed:.2f} s = {rate:,.0f} rows/s ({summary})")
    check_search(args.rows)
    if args.export_products:
        measure_export(args.export_products)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
