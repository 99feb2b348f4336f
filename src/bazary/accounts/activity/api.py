"""``GET auth/activity/``: the signed-in user's own activity log, newest first."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from bazary.core.views import BazaryAPIMixin

from ..models import AccountEvent
from ..serializers import ErrorSerializer
from . import kinds, label


def kind_choices() -> list[tuple[str, str]]:
    return sorted((code, str(name)) for code, name in kinds().items())


class ActivityFilterSet(filters.FilterSet):
    kind = filters.MultipleChoiceFilter(
        choices=kind_choices, help_text=_("Only events of this kind; repeat for several (kind=a&kind=b).")
    )
    since = filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text=_("At or after this time (ISO 8601).")
    )
    until = filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="lte", help_text=_("At or before this time (ISO 8601).")
    )

    class Meta:
        model = AccountEvent
        fields = ("kind", "since", "until")


class AccountEventSerializer(serializers.ModelSerializer):
    """One event as its user sees it: who acted is only "staff or not" (staff accounts stay private)."""

    title = serializers.SerializerMethodField()
    by_staff = serializers.SerializerMethodField()

    class Meta:
        model = AccountEvent
        fields = ("id", "kind", "title", "created_at", "ip", "user_agent", "data", "by_staff")
        read_only_fields = fields

    def get_title(self, event: AccountEvent) -> str:
        return label(event.kind)

    def get_by_staff(self, event: AccountEvent) -> bool:
        return event.actor_id is not None and event.actor_id != event.user_id


class ActivityView(BazaryAPIMixin, generics.ListAPIView):
    """Your account's activity log: sign-ins, failed sign-ins, password and email changes, sessions ended..."""

    serializer_class = AccountEventSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = ActivityFilterSet

    def get_queryset(self) -> QuerySet[AccountEvent]:
        if getattr(self, "swagger_fake_view", False):
            return AccountEvent.objects.none()
        return AccountEvent.objects.filter(user=cast(Any, self.request.user)).order_by("-created_at", "-pk")

    @extend_schema(
        tags=["accounts"],
        summary="Your activity log, newest first",
        responses={
            200: AccountEventSerializer(many=True),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="A bad filter: errors per parameter."),
            401: OpenApiResponse(ErrorSerializer, description="Not authenticated."),
            429: OpenApiResponse(ErrorSerializer, description="Throttled; see Retry-After."),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
