"""Stock changes and back-in-stock alerts."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import (
    StockAlert,
)
from .common import (
    INT_MAX,
)


class StockChangeSerializer(serializers.Serializer):
    delta = serializers.IntegerField(
        min_value=-INT_MAX, max_value=INT_MAX, help_text=_("Units to add (negative to remove).")
    )
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    def validate_delta(self, value: int) -> int:
        if value == 0:
            raise serializers.ValidationError(_("The change cannot be zero."))
        return value


class StockSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    stock = serializers.IntegerField(read_only=True)
    in_stock = serializers.BooleanField(read_only=True)


class StockAlertSerializer(serializers.ModelSerializer):
    product: Any = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    variant: Any = serializers.SlugRelatedField(slug_field="sku", read_only=True, allow_null=True)

    class Meta:
        model = StockAlert
        fields = ["product", "variant", "created_at", "notified_at"]
        read_only_fields = fields
