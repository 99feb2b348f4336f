"""Run the benchmark: seed, count queries, EXPLAIN, load each endpoint with wrk
under gunicorn, side by side with the raw-Django baseline, and write a report.

    python scripts/services.py -- python -m benchmarks.run [--sizes 10000,100000] [--quick]

Needs ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` (``scripts/services.py``
sets both, plus the S3 variables). ``nox -s bench`` runs exactly that.
Results go to ``bench-results/<UTC time>/``: ``results.json``, ``results.md``,
``results.png``, the EXPLAIN plans and (``--profile``) pyinstrument profiles.
"""

from __future__ import annotations

import argparse
import atexit
import base64
import contextlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "example_project"
HERE = Path(__file__).resolve().parent
LUA = HERE / "lua"


# --------------------------------------------------------------------------- scenarios


@dataclass
class Scenario:
    name: str
    api: str  # path of the bazary endpoint
    baseline: str  # path of the raw-Django view
    server: str = "page"  # "page" (page-number pagination), "cursor" or "capped" (capped count)
    explain: bool = False
    lua: str | None = None  # login / refresh
    group: str = "catalog"
    note: str = ""
    latency: bool = False  # also measured with one connection per worker (no queueing)
    ceiling: str | None = None  # path of the ceiling view (same payload, .values() + orjson)

    def row(self, api_queries: int, baseline_queries: int) -> dict[str, Any]:
        """The scenario's entry in ``results.json``, before its measurements."""
        return {
            "name": self.name,
            "group": self.group,
            "note": self.note,
            "api_path": self.api,
            "baseline_path": self.baseline,
            "ceiling_path": self.ceiling,
            "queries": {"api": api_queries, "baseline": baseline_queries},
        }


def catalog_scenarios(data: dict[str, Any]) -> list[Scenario]:
    p, b, c = "/api/v1/products/", "/baseline/products/", "/baseline/ceiling/products/"
    filtered = f"?category={data['category']}&min_price=10&max_price=500&in_stock=true"
    cursor = f"cursor={urllib.parse.quote(data['cursor_500'])}"
    return [
        Scenario("list p1 size 20", f"{p}?page_size=20", f"{b}?page_size=20", ceiling=f"{c}?page_size=20"),
        Scenario("list p1 size 100", f"{p}?page_size=100", f"{b}?page_size=100", ceiling=f"{c}?page_size=100"),
        Scenario(
            "filtered list",
            p + filtered,
            b + filtered,
            explain=True,
            note="category subtree + price + in_stock",
            ceiling=c + filtered,
        ),
        Scenario(
            "search common",
            f"{p}?search=black",
            f"{b}?search=black",
            explain=True,
            latency=True,
            note="'black': 1 in 8",
            ceiling=f"{c}?search=black",
        ),
        Scenario(
            "search rare",
            f"{p}?search=zephyrine",
            f"{b}?search=zephyrine",
            explain=True,
            latency=True,
            note="1 in 5000",
            ceiling=f"{c}?search=zephyrine",
        ),
        Scenario(
            "search typo",
            f"{p}?search=zephyrien",
            f"{b}?search=zephyrien",
            explain=True,
            latency=True,
            note="typo of the rare word",
            ceiling=f"{c}?search=zephyrien",
        ),
        Scenario(
            "search typo of a common word",
            f"{p}?search=blakc",
            f"{b}?search=blakc",
            explain=True,
            latency=True,
            note="'blakc': its trigrams are in every 'black' name",
            ceiling=f"{c}?search=blakc",
        ),
        Scenario("deep page 500 (page=)", f"{p}?page=500", f"{b}?page=500", explain=True),
        Scenario("cursor page 1", p, f"{b}?pagination=cursor", server="cursor"),
        Scenario("cursor page 500", f"{p}?{cursor}", f"{b}?{cursor}", server="cursor", explain=True),
        Scenario(
            "list p1 size 20 (capped count)",
            f"{p}?page_size=20",
            f"{b}?page_size=20&count=capped",
            server="capped",
            explain=True,
        ),
        Scenario(
            "deep page 500 (capped count)", f"{p}?page=500", f"{b}?page=500&count=capped", server="capped", explain=True
        ),
        Scenario(
            "filtered list (capped count)",
            p + filtered,
            b + filtered + "&count=capped",
            server="capped",
            explain=True,
            note="the default pagination",
        ),
        Scenario("product detail", f"{p}{data['detail']}/", f"{b}{data['detail']}/", ceiling=f"{c}{data['detail']}/"),
        Scenario(
            "category tree",
            "/api/v1/categories/tree/",
            "/baseline/categories/tree/",
            ceiling="/baseline/ceiling/categories/tree/",
        ),
    ]


def auth_scenarios() -> list[Scenario]:
    return [
        Scenario("login", "/api/v1/auth/token/", "/baseline/auth/token/", lua="login", group="auth"),
        Scenario(
            "refresh (empty table)",
            "/api/v1/auth/token/refresh/",
            "/baseline/auth/token/refresh/",
            lua="refresh",
            group="auth",
            note="outstanding-token table holds only the tokens being refreshed",
        ),
        Scenario(
            "refresh (1M-row table)",
            "/api/v1/auth/token/refresh/",
            "/baseline/auth/token/refresh/",
            lua="refresh",
            group="auth",
            note="1M more outstanding tokens seeded",
        ),
    ]


# --------------------------------------------------------------------------- infrastructure


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk not found: apt-get install -y wrk", flush=True)
    apt = ["apt-get", "install", "-y", "--no-install-recommends", "wrk"]
    if os.geteuid() != 0 and shutil.which("sudo"):
        apt = ["sudo", "-n", *apt]
    subprocess.run(apt, check=False, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed (Debian package wrk); install it and run again")
    return found


def create_database(database_url: str, name: str, keep: bool = False) -> str:
    """A fresh database ``name``; with ``keep``, the existing one (seeded by an
    earlier run in a kept cluster, ``services.py --pgdata``) if there is one."""
    import psycopg

    parts = urllib.parse.urlsplit(database_url)
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not (keep and exists):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{name}").geturl()


class Server:
    """gunicorn with N sync workers on loopback; stopped by PID."""

    def __init__(self, env: dict[str, str], workers: int, log: Path, pagination: str = "page") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(workers),
            "BENCH_PAGINATION": pagination,
        }
        self.log = log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(HERE / "gunicorn.conf.py"), "config.wsgi:application"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(self.url + "/health/live", timeout=2).close()  # noqa: S310 (loopback)
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not start; see {self.log}")

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@dataclass
class Load:
    wrk: str
    duration: float
    warmup: float
    repeats: int
    threads: int
    connections: int
    workdir: Path
    token_pool: Any = None  # callable(count) -> token file, for refresh
    runs: list[dict[str, Any]] = field(default_factory=list)

    def script(self, scenario: Scenario) -> tuple[Path, list[str]]:
        body = (LUA / "report.lua").read_text()
        args: list[str] = []
        if scenario.lua:
            body = (LUA / f"{scenario.lua}.lua").read_text() + "\n" + body
        path = self.workdir / f"{scenario.lua or 'get'}.lua"
        path.write_text(body)
        if scenario.lua == "login":
            from benchmarks.seed import BENCH_PASSWORD

            args = ["bench@example.com", BENCH_PASSWORD]
        return path, args

    def once(self, url: str, scenario: Scenario, seconds: float, connections: int | None = None) -> dict[str, Any]:
        script, args = self.script(scenario)
        if scenario.lua == "refresh":
            # A fresh token per request: generously more than the fastest rate seen.
            args = [str(self.token_pool(int(seconds * 1500) + 500)), str(self.threads)]
        cmd = [
            self.wrk,
            f"-t{self.threads}",
            f"-c{connections or self.connections}",
            f"-d{max(seconds, 1):g}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(script),
            url,
        ]
        if args:
            cmd += ["--", *args]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False).stdout
        match = re.search(r"^BENCH_JSON (.*)$", out, re.M)
        if not match:
            raise RuntimeError(f"wrk gave no result for {url}:\n{out}")
        raw = json.loads(match.group(1))
        seconds_run = raw["duration_us"] / 1e6
        return {
            "rps": raw["requests"] / seconds_run if seconds_run else 0.0,
            "p50_ms": raw["p50_us"] / 1000,
            "p95_ms": raw["p95_us"] / 1000,
            "p99_ms": raw["p99_us"] / 1000,
            "requests": raw["requests"],
            "errors": raw["errors_connect"] + raw["errors_read"] + raw["errors_write"] + raw["errors_timeout"],
            "non_2xx": raw["errors_status"],
        }

    def measure(
        self, server: Server, scenario: Scenario, connections: int | None = None, warm: bool = True
    ) -> dict[str, dict[str, Any]]:
        """Warm up each, then alternate API, baseline (and ceiling) ``repeats`` times; medians."""
        targets = {"api": scenario.api, "baseline": scenario.baseline}
        if scenario.ceiling:
            targets["ceiling"] = scenario.ceiling
        for path in targets.values() if warm else ():
            self.once(server.url + path, scenario, self.warmup)
        runs: dict[str, list[dict[str, Any]]] = {key: [] for key in targets}
        for _ in range(self.repeats):
            for key, path in targets.items():
                runs[key].append(self.once(server.url + path, scenario, self.duration, connections))
        result = {}
        for key, items in runs.items():
            result[key] = {
                metric: round(statistics.median(run[metric] for run in items), 2)
                for metric in ("rps", "p50_ms", "p95_ms", "p99_ms")
            }
            result[key]["errors"] = sum(run["errors"] for run in items)
            result[key]["non_2xx"] = sum(run["non_2xx"] for run in items)
            result[key]["runs"] = items
        return result


