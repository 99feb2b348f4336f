"""The example project's settings per environment, run in fresh interpreters."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    # The services run exports its own DJANGO_/DATABASE_/REDIS_/AWS_ variables (moto's endpoint among
    # them): each test passes the ones it means, as on a fresh machine.
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "AWS_"))}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_and_names_every_missing_variable(tmp_path):
    result = manage("check", DJANGO_SETTINGS_MODULE="config.settings.production", BAZARY_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    for name in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"):
        assert name in result.stderr


def test_production_passes_the_deploy_checks(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="shop.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:6379/0",
        BAZARY_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_development_starts_on_embedded_defaults(tmp_path):
    result = manage("check", DJANGO_SETTINGS_MODULE="config.settings.development", BAZARY_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


def test_payment_providers_come_from_the_environment(tmp_path):
    code = (
        "from bazary.payments.conf import configured; p = configured();"
        "print(sorted(p), p['chapa'].get('API_BASE'), 'API_BASE' in p['stripe'])"
    )
    result = manage(
        "shell",
        "-c",
        code,
        DJANGO_SETTINGS_MODULE="config.settings.development",
        BAZARY_VAR_DIR=str(tmp_path),
        STRIPE_SECRET_KEY="sk_test_1",
        STRIPE_PUBLISHABLE_KEY="pk_test_1",
        STRIPE_WEBHOOK_SECRET="whsec_1",
        CHAPA_SECRET_KEY="CHASECK_TEST-1",
        CHAPA_WEBHOOK_SECRET="hash",
        CHAPA_API_BASE="http://127.0.0.1:9",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "['chapa', 'stripe'] http://127.0.0.1:9 False"
    # A key missing: manage.py check names it.
    result = manage(
        "check", DJANGO_SETTINGS_MODULE="config.settings.development", BAZARY_VAR_DIR=str(tmp_path),
        CHAPA_SECRET_KEY="CHASECK_TEST-1",
    )  # fmt: skip
    assert result.returncode != 0
    assert "bazary_payments.E011" in result.stderr


def _storage_url(tmp_path, **env):
    """The URL the production settings' media storage gives an image."""
    code = (
        "from django.core.files.storage import default_storage as s; "
        "print(s.url('products/a.jpg')); print(s.querystring_auth)"
    )
    result = manage(
        "shell",
        "-c",
        code,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="shop.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:6379/0",
        BAZARY_VAR_DIR=str(tmp_path),
        AWS_STORAGE_BUCKET_NAME="shop-media",
        AWS_S3_REGION_NAME="eu-west-1",
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY="secret-example",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()[-2:]  # after the shell's own "N objects imported" line


def test_production_image_urls_are_public_by_default(tmp_path):
    url, signed = _storage_url(tmp_path)
    assert signed == "False"
    assert url.startswith("https://shop-media.s3.")
    assert url.endswith("/products/a.jpg")  # no query string: the same URL every time
    url, _ = _storage_url(tmp_path, AWS_S3_CUSTOM_DOMAIN="cdn.example.com")
    assert url == "https://cdn.example.com/products/a.jpg"


def test_presigned_image_urls_are_an_opt_in(tmp_path):
    url, signed = _storage_url(tmp_path, AWS_QUERYSTRING_AUTH="1")
    assert signed == "True"
    assert url.startswith("https://shop-media.s3.")
    assert "Signature=" in url or "X-Amz-Signature=" in url


def test_webhooks_read_their_environment(tmp_path):
    from bazary.testing.tls import CertificateAuthority

    ca = CertificateAuthority().write_pem(tmp_path / "ca.pem")
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.development", "BAZARY_VAR_DIR": str(tmp_path)}
    show = "from bazary.webhooks.conf import webhooks_settings as s; print(s.ALLOW_PRIVATE_NETWORKS, s.CA_BUNDLE)"
    result = manage("shell", "--no-imports", "-c", show, **env)
    assert result.stdout.strip() == "False None", result.stderr
    result = manage(
        "shell", "--no-imports", "-c", show, WEBHOOKS_ALLOW_PRIVATE_NETWORKS="1", WEBHOOKS_CA_BUNDLE=str(ca), **env
    )
    assert result.stdout.strip() == f"True {ca}", result.stderr
    # A bundle that cannot be read stops the site at its checks.
    result = manage("check", WEBHOOKS_CA_BUNDLE=str(tmp_path / "missing.pem"), **env)
    assert result.returncode != 0
    assert "bazary_webhooks.E017" in result.stderr
