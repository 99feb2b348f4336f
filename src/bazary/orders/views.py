"""The cart and orders API (see docs/orders.md)."""

from __future__ import annotations

import re
from typing import Any, cast

from django.db import transaction
from django.db.models import F, Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bazary.core.lookups import parse_id
from bazary.core.pagination import PageNumberPagination
from bazary.core.permissions import is_staff
from bazary.core.views import BazaryAPIMixin

from . import emails
from .cart import add_line, cart_for, lines_of, set_quantity
from .checkout import fingerprint, place_order
from .conf import orders_settings
from .exceptions import Conflict
from .filters import OrderFilter
from .links import token_is_valid
from .models import CartLine, Order, OrderEvent
from .pricing import Basket, price_lines
from .providers import get_provider
from .schema import OrderStatusFieldExtension  # noqa: F401  (registers the extension)
from .serializers import (
    AddItemSerializer,
    CartQuerySerializer,
    CartSerializer,
    CheckoutSerializer,
    NoteSerializer,
    OrderListSerializer,
    OrderSerializer,
    StaffOrderEventSerializer,
    StaffOrderListSerializer,
    StaffOrderSerializer,
    TransitionSerializer,
    UpdateItemSerializer,
)
from .staff import ActionRefused, staff_transition
from .transitions import CUSTOMER_CANCELLABLE, TransitionNotAllowed, transition

CART_TOKEN = OpenApiParameter(
    "X-Cart-Token",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="A guest's cart token (returned when the cart was created). Signed in, it merges that cart into yours.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any unique string (a UUID): a retry with the same key and body within 24 h returns the same order.",
)
E400 = OpenApiResponse(description=_("Invalid input (field errors)."))
E401 = OpenApiResponse(description=_("Not authenticated."))
E403 = OpenApiResponse(description=_("Staff without the change_order permission."))
E404 = OpenApiResponse(description=_("Not found (or not yours)."))
E409 = OpenApiResponse(description=_("Conflict with the stock or the order's status."))
E422 = OpenApiResponse(description=_("The Idempotency-Key was used with another body."))
KEY_RE = re.compile(r"[\x21-\x7e]{1,255}")


class OrdersPagination(PageNumberPagination):
    app_settings = orders_settings


def cart_response(request: Request, cart: Any, token: str | None, *, status_code: int = 200) -> Response:
    query = CartQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    basket: Basket = price_lines(
        list(lines_of(cart)),
        country=query.validated_data.get("country"),
        shipping_method=query.validated_data.get("shipping_method"),
    )
    data = CartSerializer(basket).data
    data["token"] = token
    response = Response(data, status=status_code)
    if token:
        response["X-Cart-Token"] = token
    return response


class CartView(BazaryAPIMixin, APIView):
    """The cart of the signed-in user, or of the guest whose X-Cart-Token it is."""

    pagination_class = None

    @extend_schema(
        parameters=[CART_TOKEN, CartQuerySerializer],
        responses={200: CartSerializer, 400: E400},
        summary="The cart, priced now",
    )
    def get(self, request: Request) -> Response:
        cart, token = cart_for(request)
        return cart_response(request, cart, token)

    @extend_schema(parameters=[CART_TOKEN], responses={204: None, 400: E400}, summary="Empty the cart")
    def delete(self, request: Request) -> Response:
        cart, _token = cart_for(request)
        if cart is not None:
            CartLine.objects.filter(cart=cart).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class CartItemsView(BazaryAPIMixin, APIView):
    pagination_class = None

    @extend_schema(
        parameters=[CART_TOKEN],
        request=AddItemSerializer,
        responses={201: CartSerializer, 400: E400, 409: E409},
        summary="Add a product or a variant",
        description="A guest without a cart gets one: its token is in the answer (`token` and X-Cart-Token). "
        "400 over MAX_CART_LINES / MAX_LINE_QUANTITY or for a product sold in variants; 409 over the stock.",
    )
    def post(self, request: Request) -> Response:
        serializer = AddItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        cart, token = cart_for(request, create=True)
        assert cart is not None  # (created when missing)
        add_line(cart, data["product"], data["variant"], data["quantity"])
        return cart_response(request, cart, token, status_code=status.HTTP_201_CREATED)


