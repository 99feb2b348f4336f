"""Admin for carts and orders: the money and the history are read-only (an
order changes only through its transitions)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Cart, CartLine, Order, OrderEvent, OrderLine, OrderStatus
from .staff import ActionRefused, staff_transition

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
    fields = ("created_at", "from_status", "to_status", "actor", "note", "internal")
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


def transition_action(to_status: str, label: Any) -> Any:
    """An admin action moving the selected orders to ``to_status`` through
    :func:`~bazary.orders.staff.staff_transition` (the API's rules; the status
    is never saved by the form)."""

    def action(modeladmin: admin.ModelAdmin, request: Any, queryset: QuerySet[Order]) -> None:
        done, refused = 0, []
        for order in queryset.order_by("pk"):
            try:
                staff_transition(order, to_status, by=request.user, note=str(_("From the admin.")))
                done += 1
            except ActionRefused as exc:
                refused.append(f"{order.number}: {exc.message}")
        if done:
            modeladmin.message_user(request, _("%(count)d order(s) updated.") % {"count": done}, messages.SUCCESS)
        for line in refused:
            modeladmin.message_user(request, line, messages.ERROR)

    action.__name__ = f"mark_{to_status}"
    return admin.action(description=label, permissions=["change"])(action)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "email", "status", "total", "currency", "payment_provider", "created_at")
    list_filter = ("status", "payment_provider", "created_at")
    search_fields = ("number", "email")
    date_hierarchy = "created_at"
    # Only the tracking details are edited in the form (set them before "Mark fulfilled").
    readonly_fields = (
        "number", "user", "email", "status", *MONEY_FIELDS, "shipping_method", "shipping_method_name",
        "shipping_address", "billing_address", "payment_provider", "language", "stock_released",
        "paid_at", "fulfilled_at", "cancelled_at", "created_at", "updated_at",
    )  # fmt: skip
    inlines = [OrderLineInline, OrderEventInline]
    actions = [
        transition_action(OrderStatus.PAID, _("Mark paid (offline payment received)")),
        transition_action(OrderStatus.FULFILLED, _("Mark fulfilled (shipped)")),
        transition_action(OrderStatus.DELIVERED, _("Mark delivered")),
        transition_action(OrderStatus.CANCELLED, _("Cancel (releases the stock)")),
        transition_action(OrderStatus.REFUNDED, _("Refund")),
    ]

    def has_add_permission(self, request: Any) -> bool:
        return False  # orders are placed through checkout

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # the history of a sale stays; cancel or refund instead

    def get_queryset(self, request: Any) -> QuerySet[Order]:
        return super().get_queryset(request).select_related("user")


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