# --------------------------------------------------------------------------- in-process: queries, EXPLAIN, profiles


SCAN = re.compile(
    r"(Parallel )?(Seq Scan|Index Only Scan|Index Scan|Bitmap Index Scan|Bitmap Heap Scan)(?: Backward)?"
    r"(?: using (\S+))? on (\S+)"
)


def count_queries(path: str, method: str = "GET", body: Any = None, server: str = "page") -> tuple[int, list[str], int]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client(HTTP_HOST="127.0.0.1")
    overrides: dict[str, Any] = {}
    if server in settings.PAGINATION_CLASSES:
        overrides["BAZARY_CATALOG"] = {
            **settings.BAZARY_CATALOG,
            "PAGINATION_CLASS": settings.PAGINATION_CLASSES[server],
        }
    if method == "GET":  # warm: the steady state (cached tree, pooled connection) is what is counted
        with override_settings(**overrides):
            client.get(path)
    with override_settings(**overrides), CaptureQueriesContext(connection) as ctx:
        if method == "POST":
            response = client.post(path, data=json.dumps(body), content_type="application/json")
        else:
            response = client.get(path)
    if response.status_code >= 400:
        raise RuntimeError(f"{path}: {response.status_code} {response.content[:300]!r}")
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries], response.status_code


def explain(sqls: list[str], table: str) -> list[dict[str, Any]]:
    """EXPLAIN ANALYZE of the queries that read the product table."""
    from django.db import connection

    plans = []
    for sql in sqls:
        if f'FROM "{table}"' not in sql or sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            text = "\n".join(row[0] for row in cursor.fetchall())
        scans = sorted(
            {f"{m.group(2)}{' using ' + m.group(3) if m.group(3) else ''} on {m.group(4)}" for m in SCAN.finditer(text)}
        )
        ms = re.search(r"Execution Time: ([\d.]+) ms", text)
        kind = "count" if re.match(r"\s*SELECT COUNT\(\*\)", sql, re.I) else "page"
        plans.append(
            {
                "kind": kind,
                "execution_ms": float(ms.group(1)) if ms else None,
                "scans": scans,
                "seq_scan_on_products": bool(re.search(rf"Seq Scan on {table}\b", text)),
                "sql": sql,
                "plan": text,
            }
        )
    return plans


