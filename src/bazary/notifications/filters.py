"""Filters of the notifications list."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from .models import Notification


class NotificationFilterSet(filters.FilterSet):
    # A choice, not a BooleanFilter: an unknown value is a 400, not silently "no filter".
    unread = filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_unread",
        label=_("true: only unread notifications; false: only read ones."),
    )

    class Meta:
        model = Notification
        fields = ("unread",)

    def filter_unread(self, queryset: QuerySet[Notification], name: str, value: Any) -> QuerySet[Notification]:
        return queryset.filter(read_at__isnull=value == "true")
