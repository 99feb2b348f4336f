"""Admin for the catalog. Only the default models are registered here; a
project that swaps Product or Category registers its own admin (it can reuse
:class:`ProductAdmin` / :class:`CategoryAdmin`)."""

from __future__ import annotations

from typing import Any, cast

import swapper
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .images import name_for_format, validate_image_file
from .models import (
    Category,
    Option,
    OptionValue,
    PriceChange,
    Product,
    ProductImage,
    StockAlert,
    StockMovement,
    Tag,
    Variant,
    VariantOptionValue,
    combination_key,
)


class ImageUploadForm(forms.ModelForm):
    """The API's checks of an uploaded ``image`` in the admin too: by content,
    at most ``IMAGE_MAX_BYTES`` and ``IMAGE_MAX_PIXELS``, stored under the
    extension of its format."""

    def clean_image(self) -> Any:
        image = self.cleaned_data.get("image")
        if isinstance(image, UploadedFile):  # a new upload, not the stored file
            image.name = name_for_format(image.name, validate_image_file(image))
        return image


class CategoryAdmin(admin.ModelAdmin):
    form = ImageUploadForm
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
    form = ImageUploadForm
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


# --------------------------------------------------------------------------- variants


def option_value_choices() -> list[tuple[int, str]]:
    """Every option value as ``(id, "Size: M")``, in one query."""
    values = OptionValue.objects.select_related("option").order_by("option__position", "option__name", "position")
    return [(value.pk, f"{value.option.name}: {value.name}") for value in values]


class VariantAdminForm(forms.ModelForm):
    """A variant with its option values (one per option), written through
    :meth:`Variant.set_option_values` so ``combination_key`` follows."""

    values = forms.ModelMultipleChoiceField(
        queryset=OptionValue.objects.select_related("option"),
        required=False,
        label=_("option values"),
        help_text=_("One value per option of the product."),
    )

    class Meta:
        model = Variant
        fields = (
            "product",
            "sku",
            "price",
            "compare_at_price",
            "cost_price",
            "track_inventory",
            "allow_backorder",
            "low_stock_threshold",
            "weight",
            "length",
            "width",
            "height",
            "is_active",
            "position",
            "images",
        )

    def __init__(self, *args: Any, value_choices: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["values"])
        if value_choices is not None:
            field.choices = value_choices  # computed once for the whole inline
        if self.instance.pk:
            self.initial.setdefault("values", [link.value_id for link in self.instance.option_links.all()])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = list(cleaned.get("values") or [])
        options = [value.option_id for value in values]
        if len(options) != len(set(options)):
            raise ValidationError({"values": _("Choose one value per option.")})
        product = cleaned.get("product")
        product_id = product.pk if product is not None else self.instance.product_id
        key = combination_key(values)
        if product_id and not self.errors:
            clash = Variant.objects.filter(product_id=product_id, combination_key=key).exclude(pk=self.instance.pk)
            if clash.exists():
                raise ValidationError({"values": _("Another variant of this product has these option values.")})
        cleaned["combination_key"] = key
        return cleaned

    def save(self, commit: bool = True) -> Any:
        # The row is written with its combination (the database checks it).
        self.instance.combination_key = self.cleaned_data.get("combination_key", "")
        return super().save(commit)

    def _save_m2m(self) -> None:
        super()._save_m2m()  # type: ignore[misc]
        self.instance.set_option_values(self.cleaned_data.get("values") or [])


class VariantFormSet(BaseInlineFormSet):
    value_choices: list[tuple[int, str]] | None = None

    def get_form_kwargs(self, index: Any) -> dict[str, Any]:
        if self.value_choices is None:
            self.value_choices = option_value_choices()
        return {**super().get_form_kwargs(index), "value_choices": self.value_choices}

    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            key = data.get("combination_key", "")
            if key in seen:
                raise ValidationError(_("Two variants have the same option values."))
            seen.add(key)


class VariantInline(admin.TabularInline):
    """The product's variants with their option values; the rest of a
    variant (images, dimensions, its stock movements) on its own page."""

    model = Variant
    form = VariantAdminForm
    formset = VariantFormSet
    extra = 0
    fields = ("sku", "values", "price", "compare_at_price", "stock", "track_inventory", "is_active", "position")
    readonly_fields = ("stock",)
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("option_links")


