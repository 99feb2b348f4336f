"""Filters of the order list (``GET orders/``): status, placing date range,
customer email, number, a search box and the ordering."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Order, OrderStatus


class OrderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices, help_text=_("Repeatable."))
    created_after = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text=_("Placed at or after (ISO 8601).")
    )
    created_before = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="lt", help_text=_("Placed before (ISO 8601).")
    )
    email = django_filters.CharFilter(
        field_name="email", lookup_expr="iexact", max_length=254, help_text=_("The customer's email.")
    )
    number = django_filters.CharFilter(method="filter_number", max_length=16, help_text=_("The order number."))
    search = django_filters.CharFilter(
        method="filter_search", max_length=100, help_text=_("Part of the number, email or recipient's name.")
    )
    ordering = django_filters.OrderingFilter(
        fields=(("created_at", "created_at"), ("total", "total"), ("number", "number"), ("status", "status")),
        help_text=_("created_at, total, number or status; '-' for descending (default -created_at)."),
    )

    class Meta:
        model = Order
        fields: list[str] = []

    def filter_number(self, queryset: QuerySet[Order], name: str, value: str) -> QuerySet[Order]:
        return queryset.filter(number__iexact=normalise_number(value))

    def filter_search(self, queryset: QuerySet[Order], name: str, value: str) -> QuerySet[Order]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(email__icontains=value)
            | Q(shipping_address__recipient_name__icontains=value)
        )


def normalise_number(value: Any) -> str:
    return str(value).strip().upper()
