"""The product FilterSet (swappable with ``PRODUCT_FILTERSET``) and the
category list filter. Invalid values are 400s with field errors."""

from __future__ import annotations

from typing import Any, cast

import django_filters as filters
from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import DecimalField, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.widgets import QueryArrayWidget
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from bazary.core.permissions import is_staff

from .conf import catalog_settings
from .models import (
    OptionValue,
    Variant,
    VariantOptionValue,
    get_category_model,
    get_product_model,
    own_or_variants,
    value_slug,
)
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


MAX_OPTION_FILTERS = 20


class OptionValueField(forms.Field):
    """``?option=size:M&option=colour:black``: a list of ``(option slug,
    value)`` pairs. Only repeated parameters, no commas: a value may hold one
    (``42,5``)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[tuple[str, str]]:
        if not value:
            return []
        items = [value] if isinstance(value, str) else list(value)
        if len(items) > MAX_OPTION_FILTERS:
            raise forms.ValidationError(_("At most %(n)d option filters.") % {"n": MAX_OPTION_FILTERS})
        pairs = []
        for item in items:
            text = str(item)
            ProhibitNullCharactersValidator()(text)
            option, sep, choice = text.partition(":")
            option, choice = option.strip(), choice.strip()
            if not sep or not option or not choice or len(option) > 100 or len(choice) > 100:
                raise forms.ValidationError(
                    _("Use <option>:<value>, e.g. size:M (each at most 100 characters)."), code="invalid"
                )
            pairs.append((option.lower(), choice))
        return pairs


@extend_schema_field({"type": "array", "items": {"type": "string", "example": "size:M"}})
class OptionValueFilter(filters.Filter):
    field_class = OptionValueField


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
    #: Every filter of it skips an absent value, so a request naming none of
    #: them is the queryset unchanged (see CatalogFilterBackend). Read from
    #: this class only: a subclass may filter by default, and says so itself.
    inert_without_params = True

    category = filters.CharFilter(
        method="filter_category", max_length=140, help_text=_("Category slug; includes its descendants.")
    )
    tag = MultipleSlugFilter(method="filter_tag", help_text=_("Tag slug; repeat for any of several (OR)."))
    # Applied together in filter_queryset: a product with variants matches
    # when one active variant's price is within both bounds.
    min_price = filters.NumberFilter(
        method="filter_nothing", max_digits=12, decimal_places=2, min_value=0, help_text=_("Price at least.")
    )
    max_price = filters.NumberFilter(
        method="filter_nothing", max_digits=12, decimal_places=2, min_value=0, help_text=_("Price at most.")
    )
    option = OptionValueFilter(
        method="filter_option",
        help_text=_(
            "<option slug>:<value slug or name>, e.g. size:M; repeat for several. A product matches when one "
            "of its active variants has, for each option named, one of the values given for it."
        ),
    )
    in_stock = StrictBooleanFilter(method="filter_in_stock")
    low_stock = StrictBooleanFilter(
        method="filter_low_stock",
        help_text=_("Staff only: at or below the low-stock threshold (a variant of it, for variants)."),
    )
    created_after = filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text=_("Staff only: created at or after (ISO 8601).")
    )
    created_before = filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="lte", help_text=_("Staff only: created at or before (ISO 8601).")
    )
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
            for name in ("is_active", "low_stock", "created_after", "created_before"):
                self.filters.pop(name, None)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        return self.filter_price(
            queryset, self.form.cleaned_data.get("min_price"), self.form.cleaned_data.get("max_price")
        )

    def filter_nothing(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset

    def filter_price(self, queryset: QuerySet, low: Any, high: Any) -> QuerySet:
        """Products without variants by their price; products with variants
        when one of their active variants costs between ``low`` and ``high``
        (a variant without a price costs the product's)."""
        if low is None and high is None:
            return queryset
        own, theirs = Q(), Q()
        if low is not None:
            own &= Q(price__gte=low)
            theirs &= Q(price_paid__gte=low)
        if high is not None:
            own &= Q(price__lte=high)
            theirs &= Q(price_paid__lte=high)
        variants = Variant.objects.filter(product=OuterRef("pk"))
        priced = variants.filter(is_active=True).annotate(
            price_paid=Coalesce("price", OuterRef("price"), output_field=DecimalField(max_digits=12, decimal_places=2))
        )
        return queryset.filter(own_or_variants(own, priced.filter(theirs)))

    def filter_option(self, queryset: QuerySet, name: str, value: list[tuple[str, str]]) -> QuerySet:
        if not value:
            return queryset
        wanted: dict[str, list[str]] = {}
        for option, choice in value:
            wanted.setdefault(option, []).append(choice)
        variants = Variant.objects.filter(product=OuterRef("pk"))
        if not is_staff(self.request):
            variants = variants.filter(is_active=True)
        for option, choices in wanted.items():
            by_name = Q()
            for choice in choices:
                by_name |= Q(name__iexact=choice)
            values = OptionValue.objects.filter(option__slug=option).filter(
                Q(slug__in=[value_slug(choice) for choice in choices]) | by_name
            )
            # One EXISTS per option on the (value, variant) index: all on the same variant.
            variants = variants.filter(
                Exists(VariantOptionValue.objects.filter(variant=OuterRef("pk"), value__in=values.values("pk")))
            )
        return queryset.filter(Exists(variants))

    def filter_low_stock(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        products = cast(Any, queryset)
        return products.low_stock() if value else products.exclude(products._low_stock_condition())

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
    inert_without_params = True  # as ProductFilterSet's

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


class CatalogFilterBackend(DjangoFilterBackend):
    """django-filter's backend, without building the filterset (a deep copy
    of its filters and a form, per request) when the request names none of
    its filters and the filterset class declares ``inert_without_params``:
    the queryset would come back unchanged. A parameter that merely starts
    with a filter's name (``tag[]``) counts as naming it."""

    def filter_queryset(self, request: Any, queryset: QuerySet, view: Any) -> QuerySet:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and filterset_class.__dict__.get("inert_without_params"):
            names = tuple(filterset_class.base_filters)
            if not any(param.startswith(names) for param in request.query_params):
                return queryset
        return super().filter_queryset(request, queryset, view)
