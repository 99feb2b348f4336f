"""Serializers of the cart and orders API. Every amount is read-only: the
server computes them (:mod:`bazary.orders.pricing`)."""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bazary.catalog.models import Variant, get_product_model

from .conf import orders_settings
from .models import Order, OrderEvent, OrderLine, OrderStatus
from .money import quantize

COUNTRY_RE = re.compile(r"[A-Z]{2}")


@extend_schema_field({"type": "string", "format": "decimal", "example": "19.99"})
class MoneyField(serializers.Field):
    """A Decimal as a string with the currency's decimals (already rounded)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> Any:
        value = super().get_attribute(instance)
        # Stored with three decimals: shown with the currency's own.
        currency = getattr(instance, "currency", None) or getattr(getattr(instance, "order", None), "currency", None)
        return quantize(value, currency) if value is not None and currency else value

    def to_representation(self, value: Any) -> str | None:
        return None if value is None else str(value)


class OrderStatusField(serializers.ChoiceField):
    """An order's status (documented as ``OrderStatusEnum``, see :mod:`bazary.orders.schema`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=OrderStatus.choices, read_only=True, **kwargs)


# --------------------------------------------------------------------------- cart


class ShippingMethodSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class CartLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="source.pk", read_only=True)
    product = serializers.SerializerMethodField()
    variant = serializers.SerializerMethodField()
    name = serializers.CharField(read_only=True)
    sku = serializers.CharField(read_only=True)
    options = serializers.ListField(child=serializers.DictField(child=serializers.CharField()), read_only=True)
    quantity = serializers.IntegerField(read_only=True)
    available = serializers.BooleanField(read_only=True)
    reason = serializers.CharField(read_only=True, allow_null=True, help_text=_("Why the line cannot be bought."))
    reason_text = serializers.CharField(read_only=True, allow_null=True)
    is_digital = serializers.BooleanField(read_only=True)
    unit_price = MoneyField()
    line_subtotal = MoneyField()
    tax = MoneyField()
    total = MoneyField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_product(self, line: Any) -> str | None:
        product = line.source.product
        return product.slug if product is not None else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_variant(self, line: Any) -> str | None:
        variant = line.source.variant
        return variant.sku if variant is not None else None


class CartSerializer(serializers.Serializer):
    """A :class:`bazary.orders.pricing.Basket` with the cart's token when it was just created."""

    token = serializers.CharField(read_only=True, allow_null=True, help_text=_("Send it back in X-Cart-Token."))
    lines = CartLineSerializer(many=True, read_only=True)
    currency = serializers.CharField(read_only=True)
    prices_include_tax = serializers.BooleanField(read_only=True)
    subtotal = MoneyField()
    needs_shipping = serializers.BooleanField(read_only=True)
    shipping_method = ShippingMethodSerializer(read_only=True, allow_null=True)
    shipping_methods = ShippingMethodSerializer(many=True, read_only=True)
    shipping_price = MoneyField()
    tax_total = MoneyField()
    total = MoneyField()


class CartQuerySerializer(serializers.Serializer):
    country = serializers.RegexField(COUNTRY_RE, required=False, help_text=_("ISO 3166-1 alpha-2: prices its tax."))
    shipping_method = serializers.CharField(required=False, max_length=64)


