"""Admin for payments: read-only (money changes through the API and the providers' events)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import Payment, PaymentEvent, Refund


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = ("created_at", "amount", "reason", "status", "reference", "created_by")
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("order", "provider", "amount", "currency", "status", "refunded_amount", "created_at")
    list_filter = ("provider", "status")
    search_fields = ("order__number", "reference")
    list_select_related = ("order",)
    exclude = ("client_data",)
    inlines = [RefundInline]


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ("provider", "type", "event_id", "payment", "received_at", "processed_at", "note")
    list_filter = ("provider", "type")
    search_fields = ("event_id",)
