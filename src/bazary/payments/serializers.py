"""Payments, refunds and the requests that start them. Only a provider code
and a refund's amount and reason are read from a client; an amount or a
currency sent to start a payment is ignored (both come from the order)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from bazary.orders.money import quantize
from bazary.orders.serializers import MoneyField

from .models import Payment, PaymentStatus, Refund


class RefundMoneyField(MoneyField):
    """A refund's amount with its payment's currency's decimals."""

    def get_attribute(self, instance: Any) -> Any:
        value = serializers.Field.get_attribute(self, instance)
        return quantize(value, instance.payment.currency) if value is not None else None


class StartPaymentSerializer(serializers.Serializer):
    provider = serializers.CharField(max_length=32)

    def validate_provider(self, value: str) -> Any:
        from .providers import get_card_provider

        provider = get_card_provider(value)
        if provider is None:
            raise serializers.ValidationError(_("No such payment provider."), code="invalid_choice")
        return provider


class PaymentSerializer(serializers.ModelSerializer):
    # Stored with three decimals, shown with the currency's own (as the order's amounts).
    amount = MoneyField()
    refunded_amount = MoneyField()
    client_data = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = (
            "id", "provider", "amount", "currency", "status", "refunded_amount", "reference",
            "client_data", "created_at", "captured_at",
        )  # fmt: skip
        read_only_fields = fields

    def get_client_data(self, payment: Payment) -> dict[str, Any]:
        """What the client needs to pay (a client secret); empty once the payment is settled."""
        return payment.client_data if payment.status == PaymentStatus.PENDING else {}


class RefundRequestSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=3, min_value=Decimal("0.001"), required=False, allow_null=True
    )
    reason = serializers.CharField(max_length=500)


class RefundSerializer(serializers.ModelSerializer):
    amount = RefundMoneyField()
    payment = PaymentSerializer(read_only=True)

    class Meta:
        model = Refund
        fields = ("id", "amount", "reason", "status", "reference", "created_at", "payment")
        read_only_fields = fields
