"""What bazary.orders contributes to the personal-data export (see :mod:`bazary.core.exports`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from bazary.core.exports import registry

from .models import Order, OrderEvent
from .serializers import OrderSerializer


def orders_of(user: Any) -> list[dict[str, Any]]:
    """The user's orders as ``GET orders/{number}/`` shows them: lines, addresses, history."""
    orders = (
        Order.objects.filter(user=user)
        .order_by("created_at", "pk")
        .prefetch_related("lines", Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "pk")))
    )
    data = OrderSerializer(orders, many=True).data
    return [dict(order) for order in data]


def register_sections() -> None:
    registry.register("orders", orders_of)
