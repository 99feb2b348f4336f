"""Admin for the catalog. Only the default models are registered here; a
project that swaps Product or Category registers its own admin (it can reuse
:class:`ProductAdmin` / :class:`CategoryAdmin`)."""

from __future__ import annotations

from typing import Any

import swapper
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Category, Product, ProductImage, StockAlert, StockMovement, Tag


class CategoryAdmin(admin.ModelAdmin):
    list_display = ("indented_name", "slug", "is_active", "position", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    readonly_fields = ("path", "created_at", "updated_at")
    ordering = ("path",)

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj: Any) -> str:
        # Sorted by path, children follow their parent: indent by depth.
        return format_html('<span style="padding-left:{}em">{}</span>', obj.depth * 1.5, obj.name)


class InStockFilter(admin.SimpleListFilter):
    title = _("in stock")
    parameter_name = "in_stock"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Yes")), ("no", _("No")), ("low", _("Low stock"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(Q(track_inventory=False) | Q(stock__gt=0))
        if self.value() == "no":
            return queryset.filter(track_inventory=True, stock__lte=0)
        if self.value() == "low":
            from django.db.models import F

            return queryset.filter(track_inventory=True, stock__lte=F("low_stock_threshold"))
        return queryset


class ProductImageFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        primaries = [
            form
            for form in self.forms
            if form.cleaned_data.get("is_primary") and not form.cleaned_data.get("DELETE", False)
        ]
        # The database allows one primary image per product; say so here
        # rather than fail on the constraint.
        if len(primaries) > 1:
            raise ValidationError(_("Only one image can be the primary image."))


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    formset = ProductImageFormSet
    extra = 0
    fields = ("preview", "image", "alt_text", "position", "is_primary", "width", "height")
    readonly_fields = ("preview", "width", "height")

    @admin.display(description=_("preview"))
    def preview(self, obj: ProductImage) -> str:
        if not obj.pk or not obj.image:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" style="max-height:80px;max-width:120px">', obj.image.url, obj.alt_text
        )


class StockMovementInline(admin.TabularInline):
    """The audit trail: read-only (stock changes go through the API or
    :func:`bazary.catalog.stock.adjust_stock`)."""

    model = StockMovement
    extra = 0
    fields = ("created_at", "delta", "stock_after", "reason", "user")
    readonly_fields = fields
    can_delete = False
    ordering = ("-created_at",)
    max_num = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "sku", "category", "price", "currency", "stock", "is_active", "is_featured")
    list_filter = ("is_active", "is_featured", InStockFilter, "category")
    search_fields = ("name", "sku")
    list_select_related = ("category",)
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("category", "tags")
    readonly_fields = ("stock", "created_at", "updated_at")
    inlines = (ProductImageInline, StockMovementInline)
    list_per_page = 50

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # As in the API: a product with images always has a primary one.
        product = form.instance
        images = ProductImage.objects.filter(product=product)
        if not images.filter(is_primary=True).exists():
            first = images.order_by("position", "id").first()
            if first is not None:
                images.filter(pk=first.pk).update(is_primary=True)


class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class StockMovementAdmin(admin.ModelAdmin):
    list_display = ("created_at", "product", "delta", "stock_after", "reason", "user")
    list_select_related = ("product", "user")
    search_fields = ("product__name", "product__sku", "reason")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StockAlertAdmin(admin.ModelAdmin):
    list_display = ("product", "user", "created_at", "notified_at")
    list_filter = (("notified_at", admin.EmptyFieldListFilter),)
    list_select_related = ("product", "user")
    search_fields = ("product__name", "product__sku")
    raw_id_fields = ("user", "product")


if not swapper.is_swapped("bazary_catalog", "Category"):
    admin.site.register(Category, CategoryAdmin)
if not swapper.is_swapped("bazary_catalog", "Product"):
    admin.site.register(Product, ProductAdmin)
admin.site.register(Tag, TagAdmin)
admin.site.register(StockMovement, StockMovementAdmin)
admin.site.register(StockAlert, StockAlertAdmin)
