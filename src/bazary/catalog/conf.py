"""``BAZARY_CATALOG``: the catalog's settings, read late (see :mod:`bazary.core.conf`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bazary.core.conf import AppSettings, Option, page_sizes_are_valid

SERIALIZER = "rest_framework.serializers.BaseSerializer"


def _currency_is_valid(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    currency = values.get("CURRENCY")
    if isinstance(currency, str) and not re.fullmatch(r"[A-Z]{3}", currency):
        yield "bazary_catalog.E010", f"CURRENCY = {currency!r} is not an ISO 4217 code such as 'USD'."


def _positive(name: str, check_id: str):
    def validate(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
        value = values.get(name)
        if isinstance(value, int) and value < 1:
            yield check_id, f"{name} must be at least 1, not {value}."

    return validate


def _tree_cache_timeout_is_valid(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    value = values.get("TREE_CACHE_TIMEOUT")
    if isinstance(value, int) and value < 0:
        yield "bazary_catalog.E014", "TREE_CACHE_TIMEOUT cannot be negative (use None to cache until a change)."


def _import_images_are_valid(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    timeout = values.get("IMPORT_IMAGE_TIMEOUT")
    if isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout <= 0:
        yield "bazary_catalog.E023", f"IMPORT_IMAGE_TIMEOUT must be above 0 seconds, not {timeout}."


def _product_url_is_valid(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    url = values.get("PRODUCT_URL")
    if isinstance(url, str) and "{slug}" not in url:
        yield "bazary_catalog.E015", f"PRODUCT_URL = {url!r} must contain '{{slug}}'."


catalog_settings = AppSettings(
    "BAZARY_CATALOG",
    "bazary.catalog",
    {
        "PAGE_SIZE": Option(20, (int,), help="Default page size of the catalog lists."),
        "MAX_PAGE_SIZE": Option(100, (int,), help="The largest page_size a client may ask for."),
        "CURRENCY": Option("USD", (str,), help="ISO 4217 code given to new products."),
        "PRODUCT_SERIALIZER": Option(
            "bazary.catalog.serializers.ProductSerializer", (str,), import_string=True, base=SERIALIZER
        ),
        "PRODUCT_DETAIL_SERIALIZER": Option(
            "bazary.catalog.serializers.ProductDetailSerializer", (str,), import_string=True, base=SERIALIZER
        ),
        "CATEGORY_SERIALIZER": Option(
            "bazary.catalog.serializers.CategorySerializer", (str,), import_string=True, base=SERIALIZER
        ),
        "TAG_SERIALIZER": Option(
            "bazary.catalog.serializers.TagSerializer", (str,), import_string=True, base=SERIALIZER
        ),
        "IMAGE_SERIALIZER": Option(
            "bazary.catalog.serializers.ProductImageSerializer", (str,), import_string=True, base=SERIALIZER
        ),
        "PRODUCT_FILTERSET": Option(
            "bazary.catalog.filters.ProductFilterSet",
            (str,),
            import_string=True,
            base="django_filters.filterset.BaseFilterSet",
        ),
        "SEARCH_BACKEND": Option(
            "bazary.catalog.search.AutoSearchBackend",
            (str,),
            import_string=True,
            base="bazary.catalog.search.BaseSearchBackend",
        ),
        "PAGINATION_CLASS": Option(
            "bazary.catalog.pagination.CatalogCappedCountPagination",
            (str,),
            import_string=True,
            base="rest_framework.pagination.BasePagination",
        ),
        "MAX_COUNT": Option(
            10_000,
            (int,),
            help="The default pagination counts at most this many matching items (count_is_exact says if it did).",
        ),
        "PERMISSION_CLASS": Option(
            "bazary.core.permissions.IsStaffWithModelPermsOrReadOnly",
            (str,),
            import_string=True,
            base="rest_framework.permissions.BasePermission",
            help="Permission class of the catalog's read/write endpoints.",
        ),
        "IMAGE_MAX_BYTES": Option(5 * 1024 * 1024, (int,), help="Largest accepted image upload, in bytes."),
        "IMAGE_MAX_PIXELS": Option(
            25_000_000, (int,), help="Most pixels (width x height) an uploaded image may have, read from its header."
        ),
        "TREE_CACHE_TIMEOUT": Option(
            3600, (int, type(None)), help="Seconds the category tree stays cached; None: until a change."
        ),
        "MAX_SEARCH_LENGTH": Option(200, (int,), help="Longest accepted search text, in characters."),
        "SEARCH_MAX_RESULTS": Option(
            1000, (int,), help="A search returns at most this many products: the first matches in catalog order."
        ),
        "BULK_MAX_ITEMS": Option(500, (int,), help="Most products one POST products/bulk/ may name."),
        "IMPORT_MAX_BYTES": Option(
            20 * 1024 * 1024, (int,), help="Largest file POST products/import/ accepts, in bytes."
        ),
        "IMPORT_IMAGES": Option(
            True,
            (bool,),
            help="Imports download the images a file names (Shopify's Image Src, the images column) and store them.",
        ),
        "IMPORT_ALLOW_PRIVATE_NETWORKS": Option(
            False,
            (bool,),
            help="Image downloads of an import may go to loopback/private/link-local addresses and plain http://.",
        ),
        "IMPORT_IMAGE_MAX_BYTES": Option(
            5 * 1024 * 1024, (int,), help="Largest image an import downloads, in bytes (a larger one is a row error)."
        ),
        "IMPORT_IMAGE_TIMEOUT": Option(
            10, (int, float), help="Seconds to connect to an image's server and to wait for each read of it."
        ),
        "IMPORT_MAX_IMAGES_PER_PRODUCT": Option(
            20, (int,), help="Most images one imported product may name (more is a row error)."
        ),
        "PRODUCT_URL": Option(
            None,
            (str, type(None)),
            help="URL template of a product page in emails, e.g. 'https://shop.example/p/{slug}'.",
        ),
    },
    validators=[
        _currency_is_valid,
        page_sizes_are_valid("bazary_catalog.E011"),
        _positive("IMAGE_MAX_BYTES", "bazary_catalog.E012"),
        _positive("IMAGE_MAX_PIXELS", "bazary_catalog.E017"),
        _positive("MAX_SEARCH_LENGTH", "bazary_catalog.E013"),
        _positive("SEARCH_MAX_RESULTS", "bazary_catalog.E016"),
        _positive("BULK_MAX_ITEMS", "bazary_catalog.E018"),
        _positive("IMPORT_MAX_BYTES", "bazary_catalog.E019"),
        _positive("MAX_COUNT", "bazary_catalog.E021"),
        _positive("IMPORT_IMAGE_MAX_BYTES", "bazary_catalog.E022"),
        _import_images_are_valid,
        _positive("IMPORT_MAX_IMAGES_PER_PRODUCT", "bazary_catalog.E024"),
        _tree_cache_timeout_is_valid,
        _product_url_is_valid,
    ],
)
