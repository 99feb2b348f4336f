from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import Attempt, Delivery, Endpoint, Event


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    # The secret is never shown: it is created and rotated through the API,
    # which shows it once.
    list_display = ("url", "description", "is_active", "consecutive_failures", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "description")
    fields = (
        "url",
        "description",
        "event_types",
        "is_active",
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
    )
    readonly_fields = ("consecutive_failures", "disabled_at", "disabled_reason")

    def has_add_permission(self, request: Any) -> bool:
        return False  # created through the API, which generates and shows the secret


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ("number", "status_code", "duration_ms", "error", "next_retry_at", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("event", "endpoint", "status", "attempts", "last_status_code", "created_at")
    list_filter = ("status",)
    list_select_related = ("event", "endpoint")
    readonly_fields = (
        "event",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_status_code",
        "last_error",
    )
    inlines = [AttemptInline]

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("type", "id", "created_at")
    list_filter = ("type",)
    readonly_fields = ("id", "type", "payload", "created_at")

    def has_add_permission(self, request: Any) -> bool:
        return False
