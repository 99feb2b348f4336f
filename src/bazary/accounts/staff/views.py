"""``auth/users/``: staff manage accounts (list, detail, changes, actions, bulk, stats)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from bazary.core.lookups import parse_id
from bazary.core.views import BazaryAPIMixin

from .. import activity, sessions
from ..activity import EventKind
from ..conf import get_adapter
from ..models import RevokeReason
from ..serializers import ErrorSerializer
from . import actions, queries
from . import serializers as s
from .filters import StaffUserFilterSet
from .permissions import StaffUserPermission, check_privilege_change, check_targets

TAGS = ["accounts: staff"]
ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated."),
    403: OpenApiResponse(ErrorSerializer, description="Not staff, without the permission, or a privilege rule."),
    429: OpenApiResponse(ErrorSerializer, description="Throttled; see Retry-After."),
}
BAD_INPUT = {400: OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid input: errors per field.")}
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="No such user.")}
ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


def get_user(pk: Any) -> Any:
    """The account ``pk`` names (annotated like the list), or a 404 for what is not an id."""
    return get_object_or_404(queries.with_details(queries.users()), pk=parse_id(pk))


class StaffView(BazaryAPIMixin):
    permission_classes: Any = [StaffUserPermission]


@extend_schema_view(
    list=extend_schema(
        tags=TAGS, summary="Staff: list and search users", responses={200: s.StaffUserSerializer, **BAD_INPUT, **ERRORS}
    ),
    retrieve=extend_schema(
        tags=TAGS,
        summary="Staff: one user, with sessions, addresses, groups and recent activity",
        parameters=[ID],
        responses={200: s.StaffUserDetailSerializer, **NOT_FOUND, **ERRORS},
    ),
    partial_update=extend_schema(
        tags=TAGS,
        summary="Staff: change a user's names, groups (roles) or, superusers only, staff flags",
        parameters=[ID],
        request=s.StaffUserUpdateSerializer,
        responses={200: s.StaffUserDetailSerializer, **BAD_INPUT, **NOT_FOUND, **ERRORS},
    ),
)
class StaffUserViewSet(StaffView, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Accounts, for staff with view_user (reading) and change_user (changes)."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = StaffUserFilterSet
    serializer_class = s.StaffUserSerializer
    lookup_value_regex = r"[^/]+"

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return get_adapter().user_model._default_manager.none()
        return queries.users()

    def get_object(self) -> Any:
        user = get_user(self.kwargs["pk"])
        self.check_object_permissions(self.request, user)
        return user

    def detail_response(self, user: Any) -> Response:
        context = {**self.get_serializer_context(), "recent_events": queries.recent_events(user)}
        return Response(s.StaffUserDetailSerializer(user, context=context).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.detail_response(self.get_object())

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self.get_object()
        serializer = s.StaffUserUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        check_targets(request.user, [user])
        check_privilege_change(request.user, user, changes)
        groups = changes.pop("groups", None)
        changed = [name for name, value in changes.items() if getattr(user, name) != value]
        with transaction.atomic():
            for name in changed:
                setattr(user, name, changes[name])
            if changed:
                user.save(update_fields=changed)
            if groups is not None and {g.pk for g in groups} != {g.pk for g in user.groups.all()}:
                user.groups.set(groups)
                changed.append("groups")
            if changed:
                data: dict[str, Any] = {"fields": changed}
                if "groups" in changed:
                    data["groups"] = sorted(g.name for g in groups or ())
                activity.record(EventKind.ACCOUNT_UPDATED, request=request, user=user, actor=request.user, **data)
        return self.detail_response(get_user(user.pk))


class StaffUserActionView(StaffView, APIView):
    """One action on one account: the same rules and log as auth/users/bulk/."""

    @extend_schema(
        tags=TAGS,
        summary="Staff: an action on one user",
        description="action: " + ", ".join(sorted(actions.ACTIONS)) + ". Answers the user.",
        parameters=[
            ID,
            OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=sorted(actions.ACTIONS)),
        ],
        request=s.StaffActionSerializer,
        responses={200: s.StaffUserDetailSerializer, **BAD_INPUT, **NOT_FOUND, **ERRORS},
    )
    def post(self, request: Request, pk: str, action: str) -> Response:
        if action not in actions.ACTIONS:
            raise Http404
        user = get_user(pk)
        serializer = s.StaffActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if actions.ACTIONS[action].needs_reason and not serializer.validated_data.get("reason", "").strip():
            raise serializers.ValidationError({"reason": [_("Give a reason for this action.")]})
        actions.apply(action, [user], request.user, request, dict(serializer.validated_data))
        user = get_user(user.pk)
        context = {"request": request, "recent_events": queries.recent_events(user)}
        return Response(s.StaffUserDetailSerializer(user, context=context).data)


class StaffSessionView(StaffView, APIView):
    @extend_schema(
        tags=TAGS,
        summary="Staff: sign out one session of a user",
        parameters=[ID, OpenApiParameter("session", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={204: None, **NOT_FOUND, **ERRORS},
    )
    def delete(self, request: Request, pk: str, session: str) -> Response:
        user = get_user(pk)
        check_targets(request.user, [user])
        token = get_object_or_404(sessions.live_tokens(user), pk=parse_id(session))
        with transaction.atomic():
            sessions.revoke_logins(user, OutstandingToken.objects.filter(pk=token.pk), RevokeReason.STAFF)
            activity.record(EventKind.SESSION_REVOKED, request=request, user=user, actor=request.user, session=token.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StaffBulkView(StaffView, APIView):
    @extend_schema(
        tags=TAGS,
        summary="Staff: one action on up to 100 users, all or nothing",
        request=s.StaffBulkSerializer,
        responses={200: s.StaffBulkResultSerializer, **BAD_INPUT, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        serializer = s.StaffBulkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data["ids"]
        users = {user.pk: user for user in get_adapter().user_model._default_manager.filter(pk__in=ids)}
        missing = {
            str(i): [_("No user has the id %(id)s.") % {"id": pk}] for i, pk in enumerate(ids) if pk not in users
        }
        if missing:
            raise serializers.ValidationError({"ids": missing})
        params = {"reason": serializer.validated_data.get("reason", "")}
        result = actions.apply(
            serializer.validated_data["action"], [users[pk] for pk in ids], request.user, request, params
        )
        return Response(s.StaffBulkResultSerializer(result).data)


class StaffStatsView(StaffView, APIView):
    pagination_class = None

    @extend_schema(
        tags=TAGS,
        summary="Staff: account totals and sign-ups per day (last 30 days)",
        responses={200: s.StaffStatsSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        return Response(s.StaffStatsSerializer(queries.stats()).data)
