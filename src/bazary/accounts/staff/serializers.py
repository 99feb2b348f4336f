"""What ``auth/users/`` reads and takes."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..activity import label
from ..conf import get_adapter
from ..models import AccountEvent
from ..serializers import AddressSerializer, PrimaryKeyField, SessionSerializer
from .actions import ACTIONS, BULK_MAX

MAX_ID = 2**63 - 1


class OptionalFieldsMixin:
    """Leaves out the fields the user model lacks (a project's own user model)."""

    optional_fields: tuple[str, ...] = ()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()  # type: ignore[misc]
        adapter = get_adapter()
        for name in self.optional_fields:
            if name in fields and not adapter.has_field(name):
                del fields[name]
        return fields


class StaffUserSerializer(OptionalFieldsMixin, serializers.Serializer):
    id = PrimaryKeyField(source="pk")
    email = serializers.SerializerMethodField()
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    is_staff = serializers.BooleanField(read_only=True)
    is_superuser = serializers.BooleanField(read_only=True)
    email_verified = serializers.SerializerMethodField()
    locked = serializers.BooleanField(read_only=True, help_text=_("A client is locked out of the account now."))
    has_mfa = serializers.BooleanField(read_only=True, help_text=_("A confirmed authenticator app or a passkey."))
    groups = serializers.SerializerMethodField()
    date_joined = serializers.DateTimeField(read_only=True)
    last_login = serializers.DateTimeField(read_only=True)

    optional_fields = (
        "first_name",
        "last_name",
        "is_active",
        "is_staff",
        "is_superuser",
        "groups",
        "date_joined",
        "last_login",
    )

    def get_email(self, user: Any) -> str:
        return get_adapter().get_email(user)

    def get_email_verified(self, user: Any) -> bool:
        return get_adapter().is_email_verified(user)

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_groups(self, user: Any) -> list[str]:
        return sorted(group.name for group in user.groups.all())  # prefetched


class StaffEventSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()

    class Meta:
        model = AccountEvent
        fields = ("id", "kind", "title", "created_at", "ip", "user_agent", "data", "actor")
        read_only_fields = fields

    def get_title(self, event: AccountEvent) -> str:
        return label(event.kind)

    @extend_schema_field({"type": "object", "nullable": True, "properties": {"id": {"type": "integer"}}})
    def get_actor(self, event: AccountEvent) -> dict[str, Any] | None:
        if event.actor_id is None:
            return None
        return {"id": event.actor_id, "email": get_adapter().get_email(event.actor)}


class StaffUserDetailSerializer(StaffUserSerializer):
    sessions = SessionSerializer(source="live_tokens", many=True, read_only=True)
    addresses = AddressSerializer(source="address_list", many=True, read_only=True)
    recent_activity = serializers.SerializerMethodField()

    @extend_schema_field(StaffEventSerializer(many=True))
    def get_recent_activity(self, user: Any) -> Any:
        return StaffEventSerializer(self.context.get("recent_events", []), many=True).data


class StaffGroupNamesField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="name", queryset=Group.objects.all(), **kwargs)


class StaffUserUpdateSerializer(OptionalFieldsMixin, serializers.Serializer):
    """``PATCH auth/users/{id}/``: names, groups (by name: roles) and, for superusers, the staff flags."""

    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    groups = serializers.ListField(child=StaffGroupNamesField(), required=False, max_length=100)
    is_staff = serializers.BooleanField(required=False)
    is_superuser = serializers.BooleanField(required=False)

    optional_fields = ("first_name", "last_name", "groups", "is_staff", "is_superuser")


class StaffActionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class StaffBulkSerializer(StaffActionSerializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=BULK_MAX
    )
    action = serializers.ChoiceField(choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(serializers.ChoiceField, self.fields["action"]).choices = sorted(ACTIONS)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ACTIONS[attrs["action"]].needs_reason and not attrs.get("reason", "").strip():
            raise serializers.ValidationError({"reason": [_("Give a reason for this action.")]})
        attrs["ids"] = list(dict.fromkeys(attrs["ids"]))
        return attrs


class StaffBulkResultSerializer(serializers.Serializer):
    action = serializers.CharField()
    matched = serializers.IntegerField()
    changed = serializers.IntegerField()


class StaffSignupDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    count = serializers.IntegerField()


class StaffStatsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    active = serializers.IntegerField(required=False)
    verified = serializers.IntegerField(required=False)
    staff = serializers.IntegerField(required=False)
    with_mfa = serializers.IntegerField()
    locked = serializers.IntegerField()
    signups = StaffSignupDaySerializer(many=True)