def time_in_process(paths: dict[str, str], n: int = 50, server: str = "page") -> dict[str, Any]:
    """Median wall time of ``n`` requests of each path through Django's handler
    in this process (the middleware stack of the settings, no HTTP, no
    gunicorn), the paths interleaved request by request so that the machine's
    load falls on all of them alike."""
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    overrides: dict[str, Any] = {}
    if server in settings.PAGINATION_CLASSES:
        pagination = settings.PAGINATION_CLASSES[server]
        overrides["BAZARY_CATALOG"] = {**settings.BAZARY_CATALOG, "PAGINATION_CLASS": pagination}
    client = Client(HTTP_HOST="127.0.0.1")
    times: dict[str, list[float]] = {key: [] for key in paths}
    cpu: dict[str, list[float]] = {key: [] for key in paths}
    with override_settings(**overrides):
        for path in paths.values():  # warm
            for _ in range(3):
                client.get(path)
        for _ in range(n):
            for key, path in paths.items():
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                times[key].append((time.perf_counter() - started) * 1000)
                cpu[key].append((time.process_time() - started_cpu) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code}")
    result: dict[str, Any] = {key: round(statistics.median(values), 3) for key, values in times.items()}
    # CPU time of this process (Django, DRF, bazary; not PostgreSQL's): on a
    # shared machine it holds up better than the wall clock, which also counts
    # the time spent waiting for a core.
    result["cpu"] = {key: round(statistics.median(values), 3) for key, values in cpu.items()}
    return result | {"n": n}


