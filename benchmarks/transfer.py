"""Throughput of ``bazary_import_products`` and peak memory of the export.

    python scripts/services.py -- python -m benchmarks.transfer [--rows 50000] [--repeat 3] \
        [--export-sizes 10000,100000]

Runs against ``DATABASE_URL`` (PostgreSQL from ``scripts/services.py``; SQLite
in memory without it) with the main test project's settings, on a database it
migrates itself. It

1. writes ``--rows`` generated plain products as CSV (500 categories, 20 tags)
   and, ``--repeat`` times, imports them into an empty catalog (all created,
   with the categories and tags), then again (all updated), then into a
   catalog with the categories and tags but no product (all created); it
   prints one table with the medians of the three side by side: wall clock,
   rows/s, and the CPU time per row of the command and of its PostgreSQL
   backend (read from /proc), whose sum is what the rows cost on an idle
   machine (wall clock on a shared one mostly measures the others);
2. checks that the search vectors are filled after the bulk import (PostgreSQL):
   no product without one, and a search by a word of one name finds it;
3. grows the catalog to each of ``--export-sizes`` products in turn
   (``bazary_seed_demo`` adds the missing ones, one product in ten gets three
   variants) and streams the HTTP export (``GET products/export/``) of each
   format into a counter: once without tracemalloc (wall clock, peak resident
   memory above the process's before the request) and once with it (peak
   traced Python memory). Memory that stays flat from one size to the next is
   what "constant memory" means.

No test times anything; this is for comparing orders of magnitude.
"""

from __future__ import annotations

import argparse
import csv
import gc
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


def rss_now_kib() -> int:
    """The process's resident memory now (not its peak so far)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


class Sink:
    """Consumes a streamed response chunk by chunk, keeping only a count and
    the highest resident memory seen while doing so."""

    def __init__(self) -> None:
        self.bytes = 0
        self.peak_rss = 0

    def consume(self, response: Any) -> None:
        for n, chunk in enumerate(response.streaming_content):
            self.bytes += len(chunk)
            if n % 20 == 0:
                self.peak_rss = max(self.peak_rss, rss_now_kib())
        self.peak_rss = max(self.peak_rss, rss_now_kib())


def grow_catalog(products: int) -> None:
    """At least ``products`` products (the demo seeder's bulk inserts), one
    in ten of them with three variants (sizes S, M, L)."""
    from django.core.management import call_command

    from bazary.catalog.models import (
        Option,
        OptionValue,
        Variant,
        VariantOptionValue,
        combination_key,
        get_product_model,
    )
    from bazary.catalog.variants import refresh_has_variants

    manager = get_product_model()._default_manager
    have = manager.count()
    if have < products:
        call_command("bazary_seed_demo", "--products", str(products - have), "--no-images", stdout=io.StringIO())
    size, _ = Option.objects.get_or_create(name="Bench size")
    values = [
        OptionValue.objects.get_or_create(option=size, name=name, defaults={"position": i})[0]
        for i, name in enumerate(("S", "M", "L"))
    ]
    bare = list(manager.filter(variants__isnull=True).order_by("pk").values_list("pk", "price")[::10])
    for start in range(0, len(bare), 1000):
        chunk = bare[start : start + 1000]
        variants = [
            Variant(
                product_id=pk,
                sku=f"BV-{pk}-{value.name}",
                price=price,
                stock=pk % 7,
                position=i,
                combination_key=combination_key([value]),
            )
            for pk, price in chunk
            for i, value in enumerate(values)
        ]
        Variant.objects.bulk_create(variants)
        refresh_has_variants(pk for pk, _ in chunk)  # bulk_create sends no post_save
        VariantOptionValue.objects.bulk_create(
            VariantOptionValue(variant=variant, option_id=size.pk, value=values[variant.position])
            for variant in variants
        )
        get_product_model().options.through.objects.bulk_create(
            [get_product_model().options.through(product_id=pk, option_id=size.pk) for pk, _ in chunk],
            ignore_conflicts=True,
        )


def measure_exports(sizes: list[int]) -> None:
    """The streamed export of each format at each catalog size, smallest
    first: once with tracemalloc (peak Python allocations), once without
    (peak resident memory above the process's before the request)."""
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from bazary.catalog.models import Variant

    user = get_user_model()._default_manager.create_user(email="bench@example.com", password="x" * 20)
    user.is_staff = user.is_superuser = True  # the export needs view_product
    user.save()
    client = APIClient()
    client.force_authenticate(user)
    rows = []
    for products in sorted(sizes):
        grow_catalog(products)
        variants = Variant.objects.count()
        for fmt in ("csv", "json"):
            gc.collect()
            rss_before = rss_now_kib()
            sink = Sink()
            start = time.perf_counter()
            response = client.get(f"/api/products/export/?format={fmt}")
            assert response.status_code == 200, response.status_code
            sink.consume(response)
            elapsed = time.perf_counter() - start
            gc.collect()
            tracemalloc.start()
            traced = Sink()
            response = client.get(f"/api/products/export/?format={fmt}")
            traced.consume(response)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert traced.bytes == sink.bytes
            rows.append(
                f"| {products:,} ({variants:,} variants) | {fmt} | {sink.bytes / 1e6:.1f} MB | {elapsed:.1f} s "
                f"| {peak / 1e6:.1f} MB | {(sink.peak_rss - rss_before) / 1024:.1f} MB |"
            )
            print(rows[-1], flush=True)
    print("\n| products | format | streamed | wall clock | peak traced Python memory | peak RSS above the start |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000, help="0 skips the import measurement.")
    parser.add_argument("--repeat", type=int, default=3, help="Create/update runs whose medians are shown.")
    parser.add_argument(
        "--export-sizes",
        default="10000,100000",
        help="Catalog sizes (comma-separated) at which the export is measured; 0 skips it.",
    )
    args = parser.parse_args(argv)
    setup()
    from django.db import connection

    print(f"database: {connection.vendor}")
    if args.rows:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "products.csv"
            write_csv(path, args.rows)
            import_table(path, args.rows, args.repeat)
        check_search(args.rows)
    sizes = [int(size) for size in args.export_sizes.split(",") if int(size)]
    if sizes:
        measure_exports(sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
