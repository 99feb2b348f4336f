"""Factories for bazary.catalog: categories, tags, products, images, options
and variants.

They build whichever models ``BAZARY_CATALOG_PRODUCT_MODEL`` /
``BAZARY_CATALOG_CATEGORY_MODEL`` name, so they work with swapped models too.
"""

from __future__ import annotations

import io
import struct
import zlib
from decimal import Decimal
from typing import Any

import factory
import swapper
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (8, 8), color: str = "teal") -> bytes:
    """A small valid image in ``fmt`` (PNG, JPEG, WEBP, GIF)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def image_upload(name: str = "photo.png", fmt: str = "PNG", **kwargs: Any) -> SimpleUploadedFile:
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}[fmt]
    return SimpleUploadedFile(name, image_bytes(fmt, **kwargs), content_type=content_type)


def png_bomb(size: tuple[int, int] = (9500, 9500), mode: str = "L") -> bytes:
    """A valid PNG of ``size`` pixels, all black, written row by row without
    ever holding the pixels: a decompression bomb (9500x9500 grey is ~90 KB on
    disk and 90 MB decoded; ``mode="RGBA"`` is four times that)."""
    width, height = size
    color_type, channels = {"L": (0, 1), "RGB": (2, 3), "RGBA": (6, 4)}[mode]

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = bytes(1 + width * channels)  # filter byte 0, then black pixels
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = swapper.get_model_name("bazary_catalog", "Category")
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Category {n}")
    parent = None
    is_active = True


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bazary_catalog.Tag"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    """``ProductFactory(tags=[tag, ...])`` sets tags after saving."""

    class Meta:
        model = swapper.get_model_name("bazary_catalog", "Product")
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Product {n}")
    description = factory.Faker("sentence")
    price = Decimal("19.99")
    stock = 10
    category = factory.SubFactory(CategoryFactory)
    is_active = True

    @factory.post_generation
    def tags(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.tags.set(extracted)


class ProductImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bazary_catalog.ProductImage"

    product = factory.SubFactory(ProductFactory)
    image = factory.LazyFunction(image_upload)
    alt_text = factory.Sequence(lambda n: f"Image {n}")
    is_primary = True


class OptionFactory(factory.django.DjangoModelFactory):
    """``OptionFactory(name="Size", values=["S", "M", "L"])`` adds the values in order."""

    class Meta:
        model = "bazary_catalog.Option"
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Option {n}")

    @factory.post_generation
    def values(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            for position, name in enumerate(extracted):
                OptionValueFactory(option=self, name=name, position=position)


class OptionValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bazary_catalog.OptionValue"
        django_get_or_create = ("option", "name")

    option = factory.SubFactory(OptionFactory)
    name = factory.Sequence(lambda n: f"Value {n}")


class VariantFactory(factory.django.DjangoModelFactory):
    """``VariantFactory(product=p, values=[m, black])`` gives the variant
    those option values (and adds their options to the product)."""

    class Meta:
        model = "bazary_catalog.Variant"
        skip_postgeneration_save = True

    product = factory.SubFactory(ProductFactory)
    stock = 5

    @factory.post_generation
    def values(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            variant: Any = self
            variant.set_option_values(extracted)
            variant.product.options.add(*{value.option_id for value in extracted})
