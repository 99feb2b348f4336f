#!/usr/bin/env python3
"""Build the wheel and use it the way a new user would.

1. The wheel holds ``bazary`` only (with migrations, templates, static files
   and ``py.typed``): no tests, no example project.
2. In a fresh virtualenv, a brand-new ``django-admin startproject`` plus the
   quickstart snippet of the README (nothing more) passes ``check`` and
   ``migrate``, and the schema and docs URLs answer.

Usage: ``python scripts/check_package.py`` (needs ``uv`` on PATH).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The settings part of the README's snippet, as it stands there.
SNIPPET_SETTINGS = """
INSTALLED_APPS += [
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",   # Swagger UI / ReDoc assets served locally
    "bazary.core",
    "bazary.catalog",
    "bazary.accounts",
    "bazary.notifications",
    "bazary.orders",             # optional: cart, checkout and orders (needs only the catalog)
]
AUTH_USER_MODEL = "bazary_accounts.User"   # optional: email-login user shipped by bazary
REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}

# On SQLite: take the write lock when a transaction begins, or concurrent
# requests fail with "database is locked" (check bazary_core.W001).
DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
# Throttles and lockout count in the default cache: in production use one that
# every worker shares, such as Redis (check bazary_core.W002).
"""

SMOKE = """
from django.test import Client
client = Client()
for path, marker in [("/api/schema/", b"openapi"), ("/api/docs/", b"swagger-ui"), ("/api/redoc/", b"redoc"),
                     ("/api/products/", b"results"), ("/api/categories/tree/", b"")]:
    response = client.get(path, HTTP_HOST="localhost")
    assert response.status_code == 200, (path, response.status_code)
    assert marker in response.content, path
    print("ok", path)
"""


def run(*args: str | Path, **kwargs) -> subprocess.CompletedProcess:
    print("+", " ".join(str(a) for a in args), flush=True)
    return subprocess.run([str(a) for a in args], check=True, **kwargs)


def check_wheel(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top == {"bazary"}, f"unexpected top-level entries in the wheel: {sorted(top)}"
    for needed in ("bazary/py.typed", "bazary/accounts/migrations/0001_initial.py", "bazary/catalog/migrations/"):
        assert any(name.startswith(needed) for name in names), f"{needed} missing from the wheel"
    assert any(name.endswith(".txt") and "/templates/" in name for name in names), "email templates missing"
    print(f"wheel ok: {wheel.name}, {len(names)} files")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bazary-package-") as tmp_name:
        tmp = Path(tmp_name)
        run("uv", "build", "--wheel", "--out-dir", tmp / "dist", ROOT)
        (wheel,) = (tmp / "dist").glob("bazary-*.whl")
        check_wheel(wheel)

        venv = tmp / "venv"
        run("uv", "venv", "--python", sys.executable, venv)
        python = venv / "bin" / "python"
        run("uv", "pip", "install", "--python", python, wheel)
        (tmp / "site").mkdir()
        run(venv / "bin" / "django-admin", "startproject", "shop", tmp / "site")
        settings = tmp / "site" / "shop" / "settings.py"
        settings.write_text(settings.read_text() + SNIPPET_SETTINGS)
        urls = tmp / "site" / "shop" / "urls.py"
        text = urls.read_text()
        text = re.sub(r"from django.urls import path", "from django.urls import include, path", text)
        urls.write_text(text + '\nurlpatterns += [path("api/", include("bazary.urls"))]\n')

        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shop.settings"}
        manage = [python, "manage.py"]
        run(*manage, "check", "--fail-level", "WARNING", cwd=tmp / "site", env=env)
        run(*manage, "migrate", "--noinput", cwd=tmp / "site", env=env, stdout=subprocess.DEVNULL)
        run(*manage, "makemigrations", "--check", "--dry-run", cwd=tmp / "site", env=env)
        run(*manage, "shell", "-c", SMOKE, cwd=tmp / "site", env=env)
    print("package check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
