"""The product FilterSet (swappable with ``PRODUCT_FILTERSET``) and the
category list filter. Invalid values are 400s with field errors."""

from __future__ import annotations

from typing import Any, cast

import django_filters as filters
from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import QueryArrayWidget
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from bazary.core.permissions import is_staff

from .conf import catalog_settings
from .models import get_category_model, get_product_model
from .search import through_fk

ORDERING_FIELDS = (("price", "price"), ("name", "name"), ("created_at", "created_at"))


class MultipleSlugField(forms.Field):
    """``?tag=a&tag=b`` (or ``?tag=a,b``): a list of slugs."""

    widget = QueryArrayWidget

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        values = [str(item).strip() for item in value if str(item).strip()]
        validator = forms.SlugField().run_validators
        for item in values:
            if len(item) > 100:
                raise forms.ValidationError(_("Slugs are 100 characters at most."))
            ProhibitNullCharactersValidator()(item)
            validator(item)
        if len(values) > 50:
            raise forms.ValidationError(_("At most 50 values."))
        return values


class StrictBooleanField(forms.Field):
    """``true``/``false`` (and ``1``/``0``, ``yes``/``no``); anything else is a
    400, not silently ignored as django-filter's select widget would."""

    TRUE, FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(_("Use true or false."), code="invalid")


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class MultipleSlugFilter(filters.Filter):
    field_class = MultipleSlugField


class StableOrderingFilter(filters.OrderingFilter):
    """The whitelisted ordering, with the primary key as a tie-breaker so
    pages never overlap."""

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        if not value:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        return qs.order_by(*ordering, "-pk")


class ProductFilterSet(filters.FilterSet):
    category = filters.CharFilter(
        method="filter_category", max_length=140, help_text=_("Category slug; includes its descendants.")
    )
    tag = MultipleSlugFilter(method="filter_tag", help_text=_("Tag slug; repeat for any of several (OR)."))
    min_price = filters.NumberFilter(
        field_name="price", lookup_expr="gte", max_digits=12, decimal_places=2, min_value=0
    )
    max_price = filters.NumberFilter(
        field_name="price", lookup_expr="lte", max_digits=12, decimal_places=2, min_value=0
    )
    in_stock = StrictBooleanFilter(method="filter_in_stock")
    featured = StrictBooleanFilter(field_name="is_featured")
    is_active = StrictBooleanFilter(field_name="is_active", help_text=_("Staff only; ignored for others."))
    search = filters.CharFilter(method="filter_search", help_text=_("Search text (name, SKU, tags, description)."))
    ordering = StableOrderingFilter(
        fields=ORDERING_FIELDS, help_text=_("price, -price, name, -name, created_at, -created_at")
    )

    class Meta:
        model = get_product_model()
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read per request, so override_settings applies.
        self.filters["search"].extra["max_length"] = catalog_settings.MAX_SEARCH_LENGTH
        if not is_staff(self.request):
            self.filters.pop("is_active")

    def filter_category(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # One subquery, no extra round trip: the category's subtree by path prefix.
        categories = get_category_model()._default_manager.all()
        if not is_staff(self.request):
            categories = categories.visible()
        path = Subquery(categories.filter(slug=value).values("path")[:1])
        return queryset.filter(category__path__startswith=path)

    def filter_tag(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        through = cast(Any, queryset.model._meta.get_field("tags")).remote_field.through

        product_fk = through_fk(through, queryset.model)
        tagged = through.objects.filter(tag__slug__in=value, **{product_fk: OuterRef("pk")})
        # EXISTS, not a join: no duplicate rows, no DISTINCT.
        return queryset.filter(Exists(tagged))

    def filter_in_stock(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        products = cast(Any, queryset)  # a ProductQuerySet
        return products.in_stock() if value else products.out_of_stock()

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return catalog_settings.SEARCH_BACKEND().search(queryset, value)


class CategoryFilterSet(filters.FilterSet):
    parent = filters.CharFilter(
        method="filter_parent", max_length=140, help_text=_("Parent slug, or 'root' for top-level categories.")
    )

    class Meta:
        model = get_category_model()
        fields: list[str] = []

    def filter_parent(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "root":
            return queryset.filter(parent__isnull=True)
        parents = get_category_model()._default_manager.all()
        if not is_staff(self.request):
            # An inactive category (or one under an inactive ancestor) has no
            # children for customers, even if theirs are active.
            parents = parents.visible()
        return queryset.filter(parent__in=parents.filter(slug=value).values("pk"))