def config_variants() -> dict[str, dict[str, Any]]:
    """The production configuration, and the same with one thing changed: the
    media storage (presigned S3, public S3 through django-storages' S3Storage
    and through PublicS3Storage, S3 behind a custom domain, local files) and
    each middleware left out in turn (with local files)."""
    from django.conf import settings

    storages = settings.STORAGES
    s3 = storages["default"]
    local = {**storages, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    variants: dict[str, dict[str, Any]] = {"production (as configured)": {}}
    if "bucket_name" in s3.get("OPTIONS", {}):  # S3: PublicS3Storage, or django-storages' own
        options = s3["OPTIONS"]
        plain = {**s3, "BACKEND": "storages.backends.s3.S3Storage"}
        public = {"querystring_auth": False, "custom_domain": None}
        for label, backend, changed in (
            ("S3, presigned URLs", s3, {"querystring_auth": True, "custom_domain": None}),
            ("S3, public URLs (django-storages' S3Storage)", plain, public),
            ("S3, public URLs (bazary.core.s3.PublicS3Storage)", s3, public),
            ("S3, AWS_S3_CUSTOM_DOMAIN", s3, {"querystring_auth": False, "custom_domain": "cdn.example.com"}),
        ):
            variants[label] = {"STORAGES": {**storages, "default": {**backend, "OPTIONS": {**options, **changed}}}}
    variants["local storage"] = {"STORAGES": local}
    for middleware in settings.MIDDLEWARE:
        name = middleware.rsplit(".", 1)[-1]
        variants[f"local storage, without {name}"] = {
            "STORAGES": local,
            "MIDDLEWARE": [m for m in settings.MIDDLEWARE if m != middleware],
        }
    return variants


def time_configs(path: str, rounds: int = 5, per_round: int = 10) -> dict[str, float]:
    """Median time of ``path`` in-process under each of :func:`config_variants`:
    ``rounds`` rounds, each variant in turn for ``per_round`` requests (after
    one untimed request that builds its storage client)."""
    from django.test import Client
    from django.test.utils import override_settings

    client = Client(HTTP_HOST="127.0.0.1")
    variants = config_variants()
    times: dict[str, list[float]] = {label: [] for label in variants}
    cpu: dict[str, list[float]] = {label: [] for label in variants}
    for _ in range(rounds):
        for label, overrides in variants.items():
            with override_settings(**overrides):
                client.get(path)
                for _ in range(per_round):
                    started, started_cpu = time.perf_counter(), time.process_time()
                    response = client.get(path)
                    times[label].append((time.perf_counter() - started) * 1000)
                    cpu[label].append((time.process_time() - started_cpu) * 1000)
                    if response.status_code != 200:
                        raise RuntimeError(f"{path} ({label}): {response.status_code}")
    return {
        label: {"ms": round(statistics.median(times[label]), 3), "cpu_ms": round(statistics.median(cpu[label]), 3)}
        for label in variants
    }


def profile(path: str, out: Path, n: int = 200) -> None:
    from pyinstrument import Profiler

    count_queries(path)  # warm
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(n):
        count_queries(path)
    profiler.stop()
    out.write_text(profiler.output_text(unicode=True, color=False, show_all=False))


def scenario_data() -> dict[str, Any]:
    from bazary.catalog.models import get_category_model, get_product_model

    Product = get_product_model()
    visible = Product._default_manager.visible().order_by("-created_at", "-pk")
    last_of_499 = visible.values_list("created_at", flat=True)[499 * 20 - 1]
    cursor = base64.b64encode(urllib.parse.urlencode({"p": str(last_of_499)}).encode()).decode()
    root = get_category_model()._default_manager.filter(parent__isnull=True).order_by("pk").first()
    detail = visible.values_list("slug", flat=True)[1234]
    return {"category": root.slug, "cursor_500": cursor, "detail": detail}


# --------------------------------------------------------------------------- the run


def machine(database_version: str) -> dict[str, Any]:
    import django
    import rest_framework

    cpu = ""
    with contextlib.suppress(OSError):
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    mem_kb = 0
    with contextlib.suppress(OSError, StopIteration):
        mem_kb = int(
            next(
                line.split()[1]
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            )
        )
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = bool(
        subprocess.run(
            ["git", "status", "--porcelain", "src"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
    )
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return {
        "commit": commit + (" (src modified)" if dirty else ""),
        "cpus": os.cpu_count(),
        "cpu_model": cpu or platform.processor(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "django": django.get_version(),
        "djangorestframework": rest_framework.VERSION,
        "postgresql": database_version,
        "wrk": (wrk_version.stdout or wrk_version.stderr).split("\n")[0].strip(),
        "platform": platform.platform(),
    }


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sizes", default="10000,100000", help="Catalog sizes, comma-separated (default 10000,100000)."
    )
    parser.add_argument("--duration", type=float, default=10, help="Seconds per measured run (default 10).")
    parser.add_argument("--warmup", type=float, default=2, help="Seconds of warm-up per endpoint (default 2).")
    parser.add_argument(
        "--repeats", type=int, default=3, help="Measured runs per endpoint; the median is kept (default 3)."
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2).")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4).")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1).")
    parser.add_argument("--tokens", type=int, default=1_000_000, help="Outstanding tokens for the refresh scenario.")
    parser.add_argument(
        "--in-process", type=int, default=50, help="Requests per endpoint for the in-process timings (default 50)."
    )
    parser.add_argument(
        "--no-load", action="store_true", help="Only the in-process timings, queries and EXPLAIN: no gunicorn and wrk."
    )
    parser.add_argument(
        "--configs",
        action="store_true",
        help="Time the list of 20 in-process under the production settings piece by piece (storage, middleware).",
    )
    parser.add_argument("--quick", action="store_true", help="~5 minutes: 2 s runs, 2 repeats, 1 s warm-up.")
    parser.add_argument("--only", default="", help="Only scenarios whose name contains one of these (comma-separated).")
    parser.add_argument("--no-auth", action="store_true", help="Skip login and refresh.")
    parser.add_argument("--profile", action="store_true", help="Write pyinstrument profiles of the hot paths.")
    parser.add_argument(
        "--keep-db",
        action="store_true",
        help="Reuse the database of an earlier run (with services.py --pgdata DIR): migrate it and seed only what "
        "is missing. One size per run: a database per size (bazary_bench_<size>), never larger than asked.",
    )
    parser.add_argument("--out", default=str(ROOT / "bench-results"), help="Results folder (default bench-results/).")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.repeats, args.warmup = 2, 2, 1
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    if args.keep_db and len(sizes) > 1:
        raise SystemExit("--keep-db takes one size (a database per size): run each size in turn")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        raise SystemExit("run under scripts/services.py: DATABASE_URL (PostgreSQL) and REDIS_URL are needed")
    wrk = ensure_wrk()

    def selected(name: str) -> bool:
        return not args.only or any(part and part in name for part in args.only.split(","))

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = Path(args.out) / stamp
    (out / "explain").mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix="bazary-bench-"))
    # Removed however the run ends (a failed scenario, Ctrl-C), not only when it completes.
    atexit.register(shutil.rmtree, work, True)
    (work / "static").mkdir()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": create_database(
            os.environ["DATABASE_URL"], f"bazary_bench_{sizes[0]}" if args.keep_db else "bazary_bench", args.keep_db
        ),
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(work / "static"),
        # This checkout's bazary first, whatever is installed (benchmark a worktree).
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), str(EXAMPLE), os.environ.get("PYTHONPATH", "")]),
    }
    os.environ.update(env)
    sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(EXAMPLE)]

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bazary.catalog.models import get_product_model
    from benchmarks import report, seed

    print("migrating...", flush=True)
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    results: dict[str, Any] = {
        "started": stamp,
        "machine": machine(pg_version),
        "config": {
            "sizes": sizes,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "repeats": args.repeats,
            "gunicorn_workers": args.workers,
            "wrk_threads": args.threads,
            "wrk_connections": args.connections,
        },
        "seed": [],
        "sizes": [],
    }
    user = seed.seed_users()
    pool_n = 0

    def token_pool(count: int) -> Path:
        nonlocal pool_n
        pool_n += 1
        path = work / f"tokens-{pool_n}.txt"
        path.write_text("\n".join(seed.refresh_token_pool(user, count)) + "\n")
        return path

    load = Load(wrk, args.duration, args.warmup, args.repeats, args.threads, args.connections, work, token_pool)
    table = get_product_model()._meta.db_table

    def save() -> None:
        (out / "results.json").write_text(json.dumps(results, indent=2, default=str))
        import bazary

        results["machine"]["bazary_from"] = str(Path(bazary.__file__).parent)
        report.write(results, out)

    for size in sizes:
        print(f"\n== {size:,} products: seeding", flush=True)
        seeded = seed.seed_products(size)
        results["seed"].append(seeded.as_dict())
        print(
            f"seeded {seeded.rows:,} rows in {seeded.seconds:.1f} s ({seeded.rows_per_second:,.0f} products/s)",
            flush=True,
        )
        data = scenario_data()
        scenarios = [s for s in catalog_scenarios(data) if selected(s.name)]
        entry: dict[str, Any] = {"products": size, "scenarios": []}
        results["sizes"].append(entry)
        for scenario in scenarios:
            api_q, api_sql, _ = count_queries(scenario.api, server=scenario.server)
            base_q, _, _ = count_queries(scenario.baseline)
            row = scenario.row(api_q, base_q)
            if scenario.explain:
                plans = explain(api_sql, table)
                row["explain"] = [{k: v for k, v in plan.items() if k != "plan"} for plan in plans]
                slug = re.sub(r"\W+", "-", scenario.name).strip("-")
                (out / "explain" / f"{size}-{slug}.txt").write_text(
                    "\n\n".join(f"-- {p['kind']} query\n{p['sql']}\n\n{p['plan']}" for p in plans)
                )
            if scenario.ceiling:
                row["queries"]["ceiling"], _, _ = count_queries(scenario.ceiling)
                row["in_process"] = time_in_process(
                    {"api": scenario.api, "baseline": scenario.baseline, "ceiling": scenario.ceiling},
                    n=args.in_process,
                    server=scenario.server,
                )
            entry["scenarios"].append(row)
        if args.configs and size == sizes[0]:
            print("  production configuration, piece by piece...", flush=True)
            results["configs"] = {"path": "/api/v1/products/?page_size=20", "products": size}
            results["configs"]["ms"] = time_configs(results["configs"]["path"])
        if args.profile:
            (out / "profiles").mkdir(exist_ok=True)
            for scenario in scenarios:
                if scenario.name in ("list p1 size 20", "list p1 size 100", "search common", "product detail"):
                    slug = re.sub(r"\W+", "-", scenario.name).strip("-")
                    profile(scenario.api, out / "profiles" / f"{size}-{slug}.txt", n=100)
                    if scenario.ceiling:
                        profile(scenario.ceiling, out / "profiles" / f"{size}-{slug}-ceiling.txt", n=100)
        for server_kind in () if args.no_load else ("page", "cursor", "capped"):
            todo = [s for s in scenarios if s.server == server_kind]
            if not todo:
                continue
            with Server(env, args.workers, out / "gunicorn.log", pagination=server_kind) as server:
                for scenario in todo:
                    print(f"  {scenario.name}...", end="", flush=True)
                    measured = load.measure(server, scenario)
                    row = next(r for r in entry["scenarios"] if r["name"] == scenario.name)
                    row.update(measured)
                    if scenario.latency:
                        # Latency of the endpoint itself: as many connections as
                        # workers, so no request waits for a busy worker.
                        row["latency"] = load.measure(server, scenario, connections=args.workers, warm=False)
                        row["latency"]["connections"] = args.workers
                    print(
                        f" api {measured['api']['rps']:.0f} req/s, baseline {measured['baseline']['rps']:.0f} req/s",
                        flush=True,
                    )
        save()

    if not args.no_auth and not args.no_load:
        print("\n== auth", flush=True)
        entry = {"products": "auth", "scenarios": []}
        results["sizes"].append(entry)
        for scenario in auth_scenarios():
            if not selected(scenario.name):
                continue
            if "1M" in scenario.name:
                seeded = seed.seed_outstanding_tokens(args.tokens)
                results["seed"].append(seeded.as_dict())
                scenario.name = scenario.name.replace("1M", f"{args.tokens // 1000:,}k")
            if scenario.lua == "login":
                body = {"email": "bench@example.com", "password": seed.BENCH_PASSWORD}
            else:
                body = {"refresh": seed.refresh_token_pool(user, 1)[0]}
            api_q, _, _ = count_queries(scenario.api, method="POST", body=body)
            if scenario.lua == "refresh":
                body = {"refresh": seed.refresh_token_pool(user, 1)[0]}
            base_q, _, _ = count_queries(scenario.baseline, method="POST", body=body)
            row = scenario.row(api_q, base_q)
            with Server(env, args.workers, out / "gunicorn.log") as server:
                print(f"  {scenario.name}...", end="", flush=True)
                row.update(load.measure(server, scenario))
                print(f" api {row['api']['rps']:.0f} req/s, baseline {row['baseline']['rps']:.0f} req/s", flush=True)
            from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

            row["outstanding_tokens_after"] = OutstandingToken.objects.count()
            entry["scenarios"].append(row)
            save()

    save()
    print(f"\nresults: {out}/results.md", flush=True)
    print((out / "results.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