class CartItemView(BazaryAPIMixin, APIView):
    pagination_class = None

    def get_line(self, request: Request, pk: str) -> tuple[Any, CartLine]:
        cart, _token = cart_for(request)
        line = CartLine.objects.filter(cart=cart, pk=parse_id(pk)).select_related("product", "variant").first()
        if cart is None or line is None:
            raise Http404
        return cart, line

    @extend_schema(
        parameters=[CART_TOKEN],
        request=UpdateItemSerializer,
        responses={200: CartSerializer, 400: E400, 404: E404, 409: E409},
        summary="Change a quantity",
    )
    def patch(self, request: Request, pk: str) -> Response:
        cart, line = self.get_line(request, pk)
        serializer = UpdateItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        set_quantity(line, serializer.validated_data["quantity"])
        return cart_response(request, cart, None)

    @extend_schema(parameters=[CART_TOKEN], responses={204: None, 404: E404}, summary="Remove a line")
    def delete(self, request: Request, pk: str) -> Response:
        _cart, line = self.get_line(request, pk)
        line.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


def has_order_perm(request: Request, codename: str) -> bool:
    """Staff with the model permission ``bazary_orders.<codename>`` (the catalog's staff rule)."""
    return is_staff(request) and request.user.has_perm(f"bazary_orders.{codename}")


