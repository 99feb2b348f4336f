"""Shapes and fields several catalog serializers share."""

from __future__ import annotations

import json
from typing import Any

from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bazary.core.permissions import is_staff

from ..models import (
    ProductImage,
    Tag,
    get_category_model,
)

INT_MAX = 2**31 - 1
MAX_ATTRIBUTES_BYTES = 16 * 1024


def _is_staff(serializer: serializers.BaseSerializer) -> bool:
    return is_staff(serializer.context.get("request"))


# --------------------------------------------------------------------------- small shapes


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)


def category_ref(category: Any) -> dict[str, Any]:
    """:class:`CategoryRefSerializer`'s output for one category."""
    return {"id": int(category.pk), "slug": str(category.slug), "name": str(category.name)}


def ancestors_for(serializer: serializers.BaseSerializer, category: Any) -> list[Any]:
    """``category``'s ancestors, root first: from ``categories_by_id`` in the
    context when the view fetched them (one query for a page), else one query.
    Customers never see an inactive one."""
    known = serializer.context.get("categories_by_id")
    if known is None:
        ancestors = category.get_ancestors()
    else:
        ancestors = [known[pk] for pk in category.ancestor_ids() if pk in known]
    if not _is_staff(serializer):
        ancestors = [a for a in ancestors if a.is_active]
    return ancestors


class CategoryWithAncestorsSerializer(CategoryRefSerializer):
    ancestors = serializers.SerializerMethodField()

    @extend_schema_field(CategoryRefSerializer(many=True))
    def get_ancestors(self, category: Any) -> Any:
        return CategoryRefSerializer(ancestors_for(self, category), many=True).data


class TagRefSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)


class ImageRefSerializer(serializers.Serializer):
    url = serializers.CharField(read_only=True)
    alt_text = serializers.CharField(read_only=True)


class SlugChoicesMixin:
    """Choices keyed by the slug a client writes (the browsable API's form
    lists them); the read shape is an object, which cannot be a key."""

    def get_choices(self, cutoff: int | None = None) -> dict[str, str]:
        queryset = self.get_queryset()  # type: ignore[attr-defined]
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {item.slug: self.display_value(item) for item in queryset}  # type: ignore[attr-defined]


class CategoryField(SlugChoicesMixin, serializers.SlugRelatedField):
    """Written as a category slug, read as ``{id, slug, name}``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        return get_category_model()._default_manager.all()

    def to_representation(self, value: Any) -> Any:
        return {"id": value.pk, "slug": value.slug, "name": value.name}


class CategorySlugField(serializers.SlugRelatedField):
    """A category by slug, both ways (the parent of a category)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        return get_category_model()._default_manager.all()


class TagField(SlugChoicesMixin, serializers.SlugRelatedField):
    """Written as a tag slug, read as ``{slug, name}``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        return Tag.objects.all()

    def to_representation(self, value: Any) -> Any:
        return {"slug": value.slug, "name": value.name}


def image_url(serializer: serializers.BaseSerializer, image: ProductImage) -> str:
    """The image's absolute URL: the storage's, with the request's scheme and
    host in front of a relative one (local files; S3 URLs are absolute).

    Called for every item of a page, so it skips what it can: the storage
    builds the URL from the stored name without a ``FieldFile`` made per
    image, and the origin is taken from the request once (what
    ``build_absolute_uri`` does for a plain absolute path, after parsing it
    every time)."""
    value = image.__dict__.get("image")  # the stored name, or the FieldFile once Django made it
    name = value if isinstance(value, str) else getattr(value, "name", None)
    if not name:
        return image.image.url  # no file: Django's error
    return stored_file_url(serializer, type(image), "image", name)


def stored_file_url(serializer: serializers.BaseSerializer, model: Any, field_name: str, name: str) -> str:
    """:func:`image_url` of a stored file's name (a ``.values()`` row's)."""
    if not name:
        return getattr(model(**{field_name: name}), field_name).url  # no file: Django's error
    storage: Any = model._meta.get_field(field_name).storage
    url = storage.url(name)
    request = serializer.context.get("request")
    if request is None or not url.startswith("/"):
        return url
    if url.startswith("//") or "/./" in url or "/../" in url:
        return request.build_absolute_uri(url)
    origin = getattr(request, "_bazary_origin", None)
    if origin is None:
        origin = request._bazary_origin = request.build_absolute_uri("/")[:-1]
    return iri_to_uri(origin + url)


def validate_attributes(value: Any) -> None:
    """Flat key/value pairs: string keys, scalar values, no NUL, 16 KiB at most."""
    if not isinstance(value, dict):
        raise serializers.ValidationError(_("Expected an object of key/value pairs."))
    for key, item in value.items():
        if not isinstance(key, str) or not key.strip() or len(key) > 100:
            raise serializers.ValidationError(_("Keys must be non-empty strings of 100 characters at most."))
        if item is not None and not isinstance(item, (str, int, float, bool)):
            raise serializers.ValidationError(_("Values must be strings, numbers, booleans or null."))
    encoded = json.dumps(value)
    if "\\u0000" in encoded:
        raise serializers.ValidationError(_("Null characters are not allowed."))
    if len(encoded.encode()) > MAX_ATTRIBUTES_BYTES:
        raise serializers.ValidationError(_("Attributes are limited to 16 KiB."))
