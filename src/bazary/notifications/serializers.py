"""Serializers of the notifications API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Notification


class ActorSerializer(serializers.Serializer):
    """Who caused the notification: an id and a display name, never an email."""

    id = serializers.CharField(source="pk", read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        full_name = getattr(user, "get_full_name", None)
        return (full_name() if callable(full_name) else "") or ""


class TargetSerializer(serializers.Serializer):
    type = serializers.CharField(help_text=_("app_label.model of the object the notification is about."))
    id = serializers.CharField()
    repr = serializers.CharField(help_text=_("The object's text when notified."))


class NotificationSerializer(serializers.ModelSerializer):
    actor = ActorSerializer(read_only=True, allow_null=True)
    target = serializers.SerializerMethodField()
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ("id", "kind", "title", "body", "data", "actor", "target", "is_read", "read_at", "created_at")
        read_only_fields = fields

    @extend_schema_field(TargetSerializer(allow_null=True))
    def get_target(self, notification: Notification) -> dict[str, str] | None:
        # From the joined content type and the stored repr: no query per row.
        content_type = notification.target_content_type
        if content_type is None:
            return None
        return {
            "type": f"{content_type.app_label}.{content_type.model}",
            "id": notification.target_object_id,
            "repr": notification.target_repr,
        }


class UnreadCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class UpdatedSerializer(serializers.Serializer):
    updated = serializers.IntegerField()


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=100)
    channel = serializers.CharField(max_length=50)
    enabled = serializers.BooleanField()
    mandatory = serializers.BooleanField(read_only=True)


class PreferenceChangeSerializer(serializers.Serializer):
    """One row of a preferences PUT: kind and channel pick the row."""

    kind = serializers.CharField(max_length=100)
    channel = serializers.CharField(max_length=50)
    enabled = serializers.BooleanField()


class ErrorSerializer(serializers.Serializer):
    """DRF's error body."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)

    class Meta:
        ref_name = "NotificationsError"
