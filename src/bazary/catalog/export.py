"""What bazary.catalog contributes to the personal-data export (see :mod:`bazary.core.exports`)."""

from __future__ import annotations

from typing import Any

from bazary.core.exports import registry
from bazary.core.serialization import json_value

from .models import StockAlert


def stock_alerts_of(user: Any) -> list[dict[str, Any]]:
    """The back-in-stock alerts the user asked for."""
    alerts = StockAlert.objects.filter(user=user).select_related("product", "variant").order_by("created_at", "pk")
    return [
        {
            "product": alert.product.slug,
            "product_name": alert.product.name,
            "variant": alert.variant.sku if alert.variant is not None else None,
            "created_at": json_value(alert.created_at),
            "notified_at": json_value(alert.notified_at),
        }
        for alert in alerts
    ]


def register_sections() -> None:
    registry.register("stock_alerts", stock_alerts_of)
