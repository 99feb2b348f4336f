"""Admin for notifications, deliveries (with a resend action) and preferences."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .deliveries import requeue
from .models import Delivery, DeliveryStatus, Notification, Preference


def _user_search_field(prefix: str) -> str:
    return f"{prefix}__{get_user_model().USERNAME_FIELD}"


class ReadFilter(admin.SimpleListFilter):
    title = _("read")
    parameter_name = "read"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Read")), ("no", _("Unread"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("yes", "no"):
            return queryset.filter(read_at__isnull=self.value() == "no")
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "kind", "read_at", "created_at")
    list_filter = ("kind", ReadFilter, "created_at")
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient", "actor")
    readonly_fields = ("target_content_type", "target_object_id", "target_repr", "created_at")
    date_hierarchy = "created_at"

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return ["title", _user_search_field("recipient")]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("kind", "channel", "address", "status", "attempts", "sent_at", "created_at")
    list_filter = ("status", "kind", "channel")
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient",)
    readonly_fields = (
        "kind",
        "channel",
        "recipient",
        "address",
        "subject",
        "body",
        "html",
        "data",
        "status",
        "attempts",
        "last_error",
        "sent_at",
        "next_attempt_at",
        "created_at",
        "updated_at",
    )
    actions = ["resend"]
    date_hierarchy = "created_at"

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return ["address", "subject", _user_search_field("recipient")]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Deliveries come from notify(); a hand-made one would bypass preferences.
        return False

    @admin.action(description=_("Resend the selected failed or stuck deliveries"), permissions=["change"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = requeue(
            queryset.filter(status__in=[DeliveryStatus.FAILED, DeliveryStatus.QUEUED, DeliveryStatus.SENDING]),
            reset_attempts=True,
        )
        self.message_user(
            request,
            ngettext("%(count)d delivery queued again.", "%(count)d deliveries queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "channel", "enabled")
    list_filter = ("kind", "channel", "enabled")
    list_select_related = ("user",)
    raw_id_fields = ("user",)

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return ["kind", _user_search_field("user")]
