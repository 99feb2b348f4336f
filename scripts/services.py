#!/usr/bin/env python3
"""Start PostgreSQL, Redis and an S3 server on loopback, run a command, stop them.

    python scripts/services.py -- python -m tests.runall
    python scripts/services.py --pgdata .services/pg -- python -m benchmarks.run --keep-db

No Docker: a throwaway PostgreSQL cluster (``initdb``/``pg_ctl``, run as the
``postgres`` user when started as root, ``fsync=off``), ``redis-server`` with
persistence off and ``moto_server`` for S3, each on a free loopback port. The
command runs with ``DATABASE_URL``, ``REDIS_URL`` and ``BAZARY_TEST_S3_*`` set
(and ``AWS_*`` for the example project). Every service is stopped on exit,
also when the command fails or is interrupted. Contributors need the Debian
packages ``postgresql`` (server binaries) and ``redis-server``.

``--pgdata DIR`` keeps the PostgreSQL cluster in ``DIR`` instead of a temporary
directory (created on first use, stopped cleanly, reused by the next run): a
benchmark catalog seeded once serves later runs (``benchmarks.run --keep-db``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start on port {port} within {timeout}s")


def find_pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise RuntimeError(f"{name} not found: install PostgreSQL's server binaries (apt-get install postgresql)")


def as_postgres(cmd: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextlib.contextmanager
def postgres(workdir: Path, keep: Path | None = None) -> Iterator[str]:
    port = free_port()
    data = keep or workdir / "pgdata"
    data.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres")
        shutil.chown(data, "postgres")
        data.chmod(0o700)
    initdb, pg_ctl = find_pg_bin("initdb"), find_pg_bin("pg_ctl")
    if not (data / "PG_VERSION").exists():
        subprocess.run(
            as_postgres([initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    # Throwaway data: durability off for speed.
    options = " ".join(
        [
            f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={workdir}",
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
        ]
    )
    subprocess.run(
        as_postgres([pg_ctl, "-D", str(data), "-o", options, "-l", str(workdir / "postgres.log"), "-w", "start"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, "PostgreSQL")
        yield f"postgres://postgres@127.0.0.1:{port}/bazary"
    finally:
        # A kept cluster is stopped cleanly (a checkpoint), a throwaway one at once.
        mode = "fast" if keep else "immediate"
        subprocess.run(as_postgres([pg_ctl, "-D", str(data), "-m", mode, "stop"]), stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def background(cmd: list[str], port: int, what: str, log: Path) -> Iterator[subprocess.Popen]:
    with log.open("w") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, what)
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def create_bucket(endpoint: str, bucket: str) -> None:
    # Our own loopback server, over plain http.
    request = urllib.request.Request(f"{endpoint}/{bucket}", method="PUT")  # noqa: S310
    urllib.request.urlopen(request, timeout=10).close()  # noqa: S310


def main(argv: list[str]) -> int:
    keep: Path | None = None
    if "--" in argv:
        options, argv = argv[: argv.index("--")], argv[argv.index("--") + 1 :]
        if "--pgdata" in options and options.index("--pgdata") + 1 < len(options):
            keep = Path(options[options.index("--pgdata") + 1]).resolve()
    if not argv:
        print(__doc__)
        return 2
    redis_server = shutil.which("redis-server")
    if not redis_server:
        raise SystemExit("redis-server not found: apt-get install redis-server")
    moto = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    # A SIGTERM (a CI timeout, ``kill``) unwinds like Ctrl-C: the command is
    # killed and every service stopped, instead of leaving them running.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

    with tempfile.TemporaryDirectory(prefix="bazary-services-") as tmp, contextlib.ExitStack() as stack:
        workdir = Path(tmp)
        database_url = stack.enter_context(postgres(workdir, keep))
        redis_port = free_port()
        stack.enter_context(
            background(
                [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                redis_port,
                "Redis",
                workdir / "redis.log",
            )
        )
        s3_port = free_port()
        stack.enter_context(
            background([moto, "-H", "127.0.0.1", "-p", str(s3_port)], s3_port, "moto S3", workdir / "moto.log")
        )
        endpoint = f"http://127.0.0.1:{s3_port}"
        bucket = "bazary-test-media"
        create_bucket(endpoint, bucket)
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "BAZARY_TEST_S3_ENDPOINT_URL": endpoint,
            "BAZARY_TEST_S3_BUCKET": bucket,
            "AWS_S3_ENDPOINT_URL": endpoint,
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_S3_REGION_NAME": "us-east-1",
        }
        print(f"services up: {database_url} redis:{redis_port} s3:{endpoint}", flush=True)
        return subprocess.call(argv, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
