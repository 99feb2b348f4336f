"""Serializers of the catalog API, a module per resource. ``BAZARY_CATALOG``
can swap the product (list and write), product detail, category, tag and image
serializers for subclasses; their import strings name this package
(``bazary.catalog.serializers.ProductSerializer``), which re-exports them."""

from .categories import CategorySerializer, CategoryTreeSerializer
from .common import (
    INT_MAX,
    MAX_ATTRIBUTES_BYTES,
    CategoryField,
    CategoryRefSerializer,
    CategorySlugField,
    CategoryWithAncestorsSerializer,
    ImageRefSerializer,
    TagField,
    TagRefSerializer,
    ancestors_for,
    image_url,
    validate_attributes,
)
from .images import ProductImageSerializer, ProductImageUpdateSerializer
from .products import ProductDetailSerializer, ProductSerializer
from .stock import StockAlertSerializer, StockChangeSerializer, StockSerializer
from .tags import TagSerializer
from .variants import (
    OptionSerializer,
    OptionValueSerializer,
    ProductOptionSerializer,
    VariantSerializer,
    VariantStockSerializer,
)

__all__ = [
    "INT_MAX",
    "MAX_ATTRIBUTES_BYTES",
    "CategoryField",
    "CategoryRefSerializer",
    "CategorySerializer",
    "CategorySlugField",
    "CategoryTreeSerializer",
    "CategoryWithAncestorsSerializer",
    "ImageRefSerializer",
    "OptionSerializer",
    "OptionValueSerializer",
    "ProductDetailSerializer",
    "ProductImageSerializer",
    "ProductImageUpdateSerializer",
    "ProductOptionSerializer",
    "ProductSerializer",
    "StockAlertSerializer",
    "StockChangeSerializer",
    "StockSerializer",
    "TagField",
    "TagRefSerializer",
    "TagSerializer",
    "VariantSerializer",
    "VariantStockSerializer",
    "ancestors_for",
    "image_url",
    "validate_attributes",
]
