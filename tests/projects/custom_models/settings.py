"""Swapped catalog models: ``shop.Product`` (with ``brand``) and ``shop.Category``
(with ``icon``) replace bazary's, and a serializer exposes the new field."""

from tests.projects.base import *  # noqa: F403
from tests.projects.base import THIRD_PARTY_APPS

INSTALLED_APPS = [
    *THIRD_PARTY_APPS,
    "bazary.core",
    "bazary.catalog",
    "tests.projects.custom_models.shop",
]
BAZARY_CATALOG_PRODUCT_MODEL = "shop.Product"
BAZARY_CATALOG_CATEGORY_MODEL = "shop.Category"
BAZARY_CATALOG = {
    "PRODUCT_SERIALIZER": "tests.projects.custom_models.shop.serializers.ProductSerializer",
    "PRODUCT_DETAIL_SERIALIZER": "tests.projects.custom_models.shop.serializers.ProductDetailSerializer",
    "CATEGORY_SERIALIZER": "tests.projects.custom_models.shop.serializers.CategorySerializer",
}