class AddItemSerializer(serializers.Serializer):
    product = serializers.SlugField(
        required=False, max_length=220, help_text=_("The slug of a product without variants.")
    )
    variant = serializers.CharField(required=False, max_length=64, help_text=_("A variant's SKU or id."))
    quantity = serializers.IntegerField(default=1, min_value=1)

    def validate_quantity(self, value: int) -> int:
        if value > orders_settings.MAX_LINE_QUANTITY:
            raise serializers.ValidationError(
                _("At most %(max)d of one item per order.") % {"max": orders_settings.MAX_LINE_QUANTITY},
                code="max_line_quantity",
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        slug, ref = attrs.get("product"), attrs.get("variant")
        if not slug and not ref:
            raise serializers.ValidationError({"product": [_("Give a product or a variant.")]}, code="required")
        product_model = get_product_model()
        product = None
        if slug:
            product = product_model._default_manager.visible().filter(slug=slug).first()
            if product is None:
                raise serializers.ValidationError({"product": [_("No such product.")]}, code="does_not_exist")
        variant = None
        if ref:
            match = Q(sku=ref) | Q(pk=int(ref)) if re.fullmatch(r"[0-9]{1,18}", ref) else Q(sku=ref)
            visible = product_model._default_manager.visible()
            found = list(Variant.objects.filter(match, product__in=visible).select_related("product")[:2])
            # A SKU made of digits wins over another variant's id.
            variant = next((v for v in found if v.sku == ref), found[0] if found else None)
            if variant is None or (product is not None and variant.product_id != product.pk):
                raise serializers.ValidationError({"variant": [_("No such variant.")]}, code="does_not_exist")
            product = variant.product
        attrs["product"], attrs["variant"] = product, variant
        return attrs


class UpdateItemSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1)

    validate_quantity = AddItemSerializer.validate_quantity


# --------------------------------------------------------------------------- checkout


class OrderAddressSerializer(serializers.Serializer):
    recipient_name = serializers.CharField(max_length=200)
    line1 = serializers.CharField(max_length=255)
    line2 = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=128)
    region = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    postal_code = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    country = serializers.RegexField(COUNTRY_RE, help_text=_("ISO 3166-1 alpha-2 code."))
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


ADDRESS_FIELDS = ("recipient_name", "line1", "line2", "city", "region", "postal_code", "country", "phone")


@extend_schema_field(OrderAddressSerializer)
class AddressField(serializers.Field):
    """An inline address, or the id (an integer) of one of the signed-in
    user's addresses when bazary.accounts is installed; stored as a snapshot
    dict. (The schema shows the inline form.)"""

    default_error_messages = {
        "unknown": _("No such address."),
        "invalid": _("Give an address id or an address."),
    }

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            serializer = OrderAddressSerializer(data=data)
            serializer.is_valid(raise_exception=True)
            return dict(serializer.validated_data)
        if isinstance(data, bool) or not isinstance(data, (int, str)) or not re.fullmatch(r"[0-9]{1,18}", str(data)):
            self.fail("invalid")
        user = getattr(self.context.get("request"), "user", None)
        if user is None or not user.is_authenticated or not apps.is_installed("bazary.accounts"):
            self.fail("unknown")
        from bazary.accounts.models import Address  # lazy: orders works without accounts

        address = Address.objects.filter(user=user, pk=int(data)).first()
        if address is None:
            self.fail("unknown")
        # Text only: the snapshot is JSON (an address's country is a django-countries Country).
        return {name: str(getattr(address, name) or "") for name in ADDRESS_FIELDS}

    def to_representation(self, value: Any) -> Any:
        return value


class CheckoutSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, max_length=254, help_text=_("Required from guests."))
    shipping_address = AddressField(
        required=False,
        help_text=_("An address, or the id of one of your addresses. Not needed when everything is digital."),
    )
    billing_address = AddressField(
        required=False, help_text=_("An address or the id of one of yours; defaults to the shipping address.")
    )
    shipping_method = serializers.CharField(required=False, max_length=64)
    payment_provider = serializers.CharField(required=False, max_length=64)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = self.context["request"].user
        if not attrs.get("email"):
            email = getattr(user, "email", "") if user.is_authenticated else ""
            if not email:
                raise serializers.ValidationError({"email": [_("This field is required.")]}, code="required")
            attrs["email"] = email
        return attrs


# --------------------------------------------------------------------------- orders


class OrderLineSerializer(serializers.ModelSerializer):
    unit_price = MoneyField()
    line_subtotal = MoneyField()
    tax = MoneyField()
    total = MoneyField()

    class Meta:
        model = OrderLine
        fields = (
            "id", "product_name", "sku", "options", "is_digital", "quantity",
            "unit_price", "line_subtotal", "tax_rate", "tax", "total",
        )  # fmt: skip
        read_only_fields = fields


