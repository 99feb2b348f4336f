"""Swapping the catalog's models as a new project does: generate the project's
migration with ``makemigrations`` (never hand-written) and migrate from scratch.

Each case is a throwaway project directory run in subprocesses, on the
``DATABASE_URL`` database when set (a database of its own, created and
dropped here, so ``nox -s services`` covers PostgreSQL) and on SQLite
otherwise.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import bazary.catalog.migrations

SETTINGS = """
import os

import dj_database_url

SECRET_KEY = "swap-test-only-not-a-secret"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "bazary.core",
    "bazary.catalog",
    "shop",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
STATIC_URL = "/static/"
DATABASES = {"default": dj_database_url.parse(os.environ["SWAP_DATABASE_URL"])}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # as the quickstart says (bazary_core.W001)
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
"""

# docs/catalog.md, "Swapping the models".
PRODUCT = """
class Product(AbstractProduct):
    brand = models.CharField(max_length=80, blank=True)
"""
CATEGORY = """
class Category(AbstractCategory):
    icon = models.CharField(max_length=40, blank=True)
"""

# Through the ORM: the swapped tables, the catalog's tables that refer to
# them (images, stock movements, alerts) and tags.
USE_THE_TABLES = """
from decimal import Decimal
from django.db import connection
from bazary.catalog.models import Tag, get_category_model, get_product_model
from bazary.catalog.stock import adjust_stock
product = get_product_model().objects.create(
    name="Boot", price=Decimal("10.00"), brand="Alpen",
    category=get_category_model().objects.create(name="Shoes", slug="shoes"),
)
product.tags.add(Tag.objects.create(name="New", slug="new"))
adjust_stock(product, 3, reason="delivery")
print(connection.vendor, type(product)._meta.label, product.stock_movements.count(), product.tags.count())
# Variants of the swapped product: its options (an M2M to bazary_catalog.Option), the variant's stock.
from bazary.catalog.models import Option, OptionValue, Variant
size = Option.objects.create(name="Size")
variant = Variant.objects.create(product=product, sku="BOOT-42")
variant.set_option_values([OptionValue.objects.create(option=size, name="42")])
product.options.add(size)
adjust_stock(variant, 2, reason="delivery")
print(product.options.count(), product.variant_summary()["stock"], variant.stock_movements.count())
"""


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'db.sqlite3'}"
        return
    import dj_database_url
    import psycopg
    from psycopg import sql

    server = dj_database_url.parse(url)
    name = f"bazary_swap_{uuid.uuid4().hex[:12]}"
    params = {
        "dbname": "postgres",  # DATABASE_URL's own database may not exist (pytest-django makes test_<name>)
        "user": server["USER"],
        "password": server["PASSWORD"],
        "host": server["HOST"],
        "port": server["PORT"] or None,
        "autocommit": True,
    }
    with psycopg.connect(**params) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(**params) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def make_project(root: Path, *, swap_category: bool) -> Path:
    shop = root / "shop"
    shop.mkdir()
    (shop / "__init__.py").write_text("")
    imports = "AbstractCategory, AbstractProduct" if swap_category else "AbstractProduct"
    models = f"from django.db import models\n\nfrom bazary.catalog.models import {imports}\n"
    (shop / "models.py").write_text(models + (CATEGORY if swap_category else "") + PRODUCT)
    swaps = 'BAZARY_CATALOG_PRODUCT_MODEL = "shop.Product"\n'
    if swap_category:
        swaps += 'BAZARY_CATALOG_CATEGORY_MODEL = "shop.Category"\n'
    (root / "settings.py").write_text(SETTINGS + swaps)
    (root / "manage.py").write_text(
        textwrap.dedent(
            """
            import os, sys
            from django.core.management import execute_from_command_line
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
            execute_from_command_line(sys.argv)
            """
        )
    )
    return root


def manage(project: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SWAP_DATABASE_URL": database_url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize("swap_category", [False, True], ids=["product", "product+category"])
def test_generated_migration_of_a_swapped_model_migrates_from_scratch(tmp_path, database_url, swap_category):
    project = make_project(tmp_path, swap_category=swap_category)
    ok(manage(project, database_url, "makemigrations", "shop"))
    ok(manage(project, database_url, "migrate"))
    generated = (project / "shop" / "migrations" / "0001_initial.py").read_text()
    # The newest catalog migrations that do not wait for shop (tags, options;
    # categories unless swapped too), not the latest, which comes after shop's.
    newest = {"0006_option"} if swap_category else {"0002_category", "0006_option"}
    assert set(re.findall(r"\('bazary_catalog', '(\w+)'\)", generated)) == newest
    used = ok(manage(project, database_url, "shell", "--no-imports", "-c", USE_THE_TABLES))
    vendor = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    assert used.split() == [vendor, "shop.Product", "1", "1", "1", "2", "1"]
    assert "No changes detected" in ok(manage(project, database_url, "makemigrations", "--check", "--dry-run"))
    ok(manage(project, database_url, "check", "--fail-level", "WARNING"))
    # Backwards too: unapplying the catalog unapplies the project's app first.
    ok(manage(project, database_url, "migrate", "bazary_catalog", "zero"))
    assert "[ ] 0001_initial" in ok(manage(project, database_url, "showmigrations", "shop"))


def test_a_cycle_written_by_hand_is_reported_before_migrate_loads_the_graph(tmp_path):
    # What Django's own makemigrations writes: a dependency on the catalog's
    # latest migration, which comes after the swapped product's.
    project = make_project(tmp_path, swap_category=False)
    database_url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    ok(manage(project, database_url, "makemigrations", "shop"))
    path = project / "shop" / "migrations" / "0001_initial.py"
    latest = max(p.stem for p in Path(bazary.catalog.migrations.__file__).parent.glob("0*.py"))
    path.write_text(path.read_text().replace("'0002_category'", f"'{latest}'"))

    for command in ("check", "migrate"):
        result = manage(project, database_url, command)
        assert result.returncode == 1
        assert "CircularDependencyError" not in result.stderr
        assert f"(bazary_catalog.E020) {path} depends on ('bazary_catalog', '{latest}')" in result.stderr
        assert "(bazary_catalog.0003_product depends on it)" in result.stderr
        assert f"Change ('bazary_catalog', '{latest}') to ('bazary_catalog', '0002_category')" in result.stderr


WISHLIST = """
from django.db import models


