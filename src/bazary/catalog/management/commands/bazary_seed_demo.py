"""``manage.py bazary_seed_demo``: a realistic demo catalog, fast.

A 3-level category tree, tags, ``--products N`` products with prices, stock,
attributes, tags and a drawn image each, inserted in bulk; and a few clothes
sold in sizes and colours (products with variants) unless ``--no-variants``. Deterministic
(``--seed``), so running it again adds nothing it already added; ``--clear``
removes the catalog first.
"""

from __future__ import annotations

import io
import random
from decimal import Decimal
from typing import Any, cast

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.text import slugify
from PIL import Image, ImageDraw

from bazary.catalog.management.progress import ProgressBar
from bazary.catalog.models import (
    Option,
    OptionValue,
    ProductImage,
    StockAlert,
    StockMovement,
    Tag,
    Variant,
    get_category_model,
    get_product_model,
)
from bazary.catalog.search import update_search_vectors
from bazary.catalog.stock import adjust_stock

TREE: dict[str, dict[str, list[str]]] = {
    "Electronics": {
        "Computers": ["Laptops", "Desktops", "Monitors"],
        "Phones": ["Smartphones", "Cases", "Chargers"],
        "Audio": ["Headphones", "Speakers"],
    },
    "Home & Kitchen": {
        "Kitchen": ["Cookware", "Knives", "Coffee"],
        "Furniture": ["Chairs", "Tables", "Shelves"],
    },
    "Sports & Outdoors": {
        "Camping": ["Tents", "Sleeping Bags"],
        "Fitness": ["Yoga", "Weights", "Bikes"],
    },
    "Books": {
        "Fiction": ["Mystery", "Science Fiction", "Romance"],
        "Non-fiction": ["History", "Cooking", "Travel"],
    },
}
TAGS = ["New", "Sale", "Bestseller", "Eco", "Limited", "Gift idea", "Staff pick", "Bundle"]
ADJECTIVES = ["Classic", "Compact", "Deluxe", "Everyday", "Pro", "Smart", "Ultra", "Vintage", "Lite", "Rugged"]
COLORS = ["Black", "White", "Red", "Blue", "Green", "Grey", "Sand", "Olive"]
MATERIALS = ["steel", "oak", "cotton", "aluminium", "bamboo", "recycled plastic", "leather", "glass"]
PALETTE = ["#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#6d597a", "#355070", "#b56576"]
BATCH = 1000
SKU_PREFIX = "DEMO-"

#: Options and their values (with a colour code for colours).
OPTIONS = {
    "Size": [("S", ""), ("M", ""), ("L", ""), ("XL", "")],
    "Colour": [("Black", "#1d1d1f"), ("White", "#f5f5f5"), ("Navy", "#1d3557"), ("Grey", "#8d99ae")],
    "Shoe size": [("40", ""), ("41", ""), ("42", ""), ("43", ""), ("44", "")],
}
#: Products sold in variants: (name, SKU, category path, base price, {option: values}, {value: own price}).
VARIANT_PRODUCTS: list[tuple[str, str, tuple[str, str, str], str, dict[str, list[str]], dict[str, str]]] = [
    (
        "Organic Cotton T-shirt",
        "DEMO-TEE",
        ("Clothing", "Tops", "T-shirts"),
        "19.00",
        {"Size": ["S", "M", "L", "XL"], "Colour": ["Black", "White", "Navy"]},
        {"XL": "21.00"},
    ),
    (
        "Zip Hoodie",
        "DEMO-HOODIE",
        ("Clothing", "Tops", "Hoodies"),
        "49.00",
        {"Size": ["S", "M", "L", "XL"], "Colour": ["Grey", "Navy"]},
        {},
    ),
    (
        "Trail Sneaker",
        "DEMO-SNEAKER",
        ("Clothing", "Shoes", "Sneakers"),
        "89.00",
        {"Shoe size": ["40", "41", "42", "43", "44"]},
        {"44": "94.00"},
    ),
]


