"""Search, filters and ordering of ``GET auth/users/``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from ..conf import get_adapter

BOOLEAN = [("true", "true"), ("false", "false")]
SEARCH_MAX = 254
ORDERING = ("email", "first_name", "last_name", "date_joined", "last_login")


class StaffUserFilterSet(filters.FilterSet):
    # Choices, not BooleanFilters: an unknown value is a 400, not silently "no filter".
    search = filters.CharFilter(
        method="filter_search", max_length=SEARCH_MAX, help_text=_("Part of the email address or the names.")
    )
    is_active = filters.ChoiceFilter(choices=BOOLEAN, method="filter_flag")
    is_staff = filters.ChoiceFilter(choices=BOOLEAN, method="filter_flag")
    verified = filters.ChoiceFilter(choices=BOOLEAN, method="filter_verified", help_text=_("Address verified."))
    locked = filters.ChoiceFilter(
        choices=BOOLEAN, method="filter_flag", help_text=_("A client is locked out of the account now.")
    )
    has_mfa = filters.ChoiceFilter(
        choices=BOOLEAN, method="filter_flag", help_text=_("A confirmed authenticator app or a passkey.")
    )
    joined_after = filters.IsoDateTimeFilter(
        field_name="date_joined", lookup_expr="gte", help_text=_("Joined at or after (ISO 8601).")
    )
    joined_before = filters.IsoDateTimeFilter(
        field_name="date_joined", lookup_expr="lte", help_text=_("Joined at or before (ISO 8601).")
    )
    ordering = filters.OrderingFilter(
        fields=ORDERING, help_text=_("email, date_joined, last_login... (- for descending)")
    )

    class Meta:
        model = get_user_model()
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        adapter = get_adapter()
        for name, field in (("is_active", "is_active"), ("is_staff", "is_staff"), ("joined_after", "date_joined")):
            if not adapter.has_field(field):
                self.filters.pop(name, None)
        if not adapter.has_field("date_joined"):
            self.filters.pop("joined_before", None)
        if not adapter.has_field("email_verified_at"):
            self.filters.pop("verified", None)
        present = [name for name in ORDERING if adapter.has_field(name)]
        if len(present) != len(ORDERING):
            ordering = filters.OrderingFilter(fields=present)
            ordering.model, ordering.parent = self.filters["ordering"].model, self
            self.filters["ordering"] = ordering

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        adapter = get_adapter()
        condition = Q(**{f"{adapter.email_field()}__icontains": value})
        for field in ("first_name", "last_name"):
            if adapter.has_field(field):
                condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    def filter_flag(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(**{name: value == "true"})

    def filter_verified(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(email_verified_at__isnull=value != "true")

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        # A stable order: the primary key breaks ties, so pages never overlap.
        ordering = list(queryset.query.order_by) or [get_adapter().email_field()]
        return queryset.order_by(*ordering, "pk")
