"""Tag serializers."""

from __future__ import annotations

from rest_framework import serializers

from ..models import (
    Tag,
)


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "slug"]
        read_only_fields = ["id"]
        extra_kwargs = {"slug": {"required": False}}
