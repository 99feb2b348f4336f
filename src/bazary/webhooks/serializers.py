from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from . import transport
from .events import PING, registry
from .models import Attempt, Delivery, Endpoint

#: Event types one endpoint may list.
MAX_EVENT_TYPES = 100


class EndpointSerializer(serializers.ModelSerializer):
    """An endpoint; the secret is never part of it (see :class:`EndpointSecretSerializer`)."""

    event_types = serializers.ListField(
        child=serializers.CharField(max_length=100), allow_empty=False, max_length=MAX_EVENT_TYPES
    )

    class Meta:
        model = Endpoint
        fields = (
            "id",
            "url",
            "description",
            "event_types",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = (
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        )

    def validate_url(self, value: str) -> str:
        try:
            transport.check_url(value)
        except transport.Refused as exc:
            raise serializers.ValidationError(str(exc), code="url_refused") from None
        return value

    def validate_event_types(self, value: list[str]) -> list[str]:
        known = {t.code for t in registry} - {PING}
        unknown = sorted({v for v in value if v != "*" and v not in known})
        if unknown:
            raise serializers.ValidationError(
                _("Unknown event types: %(types)s.") % {"types": ", ".join(unknown)}, code="unknown_event_type"
            )
        return sorted(set(value))

    def update(self, instance: Endpoint, validated_data: dict[str, Any]) -> Endpoint:
        if validated_data.get("is_active") and not instance.is_active:
            # Turned on again by staff: a fresh count.
            validated_data.update(consecutive_failures=0, disabled_at=None, disabled_reason="")
        return super().update(instance, validated_data)


class EndpointSecretSerializer(EndpointSerializer):
    """The answer to a create or a rotation: the only time the secret is shown."""

    secret = serializers.SerializerMethodField()

    class Meta(EndpointSerializer.Meta):
        fields = (*EndpointSerializer.Meta.fields, "secret")  # type: ignore[assignment]

    def get_secret(self, obj: Endpoint) -> str:
        return str(self.context["secret"])


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attempt
        fields = ("number", "status_code", "duration_ms", "error", "next_retry_at", "created_at")


class DeliverySerializer(serializers.ModelSerializer):
    event = serializers.SerializerMethodField()
    attempt_log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = (
            "id",
            "event",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "sent_at",
            "created_at",
            "attempt_log",
        )

    def get_event(self, obj: Delivery) -> dict[str, Any]:
        return {"id": obj.event.message_id, "type": obj.event.type, "created_at": obj.event.created_at}
