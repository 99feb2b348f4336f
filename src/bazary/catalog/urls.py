"""The catalog API; mounted at the root of ``bazary.urls`` or on its own."""

from django.urls import path

from . import views

app_name = "bazary_catalog"

SLUG = "<str:slug>"  # permissive: the views answer a JSON 404

category_list = views.CategoryViewSet.as_view({"get": "list", "post": "create"})
category_detail = views.CategoryViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
)
product_list = views.ProductViewSet.as_view({"get": "list", "post": "create"})
product_detail = views.ProductViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
)
option_list = views.OptionViewSet.as_view({"get": "list", "post": "create"})
option_detail = views.OptionViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
)
value_list = views.OptionValueViewSet.as_view({"get": "list", "post": "create"})
value_detail = views.OptionValueViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
)
variant_list = views.VariantViewSet.as_view({"get": "list", "post": "create"})
variant_detail = views.VariantViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
)
tag_list = views.TagViewSet.as_view({"get": "list", "post": "create"})
tag_detail = views.TagViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
)

urlpatterns = [
    path("categories/", category_list, name="category-list"),
    path("categories/tree/", views.CategoryTreeView.as_view(), name="category-tree"),
    path(f"categories/{SLUG}/", category_detail, name="category-detail"),
    path("products/", product_list, name="product-list"),
    # Before products/{slug}/: these slugs are reserved (RESERVED_PRODUCT_SLUGS).
    path("products/bulk/", views.ProductBulkView.as_view(), name="product-bulk"),
    path("products/export/", views.ProductExportView.as_view(), name="product-export"),
    path("products/import/", views.ProductImportView.as_view(), name="product-import"),
    path("products/import/<str:job_id>/", views.ProductImportJobView.as_view(), name="product-import-detail"),
    path(f"products/{SLUG}/", product_detail, name="product-detail"),
    path(f"products/{SLUG}/images/", views.ProductImageListView.as_view(), name="product-image-list"),
    path(
        f"products/{SLUG}/images/<str:image_id>/",
        views.ProductImageDetailView.as_view(),
        name="product-image-detail",
    ),
    path(f"products/{SLUG}/stock/", views.ProductStockView.as_view(), name="product-stock"),
    path(f"products/{SLUG}/stock-alert/", views.StockAlertView.as_view(), name="product-stock-alert"),
    path(f"products/{SLUG}/variants/", variant_list, name="variant-list"),
    path(f"products/{SLUG}/variants/<str:variant_id>/", variant_detail, name="variant-detail"),
    path(f"products/{SLUG}/variants/<str:variant_id>/stock/", views.VariantStockView.as_view(), name="variant-stock"),
    path(
        f"products/{SLUG}/variants/<str:variant_id>/stock-alert/",
        views.VariantStockAlertView.as_view(),
        name="variant-stock-alert",
    ),
    path("options/", option_list, name="option-list"),
    path(f"options/{SLUG}/", option_detail, name="option-detail"),
    path(f"options/{SLUG}/values/", value_list, name="option-value-list"),
    path(f"options/{SLUG}/values/<str:value_slug>/", value_detail, name="option-value-detail"),
    path("tags/", tag_list, name="tag-list"),
    path(f"tags/{SLUG}/", tag_detail, name="tag-detail"),
]