class Command(BaseCommand):
    help = "Create a demo catalog: a 3-level category tree, tags, products and images."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=int, default=200, help="How many products (default 200).")
        parser.add_argument("--clear", action="store_true", help="Delete every product, category and tag first.")
        parser.add_argument("--no-images", action="store_true", help="Skip drawing product images.")
        parser.add_argument(
            "--no-variants", action="store_true", help="Skip the clothes sold in sizes and colours (variants)."
        )
        parser.add_argument("--seed", type=int, default=42, help="Random seed (same seed, same catalog).")

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["products"]
        if count < 0:
            raise CommandError("--products cannot be negative.")
        rng = random.Random(options["seed"])  # noqa: S311  (demo data, not secrets)
        if options["clear"]:
            self.clear()
        leaves = self.seed_categories()
        tags = self.seed_tags()
        created = self.seed_products(rng, count, leaves, tags, images=not options["no_images"])
        with_variants = (
            0 if options["no_variants"] else self.seed_variant_products(rng, images=not options["no_images"])
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo catalog ready: {len(leaves)} leaf categories, {len(tags)} tags, {created} new products"
                f" (+{with_variants} with variants)."
            )
        )

    def clear(self) -> None:
        Product = get_product_model()
        Category = get_category_model()
        storage = ProductImage._meta.get_field("image").storage  # type: ignore[attr-defined]
        with transaction.atomic():
            names = [name for name in ProductImage.objects.values_list("image", flat=True) if name]
            StockAlert.objects.all().delete()
            StockMovement.objects.all().delete()
            ProductImage.objects.all().delete()
            Product._default_manager.all().delete()  # and their variants
            Option.objects.all().delete()
            # Deepest first: parents are protected while they have children.
            for category in sorted(Category._default_manager.all(), key=lambda c: -c.depth):
                category.delete()
            Tag.objects.all().delete()
        # The files go once the rows are gone (an image row loaded without its
        # file cannot be deleted: Django reads its dimensions).
        for name in names:
            storage.delete(name)
        self.stdout.write("Cleared the catalog.")

    def seed_categories(self) -> list[Any]:
        Category = get_category_model()
        leaves: list[Any] = []

        def node(name: str, parent: Any, position: int) -> Any:
            slug = slugify(name if parent is None else f"{parent.slug} {name}")
            category = Category._default_manager.filter(slug=slug).first()
            if category is None:
                category = Category(name=name, slug=slug, parent=parent, position=position)
                category.save()
            return category

        with transaction.atomic():
            for i, (top, subs) in enumerate(TREE.items()):
                root = node(top, None, i)
                for j, (sub, leaf_names) in enumerate(subs.items()):
                    middle = node(sub, root, j)
                    leaves.extend(node(leaf, middle, k) for k, leaf in enumerate(leaf_names))
        return leaves

    def seed_tags(self) -> list[Tag]:
        Tag.objects.bulk_create([Tag(name=name, slug=slugify(name)) for name in TAGS], ignore_conflicts=True)
        return list(Tag.objects.filter(slug__in=[slugify(name) for name in TAGS]))

    def seed_products(self, rng: random.Random, count: int, leaves: list[Any], tags: list[Tag], *, images: bool) -> int:
        Product = get_product_model()
        through: Any = cast(Any, Product._meta.get_field("tags")).remote_field.through
        product_fk = next(f.name for f in through._meta.get_fields() if getattr(f, "related_model", None) is Product)
        drawn = [self.draw(color) for color in PALETTE] if images else []
        bar = ProgressBar(self.stdout, count, "products")
        created = 0
        for start in range(0, count, BATCH):
            drafts = []
            for i in range(start, min(start + BATCH, count)):
                # Draw every value even for skipped rows: the same seed gives the same catalog.
                row = self.product_row(rng, i, leaves)
                drafts.append((row, rng.sample(tags, k=rng.randint(0, min(3, len(tags))))))
            # Rows from an earlier run are skipped (one query per batch).
            existing = set(
                Product._default_manager.filter(sku__in=[row["sku"] for row, _ in drafts]).values_list("sku", flat=True)
            )
            rows = [(Product(**row), row_tags) for row, row_tags in drafts if row["sku"] not in existing]
            with transaction.atomic():
                Product._default_manager.bulk_create([p for p, _ in rows], batch_size=BATCH)
                by_sku = dict(
                    Product._default_manager.filter(sku__in=[p.sku for p, _ in rows]).values_list("sku", "pk")
                )
                through.objects.bulk_create(
                    [through(**{f"{product_fk}_id": by_sku[p.sku], "tag_id": t.pk}) for p, ts in rows for t in ts],
                    ignore_conflicts=True,
                )
                StockMovement.objects.bulk_create(
                    [
                        StockMovement(product_id=by_sku[p.sku], delta=p.stock, stock_after=p.stock, reason="Demo seed")
                        for p, _ in rows
                        if p.stock
                    ]
                )
                if drawn:
                    ProductImage.objects.bulk_create(
                        [self.image_row(by_sku[p.sku], p, drawn[by_sku[p.sku] % len(drawn)]) for p, _ in rows]
                    )
                update_search_vectors(Product._default_manager.filter(pk__in=list(by_sku.values())))
            created += len(rows)
            bar.advance(min(BATCH, count - start))
        bar.finish()
        return created

    def seed_variant_products(self, rng: random.Random, *, images: bool) -> int:
        """The clothes of ``VARIANT_PRODUCTS``, one variant per combination of
        their options' values; skipped when their SKU exists already."""
        Product: Any = get_product_model()
        Category: Any = get_category_model()
        values: dict[tuple[str, str], OptionValue] = {}
        for position, (option_name, option_values) in enumerate(OPTIONS.items()):
            option, _ = Option.objects.get_or_create(name=option_name, defaults={"position": position})
            for value_position, (name, color) in enumerate(option_values):
                value, _ = OptionValue.objects.get_or_create(
                    option=option, name=name, defaults={"position": value_position, "color": color}
                )
                values[(option_name, name)] = value
        created = 0
        for name, sku, path, price, axes, own_prices in VARIANT_PRODUCTS:
            # Drawn every time, so the same seed gives the same stock.
            combinations: list[list[OptionValue]] = [[]]
            for option_name, names in axes.items():
                combinations = [[*combo, values[(option_name, n)]] for combo in combinations for n in names]
            stocks = [0 if rng.random() < 0.15 else rng.randint(1, 40) for _ in combinations]
            if Product._default_manager.filter(sku=sku).exists():
                continue
            parent: Any = None
            for depth, part in enumerate(path):
                slug = slugify(" ".join(path[: depth + 1]))
                category = Category._default_manager.filter(slug=slug).first()
                if category is None:
                    category = Category(name=part, slug=slug, parent=parent)
                    category.save()
                parent = category
            with transaction.atomic():
                product = Product(
                    name=name,
                    sku=sku,
                    slug=slugify(name),
                    price=Decimal(price),
                    category=parent,
                    short_description=f"{name}: in {', '.join(n.lower() for n in axes)}.",
                    description=f"The {name.lower()} comes in {', '.join(n.lower() for n in axes)}.",
                )
                product.save()
                product.options.set({values[(option_name, names[0])].option_id for option_name, names in axes.items()})
                by_colour: dict[str, ProductImage] = {}
                if images and "Colour" in axes:
                    for position, colour in enumerate(axes["Colour"]):
                        image = ProductImage(
                            product=product, alt_text=f"{name}, {colour}", position=position, is_primary=position == 0
                        )
                        image.image.save(
                            f"{product.slug}-{slugify(colour)}.jpg",
                            ContentFile(self.draw(values[("Colour", colour)].color or PALETTE[0])),
                            save=False,
                        )
                        image.save()
                        by_colour[colour] = image
                for position, (combo, stock) in enumerate(zip(combinations, stocks, strict=True)):
                    own = next((own_prices[v.name] for v in combo if v.name in own_prices), None)
                    variant = Variant(
                        product=product,
                        sku=f"{sku}-" + "-".join(slugify(v.name).upper() for v in combo),
                        price=Decimal(own) if own else None,
                        position=position,
                    )
                    variant.save()
                    variant.set_option_values(combo)
                    shade = next((v.name for v in combo if v.option.name == "Colour"), None)
                    if shade in by_colour:
                        variant.images.set([by_colour[shade]])
                    if stock:
                        adjust_stock(variant, stock, reason="Demo seed")
                update_search_vectors(Product._default_manager.filter(pk=product.pk))
            created += 1
        return created

    def product_row(self, rng: random.Random, i: int, leaves: list[Any]) -> dict[str, Any]:
        category = leaves[i % len(leaves)]
        noun = category.name.rstrip("s") if category.name.endswith("s") else category.name
        name = f"{rng.choice(ADJECTIVES)} {rng.choice(COLORS)} {noun} {i + 1}"
        price = Decimal(rng.randint(199, 199_999)) / 100
        on_sale = rng.random() < 0.2
        stock = 0 if rng.random() < 0.1 else rng.randint(1, 250)
        return {
            "name": name,
            "slug": f"{slugify(name)}",
            "sku": f"{SKU_PREFIX}{i + 1:07d}",
            "description": (
                f"The {name.lower()} is made of {rng.choice(MATERIALS)} and built to last. "
                f"A favourite in {category.name.lower()}."
            ),
            "price": price,
            "compare_at_price": (price * Decimal("1.25")).quantize(Decimal("0.01")) if on_sale else None,
            "cost_price": (price * Decimal("0.55")).quantize(Decimal("0.01")),
            "stock": stock,
            "is_featured": rng.random() < 0.05,
            "category": category,
            "attributes": {"color": name.split()[1], "material": rng.choice(MATERIALS)},
        }

    def image_row(self, product_id: int, product: Any, content: bytes) -> ProductImage:
        image = ProductImage(product_id=product_id, alt_text=product.name, is_primary=True, position=0)
        # Saved through the default storage (local files or S3); the row is
        # bulk-inserted afterwards, so save=False.
        image.image.save(f"{product.slug}.jpg", ContentFile(content), save=False)
        return image

    @staticmethod
    def draw(color: str) -> bytes:
        """A 400x400 product shot: a coloured background and a simple object."""
        image = Image.new("RGB", (400, 400), color)
        draw = ImageDraw.Draw(image)
        draw.rounded_rectangle((90, 110, 310, 330), radius=30, fill="#f1faee", outline="#1d3557", width=6)
        draw.ellipse((160, 60, 240, 140), fill="#1d3557")
        draw.rectangle((130, 250, 270, 270), fill=color)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=80)
        return buffer.getvalue()
