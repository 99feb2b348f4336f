"""The fields a serializer gets from its class's template are its own: a
change to one serializer's fields reaches no other (CachedModelFieldsMixin
copies leaf fields shallowly, with their containers copied)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.validators import MaxLengthValidator
from rest_framework import serializers

from bazary.catalog.serializers import ProductSerializer
from bazary.core.readplan import copy_field

pytestmark = pytest.mark.django_db


def test_changing_one_serializers_fields_changes_no_other():
    first = ProductSerializer()
    first.fields["name"].validators.append(MaxLengthValidator(3))
    first.fields["name"].error_messages["blank"] = "changed"
    first.fields["price"].max_digits = 3
    second = ProductSerializer(data={"name": "A long name", "price": "1234.00", "category": "x"})
    assert not any(isinstance(v, MaxLengthValidator) and v.limit_value == 3 for v in second.fields["name"].validators)
    assert second.fields["name"].error_messages["blank"] != "changed"
    assert second.fields["price"].max_digits == 12
    assert first.fields["name"] is not second.fields["name"]


def test_fields_holding_fields_are_copied_deeply():
    listed = serializers.ListField(child=serializers.IntegerField(min_value=1))
    copied = copy_field(listed)
    assert copied.child is not listed.child
    tags = ProductSerializer().fields["tags"]
    assert ProductSerializer().fields["tags"].child_relation is not tags.child_relation


def test_a_copy_validates_and_reads_as_the_original():
    field = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0)
    copied = copy_field(field)
    assert copied.to_representation(Decimal("1.5")) == "1.50"
    with pytest.raises(serializers.ValidationError):
        copied.run_validation("-1")
    with pytest.raises(serializers.ValidationError):
        copied.run_validation("12345.00")
