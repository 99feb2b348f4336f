"""End-to-end tests: the example project deployed for real, on real services.

Needs what ``scripts/services.py`` provides (``DATABASE_URL`` to PostgreSQL and
the ``BAZARY_TEST_S3_*`` bucket); skipped elsewhere. The fixture ``site``
creates a database, starts a Redis of its own (so a test may stop it), runs
``migrate`` and ``collectstatic`` with the production settings, then starts
gunicorn with two worker processes and the database-backed task worker
(``manage.py db_worker``: it sends the emails and the webhooks). Every
process it starts is stopped by PID at the end.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

EXAMPLE = Path(__file__).resolve().parents[2] / "example_project"
#: Debian's Chromium, for the browser tests (``requires_chromium``); None when absent.
CHROMIUM = next(
    (p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if os.path.exists(p)),
    None,
)
requires_chromium = pytest.mark.skipif(CHROMIUM is None, reason="apt-get install chromium")
ADMIN_EMAIL = "e2e-admin@example.com"
ADMIN_PASSWORD = secrets.token_urlsafe(16)

if not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("BAZARY_TEST_S3_ENDPOINT_URL")):
    pytest.skip("end-to-end tests run under scripts/services.py (nox -s e2e)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if predicate():
                return
        time.sleep(0.25)
    raise RuntimeError(f"timed out waiting for {what}")


def port_open(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


@dataclass
class Redis:
    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(lambda: port_open(self.port), "redis")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@dataclass
class Site:
    base_url: str
    env: dict[str, str]
    email_dir: Path
    redis: Redis
    processes: list[subprocess.Popen] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=EXAMPLE, env=self.env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result

    def token(self, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> str:
        response = requests.post(
            self.url("/api/v1/auth/token/"), json={"email": email, "password": password}, timeout=10
        )
        response.raise_for_status()
        return response.json()["access"]

    def emails(self) -> list[str]:
        return [p.read_text() for p in sorted(self.email_dir.glob("*.log"))]


def create_database(database_url: str, name: str) -> str:
    import psycopg

    parts = urllib.parse.urlsplit(database_url)
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{name}").geturl()


@pytest.fixture(scope="session")
def payment_fakes():
    """Fake Stripe and Chapa APIs on loopback, in this process, for the site's providers."""
    from bazary.testing.payments import FakeChapa, FakeStripe

    with FakeStripe() as stripe_api, FakeChapa() as chapa_api:
        yield stripe_api, chapa_api


#: The providers' keys the site runs with (the fakes check only their form).
PAYMENT_ENV = {
    "STRIPE_SECRET_KEY": "sk_test_e2e",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_e2e",
    "STRIPE_WEBHOOK_SECRET": "whsec_e2e",
    "CHAPA_SECRET_KEY": "CHASECK_TEST-e2e",
    "CHAPA_WEBHOOK_SECRET": "chapa-e2e-hash",
}


@pytest.fixture(scope="session")
def site(tmp_path_factory, payment_fakes) -> Site:
    tmp = tmp_path_factory.mktemp("site")
    redis = Redis(port=free_port(), log=tmp / "redis.log")
    port = free_port()
    database_url = create_database(os.environ["DATABASE_URL"], f"bazary_e2e_{os.getpid()}")
    email_dir = tmp / "emails"
    email_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        # The router's path runs for real: the "replica" is the same server.
        "DATABASE_REPLICA_URL": database_url,
        "REDIS_URL": redis.url,
        "TASKS_BACKEND": "db",
        "AWS_STORAGE_BUCKET_NAME": os.environ["BAZARY_TEST_S3_BUCKET"],
        "AWS_S3_ENDPOINT_URL": os.environ["BAZARY_TEST_S3_ENDPOINT_URL"],
        # moto's bucket is private: the presigned-URL opt-in (public URLs are the default).
        "AWS_QUERYSTRING_AUTH": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(email_dir),
        "BAZARY_VAR_DIR": str(tmp / "var"),
        # Plain HTTP on loopback: no TLS redirect, no Secure-only cookies.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        # The webhook receivers of the tests listen on loopback.
        "WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "1",
        "THROTTLE_LOGIN": "5/min",
        "LOCKOUT_THRESHOLD": "3",
        # Passkeys need a domain as relying party (browsers refuse an IP): the browser tests use localhost.
        "PASSKEY_RP_ID": "localhost",
        "PASSKEY_ORIGINS": f"http://localhost:{port}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "DJANGO_SUPERUSER_EMAIL": ADMIN_EMAIL,
        "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD,
        # Both card providers, against the fakes: schemathesis reaches their routes.
        **PAYMENT_ENV,
        "STRIPE_API_BASE": payment_fakes[0].url,
        "CHAPA_API_BASE": payment_fakes[1].url,
    }
    site = Site(base_url=f"http://127.0.0.1:{port}", env=env, email_dir=email_dir, redis=redis)
    logs = tmp / "logs"
    logs.mkdir()
    # Everything started from here on is stopped below, even if setup fails.
    try:
        redis.start()
        site.manage("migrate", "--noinput")
        site.manage("collectstatic", "--noinput")
        site.manage("createsuperuser", "--noinput")
        for name, cmd in {
            "gunicorn": [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "deploy/gunicorn.conf.py",
                "config.wsgi:application",
            ],
            "worker": [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"],
        }.items():
            site.processes.append(
                subprocess.Popen(
                    cmd,
                    cwd=EXAMPLE,
                    env=env,
                    stdout=(logs / f"{name}.log").open("w"),
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        wait_until(lambda: requests.get(site.url("/health/live"), timeout=2).ok, "gunicorn")
        yield site
    finally:
        for process in site.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in site.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        redis.stop()
        for name in ("gunicorn", "worker"):
            log = logs / f"{name}.log"
            if log.exists():
                print(f"--- {name} log (tail) ---\n" + "\n".join(log.read_text().splitlines()[-30:]))


@pytest.fixture
def admin_headers(site: Site) -> dict[str, str]:
    return {"Authorization": f"Bearer {site.token()}"}


@pytest.fixture
def page(site: Site):
    """A Chromium page (Playwright) that may reach the site and nothing else.

    Requests to any host but 127.0.0.1 / localhost (``data:`` and ``blob:``
    URLs aside) are aborted, and the test fails at teardown if there were any:
    the docs, the admin and the passkey ceremonies need no other network.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        context = browser.new_context()
        outside: list[str] = []

        def only_loopback(route):
            host = urllib.parse.urlsplit(route.request.url).hostname
            if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:")):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", only_loopback)
        page = context.new_page()
        page.set_default_timeout(30_000)
        yield page
        browser.close()
        assert outside == []
