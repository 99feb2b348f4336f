"""PublicS3Storage writes the URL django-storages' S3Storage writes, without
asking botocore per key. No S3 server is needed: an unsigned URL is built
locally by botocore, which is what these tests compare against."""

from __future__ import annotations

from unittest import mock

import pytest
from storages.backends.s3 import S3Storage

from bazary.core.s3 import PublicS3Storage

CONFIGS = [
    {"bucket_name": "media", "endpoint_url": "http://127.0.0.1:9000", "region_name": "us-east-1"},
    {"bucket_name": "media", "region_name": "eu-west-1"},
    {"bucket_name": "media", "region_name": "eu-west-1", "location": "shop/media"},
    {"bucket_name": "my.dotted.bucket", "region_name": "us-east-1"},
    {"bucket_name": "media", "endpoint_url": "https://minio.example.com", "addressing_style": "virtual"},
]
NAMES = [
    "products/2026/12/espresso-machine_1.jpg",
    "categories/Trail.Running~2.webp",
    "x y.jpg",
    "café.png",
    "a+b&c.jpg",
    "./a/../b.jpg",
    "/leading/slash.png",
]


@pytest.mark.parametrize("options", CONFIGS)
def test_public_urls_are_django_storages_own(options):
    fast, reference = PublicS3Storage(querystring_auth=False, **options), S3Storage(querystring_auth=False, **options)
    for name in NAMES:
        assert outcome(fast.url, name) == outcome(reference.url, name), name


def outcome(url, name):
    """The URL, or the error's type (a key outside ``location`` is refused by both)."""
    try:
        return url(name)
    except Exception as error:
        return type(error)


def test_a_key_botocore_would_not_quote_is_not_sent_to_botocore():
    storage = PublicS3Storage(querystring_auth=False, bucket_name="media", region_name="eu-west-1")
    storage.url("warm/up.jpg")  # the one probe
    with mock.patch.object(S3Storage, "url", side_effect=AssertionError("botocore asked")):
        assert storage.url("products/a.jpg").endswith("/products/a.jpg")
    with mock.patch.object(S3Storage, "url", return_value="escaped") as reference:
        assert storage.url("x y.jpg") == "escaped"  # quoted by botocore, as before
    reference.assert_called_once()


@pytest.mark.parametrize(
    "options",
    [
        {"querystring_auth": True, "access_key": "testing", "secret_key": "testing"},
        {"querystring_auth": False, "custom_domain": "cdn.example.com"},
    ],
)
def test_signed_and_custom_domain_urls_are_left_to_django_storages(options):
    storage = PublicS3Storage(bucket_name="media", region_name="eu-west-1", **options)
    assert storage._public_url_prefix is None
    url = storage.url("products/a.jpg")
    if options["querystring_auth"]:
        assert "Signature=" in url
    else:
        assert url == "https://cdn.example.com/products/a.jpg"


def test_extra_parameters_go_to_botocore():
    storage = PublicS3Storage(querystring_auth=False, bucket_name="media", region_name="eu-west-1")
    url = storage.url("products/a.jpg", parameters={"ResponseContentDisposition": "attachment"})
    assert url == S3Storage(querystring_auth=False, bucket_name="media", region_name="eu-west-1").url(
        "products/a.jpg", parameters={"ResponseContentDisposition": "attachment"}
    )
