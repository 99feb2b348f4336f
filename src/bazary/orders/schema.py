"""The orders' schema declarations (drf-spectacular extensions)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent

from .models import OrderStatus


class OrderStatusFieldExtension(OpenApiSerializerFieldExtension):
    """The order's status as its own named enum, ``OrderStatusEnum``: other
    apps' ``status`` fields (import jobs, deliveries) have other choices, and
    a shared field name would otherwise give both a hashed enum name."""

    target_class = "bazary.orders.serializers.OrderStatusField"

    def map_serializer_field(self, auto_schema: Any, direction: str) -> Any:
        component = ResolvedComponent(
            name="OrderStatusEnum",
            type=ResolvedComponent.SCHEMA,
            object="OrderStatusEnum",
            schema={"type": "string", "enum": [value for value, _label in OrderStatus.choices]},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref
