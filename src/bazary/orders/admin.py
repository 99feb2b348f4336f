"""Admin for carts and orders: the money and the history are read-only (an
order changes only through its transitions)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import Cart, CartLine, Order, OrderEvent, OrderLine

MONEY_FIELDS = ("currency", "prices_include_tax", "subtotal", "shipping_price", "shipping_tax", "tax_total", "total")


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ("product_name", "sku", "options", "quantity", "reserved_quantity", "unit_price", "tax", "total")
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "email", "status", "total", "currency", "payment_provider", "created_at")
    list_filter = ("status", "payment_provider", "created_at")
    search_fields = ("number", "email")
    date_hierarchy = "created_at"
    readonly_fields = (
        "number", "user", "email", "status", *MONEY_FIELDS, "shipping_method", "shipping_method_name",
        "shipping_address", "billing_address", "payment_provider", "language", "stock_released",
        "paid_at", "fulfilled_at", "cancelled_at", "created_at", "updated_at",
    )  # fmt: skip
    inlines = [OrderLineInline, OrderEventInline]

    def has_add_permission(self, request: Any) -> bool:
        return False  # orders are placed through checkout


class CartLineInline(admin.TabularInline):
    model = CartLine
    extra = 0
    fields = ("name", "product", "variant", "quantity", "created_at")
    readonly_fields = ("name", "created_at")
    raw_id_fields = ("product", "variant")


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ("pk", "user", "created_at", "updated_at")
    readonly_fields = ("user", "created_at", "updated_at")
    raw_id_fields = ("user",)
    inlines = [CartLineInline]
