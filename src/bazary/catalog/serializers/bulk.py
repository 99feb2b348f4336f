"""The body of ``POST products/bulk/`` and its answer."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..bulk import ACTIONS, resolve_category, resolve_tags
from ..conf import catalog_settings

#: Parameters each action needs (``change_price``: one of ``percent``/``amount``).
REQUIRED = {"set_price": ("price",), "assign_category": ("category",), "add_tags": ("tags",), "remove_tags": ("tags",)}
PARAMETERS = ("price", "percent", "amount", "category", "tags")


class BulkActionSerializer(serializers.Serializer):
    slugs = serializers.ListField(
        child=serializers.CharField(max_length=220), min_length=1, help_text=_("At most BULK_MAX_ITEMS slugs.")
    )
    action = serializers.ChoiceField(choices=ACTIONS)
    price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, help_text=_("set_price: the new price.")
    )
    percent = serializers.DecimalField(
        max_digits=7,
        decimal_places=3,
        min_value=-100,
        max_value=1000,
        required=False,
        help_text=_("change_price: percentage to add (-10 is 10% off)."),
    )
    amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("change_price: amount to add (negative to remove)."),
    )
    category = serializers.CharField(max_length=140, required=False, help_text=_("assign_category: a category slug."))
    tags = serializers.ListField(
        child=serializers.CharField(max_length=80),
        min_length=1,
        max_length=50,
        required=False,
        help_text=_("add_tags / remove_tags: tag slugs."),
    )

    def validate_slugs(self, value: list[str]) -> list[str]:
        limit = catalog_settings.BULK_MAX_ITEMS
        if len(value) > limit:
            raise serializers.ValidationError(
                _("At most %(limit)d products per request, not %(count)d.") % {"limit": limit, "count": len(value)}
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        action = attrs["action"]
        needed = REQUIRED.get(action, ())
        errors: dict[str, Any] = {
            name: [_("Required by %(action)s.") % {"action": action}] for name in needed if name not in attrs
        }
        if action == "change_price" and ("percent" in attrs) == ("amount" in attrs):
            errors["percent"] = [_("change_price takes exactly one of percent and amount.")]
        allowed = set(needed) | ({"percent", "amount"} if action == "change_price" else set())
        for name in PARAMETERS:
            if name in attrs and name not in allowed:
                errors[name] = [_("Not a parameter of %(action)s.") % {"action": action}]
        if errors:
            raise serializers.ValidationError(errors)
        if "category" in attrs:
            attrs["category_obj"] = resolve_category(attrs["category"])
        if "tags" in attrs:
            attrs["tag_objs"] = resolve_tags(attrs["tags"])
        return attrs


class BulkResultSerializer(serializers.Serializer):
    action = serializers.CharField()
    matched = serializers.IntegerField(help_text=_("Products named (each once)."))
    changed = serializers.IntegerField(
        help_text=_(
            "Rows changed: products (and, for change_price, variants with their own price) whose value changed."
        )
    )
