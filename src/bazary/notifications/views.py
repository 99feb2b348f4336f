"""The notifications API: a user's own inbox and preferences, nothing else."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import ListSerializer
from rest_framework.views import APIView

from bazary.core.lookups import parse_id
from bazary.core.parsers import JSONParser
from bazary.core.views import BazaryAPIMixin

from .conf import notifications_settings
from .filters import NotificationFilterSet
from .models import Notification
from .pagination import NotificationPagination
from .preferences import PreferenceError, preference_rows, set_preferences
from .serializers import (
    ErrorSerializer,
    NotificationSerializer,
    PreferenceChangeSerializer,
    PreferenceSerializer,
    UnreadCountSerializer,
    UpdatedSerializer,
)

UNAUTHENTICATED = OpenApiResponse(ErrorSerializer, description=_("Not authenticated."))
NOT_FOUND = OpenApiResponse(ErrorSerializer, description=_("No such notification among the user's own."))
TAGS = ["notifications"]
# The URL takes anything (for a JSON 404); the schema documents what an id is.
ID_PARAM = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The notification's id."))


@extend_schema_view(
    list=extend_schema(
        summary=_("The user's notifications, newest first"),
        responses={
            200: NotificationSerializer(many=True),
            400: OpenApiResponse(description=_("Invalid filter value.")),
            401: UNAUTHENTICATED,
            404: OpenApiResponse(ErrorSerializer, description=_("Page out of range.")),
        },
    ),
    retrieve=extend_schema(
        summary=_("One of the user's notifications"),
        parameters=[ID_PARAM],
        responses={200: NotificationSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    ),
    destroy=extend_schema(
        summary=_("Delete one of the user's notifications"),
        parameters=[ID_PARAM],
        responses={204: None, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    ),
)
@extend_schema(tags=TAGS)
class NotificationViewSet(
    BazaryAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The signed-in user's in-app notifications. Another user's notification
    is a 404, exactly like one that does not exist."""

    permission_classes = [IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_class = NotificationFilterSet
    pagination_class = NotificationPagination
    # Permissive: any id reaches the view, which answers a JSON 404 for what is
    # not an id (letters, dots, huge numbers), never Django's HTML one.
    lookup_value_regex = r"[^/]+"

    def get_serializer_class(self) -> Any:
        return notifications_settings.NOTIFICATION_SERIALIZER

    def get_object(self) -> Notification:
        lookup = self.lookup_url_kwarg or self.lookup_field
        self.kwargs[lookup] = parse_id(self.kwargs.get(lookup, ""))
        return super().get_object()

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Notification.objects.none()
        return Notification.objects.for_user(self.request.user).for_listing()

    @extend_schema(
        summary=_("How many unread notifications the user has"),
        request=None,
        filters=False,
        responses={200: UnreadCountSerializer, 401: UNAUTHENTICATED},
    )
    @action(detail=False, methods=["get"], url_path="unread-count", pagination_class=None, filter_backends=[])
    def unread_count(self, request: Request) -> Response:
        count = Notification.objects.for_user(request.user).unread().count()
        return Response({"count": count})

    @extend_schema(
        summary=_("Mark every notification of the user read"),
        request=None,
        filters=False,
        responses={200: UpdatedSerializer, 401: UNAUTHENTICATED},
    )
    @action(detail=False, methods=["post"], url_path="read-all", pagination_class=None, filter_backends=[])
    def read_all(self, request: Request) -> Response:
        updated = Notification.objects.for_user(request.user).mark_read()
        return Response({"updated": updated})

    @extend_schema(
        summary=_("Mark a notification read"),
        parameters=[ID_PARAM],
        request=None,
        responses={200: NotificationSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = self.get_object()
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary=_("Mark a notification unread"),
        parameters=[ID_PARAM],
        request=None,
        responses={200: NotificationSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def unread(self, request: Request, pk: str | None = None) -> Response:
        notification = self.get_object()
        if notification.read_at is not None:
            notification.read_at = None
            notification.save(update_fields=["read_at"])
        return Response(self.get_serializer(notification).data)


@extend_schema(tags=TAGS)
class PreferencesView(BazaryAPIMixin, APIView):
    """The user's notification preferences: one row per registered kind and
    channel it can be sent on. Mandatory kinds (security emails) cannot be changed."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    pagination_class = None
    #: Rows accepted in one PUT; more than every kind times channel is never needed.
    max_rows = 1000

    @extend_schema(
        summary=_("The user's notification preferences"),
        description=_(
            "One row per registered kind and each channel that kind can be sent on: a mandatory kind "
            "(security email) lists only its own channels, always enabled; another kind lists every "
            "configured channel, since the user may turn on one that is off by default."
        ),
        responses={200: PreferenceSerializer(many=True), 401: UNAUTHENTICATED},
    )
    def get(self, request: Request) -> Response:
        return Response(PreferenceSerializer(preference_rows(request.user), many=True).data)

    @extend_schema(
        summary=_("Change some notification preferences"),
        description=_(
            "The rows given change; the others stay. Unknown kinds or channels, a channel the kind "
            "is never sent on (one not listed for it by GET) and changes to mandatory kinds are a 400, "
            "and then nothing changes. Answers the full list."
        ),
        request=PreferenceChangeSerializer(many=True),
        responses={
            200: PreferenceSerializer(many=True),
            400: OpenApiResponse(description=_("Invalid rows; errors are given per row, in order.")),
            401: UNAUTHENTICATED,
        },
    )
    def put(self, request: Request) -> Response:
        serializer: ListSerializer[Any] = ListSerializer(
            child=PreferenceChangeSerializer(), data=request.data, max_length=self.max_rows
        )
        serializer.is_valid(raise_exception=True)
        try:
            set_preferences(request.user, serializer.validated_data)
        except PreferenceError as exc:
            return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(PreferenceSerializer(preference_rows(request.user), many=True).data)
