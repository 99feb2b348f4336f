from bazary.catalog import serializers as catalog


class ProductSerializer(catalog.ProductSerializer):
    class Meta(catalog.ProductSerializer.Meta):
        fields = [*catalog.ProductSerializer.Meta.fields, "brand"]


class ProductDetailSerializer(catalog.ProductDetailSerializer):
    class Meta(catalog.ProductDetailSerializer.Meta):
        fields = [*catalog.ProductDetailSerializer.Meta.fields, "brand"]


class CategorySerializer(catalog.CategorySerializer):
    class Meta(catalog.CategorySerializer.Meta):
        fields = [*catalog.CategorySerializer.Meta.fields, "icon"]