class VariantStockMovementInline(admin.TabularInline):
    model = StockMovement
    fk_name = "variant"
    extra = 0
    fields = ("created_at", "delta", "stock_after", "reason", "user")
    readonly_fields = fields
    can_delete = False
    ordering = ("-created_at",)
    max_num = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("user")


class VariantAdmin(admin.ModelAdmin):
    form = VariantAdminForm
    list_display = ("sku", "product", "option_summary", "price", "stock", "is_active")
    list_filter = ("is_active",)
    search_fields = ("sku", "product__name", "product__sku")
    list_select_related = ("product",)
    raw_id_fields = ("product",)
    readonly_fields = ("stock", "created_at", "updated_at")
    filter_horizontal = ("images",)
    inlines = (VariantStockMovementInline,)
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The option values of a whole page in one query.
        return super().get_queryset(request).prefetch_related("option_links__value", "option_links__option")

    @admin.display(description=_("option values"))
    def option_summary(self, obj: Variant) -> str:
        return " / ".join(value.name for value in obj.option_value_list())

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "images":
            # Only its product's images.
            variant_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            product_id = Variant.objects.filter(pk=variant_id).values("product_id") if variant_id else None
            kwargs["queryset"] = (
                ProductImage.objects.filter(product_id__in=product_id)
                if product_id is not None
                else ProductImage.objects.none()
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class OptionValueInline(admin.TabularInline):
    model = OptionValue
    extra = 1
    fields = ("name", "slug", "position", "color")


class OptionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position", "value_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (OptionValueInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(value_total=Count("values"))

    @admin.display(description=_("values"), ordering="value_total")
    def value_count(self, obj: Any) -> int:
        return obj.value_total


# --------------------------------------------------------------------------- products


class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "sku", "category", "price", "currency", "total_stock", "is_active", "is_featured")
    list_filter = ("is_active", "is_featured", InStockFilter, "category")
    search_fields = ("name", "sku")
    list_select_related = ("category",)
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("category", "tags")
    readonly_fields = ("stock", "created_at", "updated_at")
    filter_horizontal = ("options",)
    inlines = (ProductImageInline, VariantInline, StockMovementInline)
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The stock column of a product with variants is theirs: two
        # subqueries, not a query per row.
        variants = Variant.objects.filter(product=OuterRef("pk")).order_by().values("product")
        return (
            super()
            .get_queryset(request)
            .annotate(
                variant_total=Subquery(variants.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
                variant_stock=Subquery(
                    variants.filter(is_active=True, track_inventory=True).annotate(s=Sum("stock")).values("s"),
                    output_field=IntegerField(),
                ),
            )
        )

    @admin.display(description=_("stock"))
    def total_stock(self, obj: Any) -> int:
        if getattr(obj, "variant_total", None):
            return int(obj.variant_stock or 0)
        return obj.stock

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        product = form.instance
        # The product varies by the options its variants use.
        option_ids = set(
            VariantOptionValue.objects.filter(variant__product=product).values_list("option_id", flat=True)
        )
        if option_ids:
            product.options.add(*option_ids)
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
    list_display = ("created_at", "product", "variant", "delta", "stock_after", "reason", "user")
    list_select_related = ("product", "variant", "user")
    search_fields = ("product__name", "product__sku", "variant__sku", "reason")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PriceChangeAdmin(StockMovementAdmin):
    """The price audit (bulk price changes write it): read-only."""

    list_display = ("created_at", "product", "variant", "old_price", "new_price", "reason", "user")
    list_select_related = ("product", "variant", "user")
    search_fields = ("product__name", "product__sku", "variant__sku", "reason")


class StockAlertAdmin(admin.ModelAdmin):
    list_display = ("product", "variant", "user", "created_at", "notified_at")
    list_filter = (("notified_at", admin.EmptyFieldListFilter),)
    list_select_related = ("product", "variant", "user")
    search_fields = ("product__name", "product__sku", "variant__sku")
    raw_id_fields = ("user", "product", "variant")


if not swapper.is_swapped("bazary_catalog", "Category"):
    admin.site.register(Category, CategoryAdmin)
if not swapper.is_swapped("bazary_catalog", "Product"):
    admin.site.register(Product, ProductAdmin)
admin.site.register(Tag, TagAdmin)
admin.site.register(Option, OptionAdmin)
admin.site.register(Variant, VariantAdmin)
admin.site.register(StockMovement, StockMovementAdmin)
admin.site.register(StockAlert, StockAlertAdmin)
admin.site.register(PriceChange, PriceChangeAdmin)
