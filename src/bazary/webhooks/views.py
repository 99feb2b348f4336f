"""The staff API: endpoints, their deliveries, redelivery, rotation and pings."""

from __future__ import annotations

from typing import Any, cast

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from bazary.core.lookups import parse_id
from bazary.core.pagination import PageNumberPagination
from bazary.core.permissions import is_staff
from bazary.core.views import BazaryAPIMixin

from . import deliveries
from .conf import webhooks_settings
from .models import Attempt, Delivery, Endpoint, new_secret
from .serializers import DeliverySerializer, EndpointSecretSerializer, EndpointSerializer

#: The errors every operation of the staff API can answer.
ERRORS = {
    401: OpenApiResponse(description=_("Not authenticated.")),
    403: OpenApiResponse(description=_("Not staff, or without the model permission.")),
    404: OpenApiResponse(description=_("No such endpoint or delivery (or a page out of range).")),
}
WITH_INPUT = {400: OpenApiResponse(description=_("Invalid input: errors by field.")), **ERRORS}


def _documented(*names: str, errors: dict[int, OpenApiResponse] = ERRORS) -> dict[str, Any]:
    return {name: extend_schema(responses=errors) for name in names}


class WebhooksPagination(PageNumberPagination):
    app_settings = webhooks_settings


class StaffModelPermissions(permissions.DjangoModelPermissions):
    """Staff with the model permissions, reading too (``view_endpoint``): an
    endpoint's deliveries are the shop's data. Anyone else: 403 (401 anonymous)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    #: Actions that change an endpoint (``change_endpoint``), although they are POSTs.
    change_actions = ("rotate_secret", "test")

    def has_permission(self, request: Request, view: Any) -> bool:
        if not is_staff(request):
            return False
        if getattr(view, "action", None) in self.change_actions:
            model = view.permission_model
            perms = self.get_required_permissions("PATCH", model)
            return bool(request.user.has_perms(perms))
        return super().has_permission(request, view)


@extend_schema_view(
    **_documented("list", "retrieve", "destroy"),
    **_documented("update", "partial_update", errors=WITH_INPUT),
)
class EndpointViewSet(BazaryAPIMixin, viewsets.ModelViewSet):
    """Webhook endpoints (staff with the model permissions). The signing secret
    is in the answer to a create and to ``rotate-secret`` only."""

    serializer_class = EndpointSerializer
    permission_classes = [StaffModelPermissions]
    permission_model = Endpoint
    # Ids match anything but "/": a bad one is the API's JSON 404 (parse_id).
    lookup_value_regex = "[^/]+"
    pagination_class = WebhooksPagination
    queryset = Endpoint.objects.all()

    def get_queryset(self) -> QuerySet[Endpoint]:
        return Endpoint.objects.order_by("-created_at", "-pk")

    def get_object(self) -> Endpoint:
        self.kwargs["pk"] = parse_id(self.kwargs.get("pk"))
        return super().get_object()

    @extend_schema(responses={201: EndpointSecretSerializer, **WITH_INPUT})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        secret = new_secret()
        endpoint = Endpoint(**serializer.validated_data, created_by=cast(Any, request.user))
        endpoint.set_secret(secret)
        endpoint.save()
        answer = EndpointSecretSerializer(endpoint, context={**self.get_serializer_context(), "secret": secret})
        return Response(answer.data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: EndpointSecretSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: Any = None) -> Response:
        """A new secret, shown once; the previous one keeps signing for ``SECRET_GRACE_PERIOD`` seconds."""
        with transaction.atomic():
            endpoint = get_object_or_404(Endpoint.objects.select_for_update(), pk=parse_id(pk))
            self.check_object_permissions(request, endpoint)
            secret = endpoint.rotate_secret(grace_seconds=webhooks_settings.SECRET_GRACE_PERIOD)
            endpoint.save(
                update_fields=["sealed_secret", "sealed_previous_secret", "previous_secret_expires_at", "updated_at"]
            )
        answer = EndpointSecretSerializer(endpoint, context={**self.get_serializer_context(), "secret": secret})
        return Response(answer.data)

    @extend_schema(request=None, responses={202: DeliverySerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: Any = None) -> Response:
        """Send a ``ping`` event to this endpoint (whatever it subscribes to)."""
        endpoint = self.get_object()
        delivery = deliveries.ping(endpoint)
        return Response(_delivery_answer(delivery.pk), status=status.HTTP_202_ACCEPTED)


def _deliveries() -> QuerySet[Delivery]:
    # Two queries per page whatever its size: the deliveries with their
    # events, then their attempts.
    return (
        Delivery.objects.select_related("event")
        .prefetch_related(Prefetch("attempt_log", queryset=Attempt.objects.order_by("number")))
        .order_by("-created_at", "-pk")
    )


def _delivery_answer(pk: int) -> Any:
    return DeliverySerializer(_deliveries().get(pk=pk)).data


@extend_schema_view(**_documented("list", "retrieve"))
class EndpointDeliveryViewSet(BazaryAPIMixin, viewsets.ReadOnlyModelViewSet):
    """The deliveries of one endpoint, newest first, with their attempts."""

    serializer_class = DeliverySerializer
    permission_classes = [StaffModelPermissions]
    pagination_class = WebhooksPagination
    # Reading needs view_delivery, redelivering add_delivery.
    queryset = Delivery.objects.none()

    def endpoint(self) -> Endpoint:
        return get_object_or_404(Endpoint.objects.only("pk"), pk=parse_id(self.kwargs.get("endpoint_pk")))

    def get_queryset(self) -> QuerySet[Delivery]:
        return _deliveries().filter(endpoint=self.endpoint())

    def get_object(self) -> Delivery:
        self.kwargs["pk"] = parse_id(self.kwargs.get("pk"))
        return super().get_object()

    @extend_schema(request=None, responses={202: DeliverySerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def redeliver(self, request: Request, endpoint_pk: Any = None, pk: Any = None) -> Response:
        """Send this delivery's event again (same ``webhook-id``), as a new delivery."""
        fresh = deliveries.redeliver(self.get_object())
        return Response(_delivery_answer(fresh.pk), status=status.HTTP_202_ACCEPTED)
