"""Filters of the notifications list."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Notification


class NotificationFilterSet(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(method="filter_unread", label=_("Only unread (true) or only read (false)."))

    class Meta:
        model = Notification
        fields = ("unread",)

    def filter_unread(self, queryset: QuerySet[Notification], name: str, value: Any) -> QuerySet[Notification]:
        return queryset.filter(read_at__isnull=bool(value))