class OrderEventSerializer(serializers.ModelSerializer):
    # Plain strings: the status enum is the order's (one name in the schema).
    from_status = serializers.CharField(read_only=True, help_text=_("Empty for the order's creation."))
    to_status = serializers.CharField(read_only=True)
    note = serializers.SerializerMethodField()

    class Meta:
        model = OrderEvent
        fields: tuple[str, ...] = ("from_status", "to_status", "note", "created_at")
        read_only_fields = fields

    def get_note(self, event: OrderEvent) -> str:
        # Staff notes are not for the customer's eyes.
        return "" if event.internal else event.note


class OrderListSerializer(serializers.ModelSerializer):
    status = OrderStatusField()
    subtotal = MoneyField()
    shipping_price = MoneyField()
    tax_total = MoneyField()
    total = MoneyField()

    class Meta:
        model = Order
        fields: tuple[str, ...] = (
            "number", "status", "email", "currency", "prices_include_tax", "subtotal", "shipping_price",
            "tax_total", "total", "payment_provider", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class OrderSerializer(OrderListSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    events = OrderEventSerializer(many=True, read_only=True)
    shipping_address = serializers.JSONField(read_only=True)
    billing_address = serializers.JSONField(read_only=True)
    payment = serializers.SerializerMethodField()

    class Meta(OrderListSerializer.Meta):
        fields: tuple[str, ...] = (
            *OrderListSerializer.Meta.fields,
            "shipping_method", "shipping_method_name", "shipping_address", "billing_address",
            "tracking_number", "carrier", "lines", "events", "payment",
        )  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_payment(self, order: Order) -> dict[str, Any] | None:
        """What the payment provider asks the customer to do (in the answer
        of ``POST orders/`` only)."""
        return self.context.get("payment")


# --------------------------------------------------------------------------- staff


class StaffOrderEventSerializer(OrderEventSerializer):
    actor = serializers.SerializerMethodField()
    note = serializers.CharField(read_only=True)  # type: ignore[assignment]  # staff see every note

    class Meta(OrderEventSerializer.Meta):
        fields = ("id", "from_status", "to_status", "actor", "note", "internal", "created_at")
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True, "description": "The email of who did it."})
    def get_actor(self, event: OrderEvent) -> str | None:
        actor = event.actor
        return None if actor is None else str(getattr(actor, "email", "") or actor.pk)


class StaffOrderListSerializer(OrderListSerializer):
    class Meta(OrderListSerializer.Meta):
        fields = (*OrderListSerializer.Meta.fields, "user")
        read_only_fields = fields


class StaffOrderSerializer(OrderSerializer):
    """What staff see of an order: the customer's view plus the account, the
    timestamps, the stock state and every event with its actor and notes."""

    events = StaffOrderEventSerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = (
            *OrderSerializer.Meta.fields,
            "user", "language", "stock_released", "paid_at", "fulfilled_at", "cancelled_at", "updated_at",
        )  # fmt: skip
        read_only_fields = fields


#: The statuses staff move orders to (``pending_payment`` is where orders start).
STAFF_TARGETS = tuple((value, label) for value, label in OrderStatus.choices if value != OrderStatus.PENDING_PAYMENT)


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=OrderStatus.choices, help_text=_("The status to move the order to (not back to pending_payment).")
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    tracking_number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    carrier = serializers.CharField(required=False, allow_blank=True, max_length=100)

    def validate_status(self, value: str) -> str:
        if value == OrderStatus.PENDING_PAYMENT:
            raise serializers.ValidationError(_("Orders start there; no order goes back."), code="invalid_choice")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["status"] != OrderStatus.FULFILLED:
            for name in ("tracking_number", "carrier"):
                if name in attrs:
                    raise serializers.ValidationError(
                        {name: [_("Only when the order is fulfilled.")]}, code="not_fulfilling"
                    )
        return attrs


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text=_("For staff only; customers never see it."))
