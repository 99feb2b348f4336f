"""The payments API (see docs/payments.md)."""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bazary.core.views import BazaryAPIMixin
from bazary.orders.links import token_is_valid
from bazary.orders.models import Order
from bazary.orders.views import GUEST_TOKEN, OrdersPagination

from .exceptions import InvalidWebhook
from .models import Payment
from .permissions import CanRefund, OrderOwnerOrGuestLink
from .providers import PROVIDER_CLASSES, get_card_provider
from .serializers import PaymentSerializer, RefundRequestSerializer, RefundSerializer, StartPaymentSerializer
from .services import record_event, refund, start_payment
from .throttling import RefundRateThrottle

logger = logging.getLogger("bazary.payments")

E400 = OpenApiResponse(description=_("Invalid input (field errors)."))
E401 = OpenApiResponse(description=_("Not authenticated."))
E403 = OpenApiResponse(description=_("Not allowed."))
E404 = OpenApiResponse(description=_("Not found (or not yours)."))
E409 = OpenApiResponse(description=_("The order's status does not allow it."))
E429 = OpenApiResponse(description=_("Too many refunds: try again later (Retry-After)."))
E502 = OpenApiResponse(description=_("The payment provider refused or could not be reached."))
PROVIDER = OpenApiParameter(
    "provider",
    str,
    OpenApiParameter.PATH,
    enum=sorted(PROVIDER_CLASSES),
    description="The provider's code; one not configured in BAZARY_PAYMENTS['PROVIDERS'] is a 404.",
)
#: The largest webhook body read (Stripe's events are a few KiB).
MAX_WEBHOOK_BYTES = 256 * 1024


class OrderPaymentsView(BazaryAPIMixin, GenericAPIView):
    """The payments of one of your orders, or of a guest's order with its link's ``token``."""

    permission_classes = [OrderOwnerOrGuestLink]
    pagination_class = OrdersPagination
    serializer_class = PaymentSerializer

    def get_order(self, number: str) -> Order:
        if "token" in self.request.query_params:
            # The guest link opens its one order; a token of another order opens nothing.
            if not token_is_valid(number, self.request.query_params.get("token")):
                raise Http404
            return get_object_or_404(Order, number=number)
        return get_object_or_404(Order, number=number, user=self.request.user)

    def get_queryset(self) -> Any:
        return Payment.objects.filter(order=self.get_order(self.kwargs["number"])).order_by("-created_at", "-pk")

    @extend_schema(
        parameters=[GUEST_TOKEN],
        responses={200: PaymentSerializer(many=True), 401: E401, 404: E404},
        summary="The order's payments",
    )
    def get(self, request: Request, number: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PaymentSerializer(page, many=True).data)

    @extend_schema(
        parameters=[GUEST_TOKEN],
        request=StartPaymentSerializer,
        responses={
            201: PaymentSerializer,
            200: PaymentSerializer,
            400: E400,
            401: E401,
            404: E404,
            409: E409,
            502: E502,
        },
        summary="Start paying the order with a provider",
        description="The order's customer, or a guest with the order link's token. "
        "The amount and currency are the order's. One live payment per order: asking again with the same "
        "provider returns the pending payment (200); another provider while one is in progress is a 409.",
    )
    def post(self, request: Request, number: str) -> Response:
        order = self.get_order(number)
        serializer = StartPaymentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment, created = start_payment(order, serializer.validated_data["provider"])
        return Response(
            PaymentSerializer(payment).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class OrderRefundsView(BazaryAPIMixin, APIView):
    """Refunds, by staff with the refund_order permission."""

    permission_classes = [CanRefund]
    pagination_class = None

    def get_throttles(self) -> list[Any]:
        # The API-wide rates, and BAZARY_PAYMENTS["THROTTLE_RATES"]["refund"] per staff user.
        return [*super().get_throttles(), RefundRateThrottle()]

    @extend_schema(
        request=RefundRequestSerializer,
        responses={
            201: RefundSerializer,
            400: E400,
            401: E401,
            403: E403,
            404: E404,
            409: E409,
            429: E429,
            502: E502,
        },
        summary="Refund a captured payment (all that remains when amount is omitted)",
    )
    def post(self, request: Request, number: str) -> Response:
        order = get_object_or_404(Order, number=number)
        serializer = RefundRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        record = refund(order, data.get("amount"), data["reason"], by=request.user)
        return Response(RefundSerializer(record).data, status=status.HTTP_201_CREATED)


class WebhookView(BazaryAPIMixin, APIView):
    """A provider's event; authenticated only by its signature over the raw body."""

    authentication_classes: Any = []
    permission_classes = [permissions.AllowAny]
    pagination_class = None
    # The body is read raw (request.body) for the signature; request.data,
    # the parsers, are never touched.

    def get_throttles(self) -> list[Any]:
        return []  # a provider retries; a throttled delivery would only come back

    @extend_schema(
        parameters=[PROVIDER],
        request=None,
        responses={
            200: inline_serializer("WebhookReceived", {"received": serializers.BooleanField()}),
            400: E400,
            404: E404,
            502: E502,
        },
        summary="A payment provider's webhook",
        description="Answers 200 once the signed event is recorded; a missing or wrong signature is a 400. "
        "Chapa's events are verified with Chapa first: 502 when it cannot be reached (Chapa delivers again).",
        auth=[],
    )
    def post(self, request: Request, provider: str) -> Response:
        card_provider = get_card_provider(provider)
        if card_provider is None:
            raise Http404
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = MAX_WEBHOOK_BYTES + 1
        if length > MAX_WEBHOOK_BYTES:
            return Response({"detail": _("The body is too large."), "code": "too_large"}, status=400)
        try:
            event = card_provider.parse_webhook(request.body, request.headers)
        except InvalidWebhook as error:
            # The SDK's message names what failed, never the secret or the header.
            logger.warning("payments: %s webhook refused: %s", provider, error)
            return Response({"detail": _("Invalid signature."), "code": "invalid_signature"}, status=400)
        record_event(card_provider, event)
        return Response({"received": True})