class Wish(models.Model):
    product = models.ForeignKey("bazary_catalog.Product", models.CASCADE)
    category = models.ForeignKey("bazary_catalog.Category", models.CASCADE, null=True)
"""


def test_a_model_referring_to_the_catalog_models_migrates_on_its_own(tmp_path, database_url):
    # Not swapped: Django writes swappable_dependency(...) for the relations,
    # which means bazary_catalog's first migration (tags only).
    project = make_project(tmp_path, swap_category=False)
    (project / "settings.py").write_text(SETTINGS)
    (project / "shop" / "models.py").write_text(WISHLIST)
    ok(manage(project, database_url, "makemigrations", "shop"))
    ok(manage(project, database_url, "migrate", "shop"))
    ok(manage(project, database_url, "migrate"))
    script = (
        "from decimal import Decimal\n"
        "from bazary.catalog.models import Category, Product\n"
        "from shop.models import Wish\n"
        "category = Category.objects.create(name='Shoes', slug='shoes')\n"
        "product = Product.objects.create(name='Boot', price=Decimal('10.00'), category=category)\n"
        "print(Wish.objects.create(product=product, category=category).product.name)\n"
    )
    assert ok(manage(project, database_url, "shell", "--no-imports", "-c", script)).split() == ["Boot"]


# Every bazary app on top of the swapped models, as a shop installs them
# (the quickstart's app list and user model).
EVERY_APP = """
INSTALLED_APPS = [
    *INSTALLED_APPS[: INSTALLED_APPS.index("bazary.core")],
    "rest_framework_simplejwt.token_blacklist",
    "django_countries",
    "bazary.core",
    "bazary.catalog",
    "bazary.accounts",
    "bazary.notifications",
    "bazary.orders",
    "bazary.payments",
    "bazary.webhooks",
    "shop",
]
AUTH_USER_MODEL = "bazary_accounts.User"
ROOT_URLCONF = "urls"
ALLOWED_HOSTS = ["testserver"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = ["bazary_core.W002"]  # one process: local memory throttles are what it wants
"""

URLS = """
from django.urls import include, path

urlpatterns = [path("api/", include("bazary.urls"))]
"""

# Over HTTP with Django's test client: browse, add a variant of the swapped
# product to a guest cart, register, sign in (JWT), check out, read the order.
SELL_OVER_HTTP = r"""
import json
from decimal import Decimal
from django.test import Client
from bazary.catalog.models import Option, OptionValue, Variant, get_category_model, get_product_model
from bazary.catalog.stock import adjust_stock
product = get_product_model().objects.create(
    name="Boot", slug="boot", price=Decimal("10.00"), brand="Alpen",
    category=get_category_model().objects.create(name="Shoes", slug="shoes"),
)
size = Option.objects.create(name="Size")
product.options.add(size)
variant = Variant.objects.create(product=product, sku="BOOT-42", price=Decimal("12.50"))
variant.set_option_values([OptionValue.objects.create(option=size, name="42")])
adjust_stock(variant, 5, reason="delivery")
client = Client()
def call(method, path, body=None, **headers):
    response = getattr(client, method)(path, json.dumps(body) if body is not None else None,
                                       content_type="application/json", headers=headers)
    print(method.upper(), path, response.status_code)
    return response
listed = call("get", "/api/products/").json()
print("products", [item["slug"] for item in listed["results"]])
cart = call("post", "/api/cart/items/", {"variant": "BOOT-42", "quantity": 2})
token = cart.json()["token"]
print("cart", cart.json()["total"])
call("post", "/api/auth/register/", {"email": "ann@example.com", "password": "a-Long-and-unusual-passphrase-42"})
import re
from django.core import mail
link = re.search(r"verify-email\?token=(\S+)", mail.outbox[-1].body)
call("post", "/api/auth/verify-email/", {"token": link.group(1)})
login = call("post", "/api/auth/token/", {"email": "ann@example.com", "password": "a-Long-and-unusual-passphrase-42"})
auth = {"Authorization": "Bearer " + login.json()["access"], "X-Cart-Token": token}
address = {"recipient_name": "Ann Smith", "line1": "1 Main St", "city": "Springfield",
           "postal_code": "12345", "country": "US"}
order = call("post", "/api/orders/", {"shipping_address": address}, **auth, **{"Idempotency-Key": "k-1"})
number = order.json()["number"]
print("order", order.json()["status"], order.json()["lines"][0]["sku"], order.json()["subtotal"])
print("read", call("get", f"/api/orders/{number}/", **auth).json()["number"] == number)
variant.refresh_from_db()
print("stock", variant.stock)
"""


@pytest.mark.parametrize("swap_category", [False, True], ids=["product", "product+category"])
def test_every_app_with_the_swapped_models_migrates_and_sells(tmp_path, database_url, swap_category):
    project = make_project(tmp_path, swap_category=swap_category)
    settings = project / "settings.py"
    settings.write_text(settings.read_text() + EVERY_APP)
    (project / "urls.py").write_text(URLS)
    ok(manage(project, database_url, "makemigrations", "shop"))
    ok(manage(project, database_url, "migrate"))
    assert "No changes detected" in ok(manage(project, database_url, "makemigrations", "--check", "--dry-run"))
    ok(manage(project, database_url, "check", "--fail-level", "WARNING"))
    sold = ok(manage(project, database_url, "shell", "--no-imports", "-c", SELL_OVER_HTTP)).splitlines()
    assert sold[:9] == [
        "GET /api/products/ 200",
        "products ['boot']",
        "POST /api/cart/items/ 201",
        "cart 25.00",
        "POST /api/auth/register/ 201",
        "POST /api/auth/verify-email/ 200",
        "POST /api/auth/token/ 200",
        "POST /api/orders/ 201",
        "order pending_payment BOOT-42 25.00",
    ]
    assert re.fullmatch(r"GET /api/orders/[0-9A-Z-]+/ 200", sold[9])
    assert sold[10:] == ["read True", "stock 3"]
    # Backwards: every app that refers to the swapped product unapplies before it.
    ok(manage(project, database_url, "migrate", "bazary_catalog", "zero"))
    assert "[ ] 0001_initial" in ok(manage(project, database_url, "showmigrations", "shop"))
