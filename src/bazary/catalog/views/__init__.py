"""The catalog API, a module per resource. Every view mixes in
:class:`~bazary.core.views.BazaryAPIMixin` and sets its permissions, filter
backends and pagination explicitly; serializer, filterset, search backend and
pagination classes are read from ``BAZARY_CATALOG`` per request. This package
re-exports the views (``bazary.catalog.views.ProductViewSet``)."""

from .bulk import ProductBulkView
from .categories import CategoryTreeView, CategoryViewSet
from .common import CatalogPermissionMixin, SlugLookupMixin, conditional_response, guard_lookup, visible_product
from .images import ProductImageDetailView, ProductImageListView
from .options import OptionValueViewSet, OptionViewSet
from .products import ProductViewSet
from .stock import ProductStockView, StockAlertView, StockPermission
from .tags import TagViewSet
from .transfer import ProductExportView, ProductImportJobView, ProductImportView
from .variants import VariantStockAlertView, VariantStockView, VariantViewSet

__all__ = [
    "CatalogPermissionMixin",
    "CategoryTreeView",
    "CategoryViewSet",
    "OptionValueViewSet",
    "OptionViewSet",
    "ProductBulkView",
    "ProductExportView",
    "ProductImageDetailView",
    "ProductImageListView",
    "ProductImportJobView",
    "ProductImportView",
    "ProductStockView",
    "ProductViewSet",
    "SlugLookupMixin",
    "StockAlertView",
    "StockPermission",
    "TagViewSet",
    "VariantStockAlertView",
    "VariantStockView",
    "VariantViewSet",
    "conditional_response",
    "guard_lookup",
    "visible_product",
]