class OrderPermission(permissions.BasePermission):
    """Anyone may place an order (guests give an email) and open one with its
    guest link; listing needs an account; staff actions need ``change_order``."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if view.action in STAFF_ACTIONS:
            return has_order_perm(request, "change_order")
        if view.action == "create" or (view.action == "retrieve" and "token" in request.query_params):
            return True
        return bool(request.user and request.user.is_authenticated)


#: Actions for staff with ``change_order``.
STAFF_ACTIONS = frozenset({"transition", "notes"})
GUEST_TOKEN = OpenApiParameter(
    "token",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    description="The token of a guest's order link (from the confirmation email): opens that order read-only.",
)


class OrderViewSet(BazaryAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in customer's orders (every order for staff with view_order); checkout for anyone."""

    permission_classes = [OrderPermission]
    pagination_class = OrdersPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrderFilter
    lookup_field = "number"
    lookup_value_regex = "[^/]+"

    def staff_view(self) -> bool:
        """Whether this request sees every order with the staff fields."""
        if self.action in STAFF_ACTIONS:
            return True
        return self.action in ("list", "retrieve") and has_order_perm(self.request, "view_order")

    def get_queryset(self) -> QuerySet[Order]:
        user = self.request.user
        if self.staff_view():
            orders = Order.objects.all()
        elif self.action == "retrieve" and "token" in self.request.query_params:
            number = str(self.kwargs.get(self.lookup_field, ""))
            valid = token_is_valid(number, self.request.query_params.get("token"))
            orders = Order.objects.filter(number=number) if valid else Order.objects.none()
        elif user.is_authenticated:
            orders = Order.objects.filter(user=user)
        else:
            orders = Order.objects.none()
        if self.action == "list":
            return orders
        if self.staff_view():
            events = OrderEvent.objects.select_related("actor").order_by("created_at", "pk")
        else:  # the status history without the staff's notes
            events = OrderEvent.objects.exclude(from_status=F("to_status")).order_by("created_at", "pk")
        return orders.prefetch_related("lines", Prefetch("events", queryset=events))

    def get_serializer_class(self) -> Any:
        if self.staff_view():
            return StaffOrderListSerializer if self.action == "list" else StaffOrderSerializer
        return OrderListSerializer if self.action == "list" else OrderSerializer

    @extend_schema(
        responses={200: OrderListSerializer(many=True), 400: E400, 401: E401},
        summary="Your orders, newest first (staff with view_order: every order)",
        description="Filters: status (repeatable), created_after / created_before (ISO 8601), email, number, "
        "search (number, email, recipient), ordering (created_at, total, number, status; '-' descending).",
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[GUEST_TOKEN],
        responses={200: OrderSerializer, 401: E401, 404: E404},
        summary="One of your orders (another customer's: 404); a guest's with its link's token",
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        parameters=[CART_TOKEN, IDEMPOTENCY_KEY],
        request=CheckoutSerializer,
        responses={201: OrderSerializer, 200: OrderSerializer, 400: E400, 409: E409, 422: E422},
        summary="Place an order from the cart",
        description="Prices the cart again, reserves the stock of every line (409 naming the lines that ran out, "
        "nothing changed), empties the cart. With Idempotency-Key: the same key and body return the first order "
        "(200), the same key with another body is a 422.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = CheckoutSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        cart, _token = cart_for(request)
        if cart is None:
            raise ValidationError({"non_field_errors": [_("The cart is empty.")]}, code="empty_cart")
        idempotency = None
        key = request.META.get("HTTP_IDEMPOTENCY_KEY")
        if key is not None:
            if not KEY_RE.fullmatch(key):
                raise ValidationError({"Idempotency-Key": [_("At most 255 printable ASCII characters.")]})
            scope = f"user:{request.user.pk}" if request.user.is_authenticated else f"cart:{cart.token_hash}"
            idempotency = (scope, key, fingerprint(request.data))
        order, created = place_order(
            cart, serializer.validated_data, user=request.user, language=get_language() or "", idempotency=idempotency
        )
        if created:
            placed = order
            transaction.on_commit(lambda: emails.order_placed(placed, request=request))
        order = Order.objects.prefetch_related("lines", "events").get(pk=order.pk)
        provider = get_provider(order.payment_provider)
        payment = provider.start(order, request) if provider is not None and order.status == "pending_payment" else None
        data = OrderSerializer(order, context={"request": request, "payment": payment}).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request=None,
        responses={200: OrderSerializer, 401: E401, 404: E404, 409: E409},
        summary="Cancel your order while it is not fulfilled",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, number: str | None = None) -> Response:
        order = self.get_object()
        if order.status not in CUSTOMER_CANCELLABLE:
            raise Conflict(_("This order can no longer be cancelled."), code="not_cancellable")
        try:
            transition(order, "cancelled", by=request.user, note=str(_("Cancelled by the customer.")))
        except TransitionNotAllowed:
            raise Conflict(_("This order can no longer be cancelled."), code="not_cancellable") from None
        order = self.get_queryset().get(pk=order.pk)
        return Response(OrderSerializer(order, context={"request": request}).data)

    @extend_schema(
        request=TransitionSerializer,
        responses={200: StaffOrderSerializer, 400: E400, 401: E401, 403: E403, 404: E404, 409: E409},
        summary="Staff: move an order to another status",
        description="Staff with change_order. `paid` marks an offline payment received (409 for other providers), "
        "`fulfilled` takes the tracking number and carrier, `refunded` refunds through the order's provider "
        "(offline: by hand). A move the state machine forbids is a 409, code `transition_not_allowed`.",
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, number: str | None = None) -> Response:
        order = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            staff_transition(order, data.pop("status"), by=request.user, note=data.pop("note"), **data)
        except ActionRefused as exc:
            raise Conflict({"detail": exc.message, "code": exc.code}, code=exc.code) from None
        order = self.get_queryset().get(pk=order.pk)
        return Response(StaffOrderSerializer(order, context={"request": request}).data)

    @extend_schema(
        request=NoteSerializer,
        responses={201: StaffOrderEventSerializer, 400: E400, 401: E401, 403: E403, 404: E404},
        summary="Staff: add a note to an order's history",
        description="Staff with change_order. The note is an internal event: customers never see it.",
    )
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, number: str | None = None) -> Response:
        order = self.get_object()
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = OrderEvent.objects.create(
            order=order,
            from_status=order.status,
            to_status=order.status,
            actor=cast(Any, request.user),  # staff: signed in
            note=serializer.validated_data["note"],
            internal=True,
        )
        return Response(StaffOrderEventSerializer(event).data, status=status.HTTP_201_CREATED)
