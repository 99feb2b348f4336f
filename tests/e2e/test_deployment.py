"""The production configuration against real PostgreSQL, Redis, S3 and workers."""

from __future__ import annotations

import io
import time
import uuid

import boto3
import redis as redis_client
import requests
from PIL import Image

from .conftest import Site, wait_until


def png_bytes(color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), color).save(buffer, format="PNG")
    return buffer.getvalue()


def test_ready_reports_every_dependency(site: Site):
    response = requests.get(site.url("/health/ready"), timeout=10)
    assert response.status_code == 200, response.text
    assert {name for name, check in response.json()["checks"].items() if check["status"] == "ok"} == {
        "database",
        "cache",
        "storage",
        "tasks",
    }


def test_image_upload_lands_in_the_bucket_and_its_url_serves_the_bytes(site: Site, admin_headers):
    slug = f"cat-{uuid.uuid4().hex[:8]}"
    response = requests.post(
        site.url("/api/v1/categories/"), json={"name": slug, "slug": slug}, headers=admin_headers, timeout=10
    )
    assert response.status_code == 201, response.text
    response = requests.post(
        site.url("/api/v1/products/"),
        json={"name": f"Lamp {slug}", "price": "19.90", "stock": 3, "category": slug, "description": "A lamp."},
        headers=admin_headers,
        timeout=10,
    )
    assert response.status_code == 201, response.text
    product = response.json()["slug"]

    data = png_bytes()
    response = requests.post(
        site.url(f"/api/v1/products/{product}/images/"),
        files={"image": ("lamp.png", data, "image/png")},
        data={"alt_text": "A red lamp"},
        headers=admin_headers,
        timeout=30,
    )
    assert response.status_code == 201, response.text
    url = response.json()["url"] if "url" in response.json() else response.json()["image"]
    assert url.startswith(site.env["AWS_S3_ENDPOINT_URL"]), url

    s3 = boto3.client(
        "s3",
        endpoint_url=site.env["AWS_S3_ENDPOINT_URL"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    # A private bucket: the URL is presigned (AWS_QUERYSTRING_AUTH=1, the opt-in).
    assert "Signature=" in url
    key = url.split("?", 1)[0].split(f"/{site.env['AWS_STORAGE_BUCKET_NAME']}/", 1)[1]
    stored = s3.get_object(Bucket=site.env["AWS_STORAGE_BUCKET_NAME"], Key=key)["Body"].read()
    assert stored == data
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert response.content == data


def test_login_throttle_is_shared_by_the_gunicorn_workers(site: Site):
    # THROTTLE_LOGIN is 5/min for the site. Were the counters per process, two
    # workers would let about ten attempts through; Redis makes it five.
    redis_client.Redis.from_url(site.redis.url).flushdb()
    statuses = []
    for attempt in range(12):
        response = requests.post(
            site.url("/api/v1/auth/token/"),
            json={"email": f"nobody-{attempt}@example.com", "password": "wrong-password"},
            timeout=10,
        )
        statuses.append(response.status_code)
    try:
        assert statuses[:5] == [401] * 5, statuses
        assert set(statuses[5:]) == {429}, statuses
        # A forged X-Forwarded-For does not open a new bucket.
        response = requests.post(
            site.url("/api/v1/auth/token/"),
            json={"email": "nobody@example.com", "password": "x"},
            headers={"X-Forwarded-For": "203.0.113.7"},
            timeout=10,
        )
        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) > 0
    finally:
        redis_client.Redis.from_url(site.redis.url).flushdb()


def test_lockout_holds_across_workers(site: Site):
    redis_client.Redis.from_url(site.redis.url).flushdb()
    email = f"locked-{uuid.uuid4().hex[:8]}@example.com"
    password = "a-Long-and-unusual-passphrase-42"
    response = requests.post(
        site.url("/api/v1/auth/register/"), json={"email": email, "password": password}, timeout=10
    )
    assert response.status_code == 201, response.text
    try:
        for attempt in range(3):  # LOCKOUT_THRESHOLD for the site
            response = requests.post(
                site.url("/api/v1/auth/token/"), json={"email": email, "password": "wrong"}, timeout=10
            )
            if attempt < 2:
                assert response.status_code == 401, response.text
        response = requests.post(
            site.url("/api/v1/auth/token/"), json={"email": email, "password": password}, timeout=10
        )
        assert response.status_code == 403
        assert response.json()["code"] == "account_locked"
    finally:
        redis_client.Redis.from_url(site.redis.url).flushdb()


def test_a_real_worker_delivers_the_email_from_the_queue(site: Site):
    email = f"worker-{uuid.uuid4().hex[:8]}@example.com"
    before = len(site.emails())
    response = requests.post(
        site.url("/api/v1/auth/register/"),
        json={"email": email, "password": "a-Long-and-unusual-passphrase-42"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    wait_until(lambda: any(email in text for text in site.emails()[before:]), "the worker to send the email", 60)


def test_ready_is_503_while_redis_is_down_and_200_when_it_is_back(site: Site):
    site.redis.stop()
    try:
        response = requests.get(site.url("/health/ready"), timeout=20)
        assert response.status_code == 503
        assert response.json()["checks"]["cache"]["status"] == "error"
        assert response.json()["checks"]["database"]["status"] == "ok"
    finally:
        site.redis.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        response = requests.get(site.url("/health/ready"), timeout=20)
        if response.status_code == 200:
            break
        time.sleep(0.5)
    assert response.status_code == 200, response.text
