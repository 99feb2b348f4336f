"""Custom classes the settings tests point BAZARY_CATALOG at."""

from rest_framework import serializers
from rest_framework.permissions import BasePermission

from bazary.catalog.filters import ProductFilterSet
from bazary.catalog.models import get_product_model
from bazary.catalog.search import BaseSearchBackend


class NothingBackend(BaseSearchBackend):
    def search(self, queryset, text):
        return queryset.none()


class OnlyFeaturedFilterSet(ProductFilterSet):
    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).filter(is_featured=True)


class SlimProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_product_model()
        fields = ["slug", "name"]


class SlimTagSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)


class SlimImageSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    alt_text = serializers.CharField(read_only=True)


class NoOnePermission(BasePermission):
    """Denies everything, reads included."""

    def has_permission(self, request, view):
        return False


class NotASerializer:
    pass
