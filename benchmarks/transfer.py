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
import statistics
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
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


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def server_cpu_seconds() -> float | None:
    """CPU time of this connection's PostgreSQL backend so far (from /proc,
    when the server runs on this machine), else None."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    wall: float
    cpu: float
    server_cpu: float | None
    summary: str


def timed_import(path: Path) -> Run:
    from django.core.management import call_command

    out = io.StringIO()
    server = server_cpu_seconds()
    cpu = cpu_seconds()
    start = time.perf_counter()
    call_command("bazary_import_products", str(path), stdout=out)
    wall = time.perf_counter() - start
    cpu = cpu_seconds() - cpu
    server_after = server_cpu_seconds()
    server_cpu = server_after - server if server is not None and server_after is not None else None
    return Run(wall, cpu, server_cpu, out.getvalue().strip().splitlines()[-1])


def empty_catalog(products_only: bool = False) -> None:
    """No product (and unless ``products_only``, no category or tag)."""
    from django.db import connection

    from bazary.catalog.models import Tag, get_category_model, get_product_model

    models = [get_product_model()] if products_only else [get_product_model(), get_category_model(), Tag]
    if connection.vendor == "postgresql":
        # Not the ORM's delete(): its signals (webhook events per product) are not what is measured.
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} CASCADE")
        return
    from bazary.catalog.models import StockMovement

    for model in [StockMovement, *models]:
        model._default_manager.all()._raw_delete(connection.alias)


def import_table(path: Path, rows: int, repeat: int) -> None:
    """``repeat`` times: into an empty catalog (every row created, with its
    500 categories and 20 tags), the same file again (every row updated),
    then into a catalog without products but with those categories and tags;
    the medians side by side."""
    runs: dict[str, list[Run]] = {"create": [], "update": [], "create, categories and tags exist": []}
    for _ in range(repeat):
        for kind in runs:
            if kind == "create":
                empty_catalog()
            elif kind.startswith("create,"):
                empty_catalog(products_only=True)
            run = timed_import(path)
            runs[kind].append(run)
            print(f"  {kind}: {run.wall:.2f} s ({run.summary})", flush=True)
    print(f"\nimport of {rows:,} plain products, median of {repeat} runs each:\n")
    print("| run | wall clock | rows/s | command CPU per row | PostgreSQL CPU per row | rows/s of CPU (both) |")
    print("|---|---|---|---|---|---|")
    for kind, done in runs.items():
        wall = statistics.median(run.wall for run in done)
        cpu = statistics.median(run.cpu for run in done)
        server = [run.server_cpu for run in done if run.server_cpu is not None]
        server_cpu = statistics.median(server) if server else None
        server_text = f"{server_cpu / rows * 1000:.3f} ms" if server_cpu is not None else "n/a"
        both = rows / (cpu + (server_cpu or 0))
        print(
            f"| {kind} | {wall:.2f} s | {rows / wall:,.0f} | {cpu / rows * 1000:.3f} ms | {server_text} | {both:,.0f} |"
        )
    print()


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
    parser.add_argument("--repeat", type=int, default=3, help="Create/update runs whose medians are shown.")
    parser.add_argument("--export-products", type=int, default=100_000, help="0 skips the export measurement.")
    args = parser.parse_args(argv)
    setup()
    from django.db import connection

    print(f"database: {connection.vendor}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "products.csv"
        write_csv(path, args.rows)
        import_table(path, args.rows, args.repeat)
    check_search(args.rows)
    if args.export_products:
        measure_export(args.export_products)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
