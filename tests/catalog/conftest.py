from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from rest_framework.test import APIClient

from bazary.testing.catalog import CategoryFactory, ProductFactory, TagFactory

PASSWORD = "a-long-test-password-1"


def make_user(name: str, *, staff: bool = False, perms: tuple[str, ...] = ()) -> Any:
    """A user of whatever AUTH_USER_MODEL the project uses."""
    User = get_user_model()
    email = f"{name}@example.com"
    fields: dict[str, Any] = {User.USERNAME_FIELD: email if User.USERNAME_FIELD == "email" else name}
    if User.USERNAME_FIELD != "email" and hasattr(User, "email"):
        fields["email"] = email
    user = User._default_manager.create_user(password=PASSWORD, **fields)
    user.is_staff = staff
    user.save()
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label__in=_labels()))
    return user


def _labels() -> list[str]:
    import swapper

    return sorted(
        {"bazary_catalog", swapper.get_model_name("bazary_catalog", "Product").split(".")[0]}
        | {swapper.get_model_name("bazary_catalog", "Category").split(".")[0]}
    )


ALL_PERMS = tuple(
    f"{action}_{model}"
    for action in ("add", "change", "delete")
    for model in ("product", "category", "tag", "productimage", "option", "optionvalue", "variant")
)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def customer(db):
    return make_user("customer")


@pytest.fixture
def staff(db):
    """Staff without model permissions."""
    return make_user("staff", staff=True)


@pytest.fixture
def manager(db):
    """Staff with every catalog model permission."""
    return make_user("manager", staff=True, perms=ALL_PERMS)


def client_for(user: Any | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def customer_client(customer):
    return client_for(customer)


@pytest.fixture
def staff_client(staff):
    return client_for(staff)


@pytest.fixture
def manager_client(manager):
    return client_for(manager)


@pytest.fixture
def tree(db):
    """electronics > computers > laptops, electronics > phones; books (root)."""
    electronics = CategoryFactory(name="Electronics")
    computers = CategoryFactory(name="Computers", parent=electronics)
    laptops = CategoryFactory(name="Laptops", parent=computers)
    phones = CategoryFactory(name="Phones", parent=electronics)
    books = CategoryFactory(name="Books")
    return {"electronics": electronics, "computers": computers, "laptops": laptops, "phones": phones, "books": books}


@pytest.fixture
def catalog(tree):
    sale = TagFactory(name="sale")
    new = TagFactory(name="new")
    products = {
        "laptop": ProductFactory(
            name="Ultrabook Pro 14", sku="LAP-1", price="1299.00", category=tree["laptops"], tags=[sale], stock=3
        ),
        "phone": ProductFactory(
            name="Pocket Phone", sku="PHN-1", price="499.00", category=tree["phones"], tags=[new], is_featured=True
        ),
        "novel": ProductFactory(
            name="A Quiet Novel",
            sku="BK-1",
            price="15.00",
            category=tree["books"],
            stock=0,
            description="A story about a laptop repairman.",
        ),
        "hidden": ProductFactory(
            name="Hidden Thing", sku="HID-1", price="5.00", category=tree["books"], is_active=False
        ),
    }
    return {**products, "sale": sale, "new": new}


@pytest.fixture
def tshirt(tree):
    """A T-shirt in sizes S, M, L and colours Black, White (6 variants, 3 each
    in stock but L/White at 0), and the options and values."""
    from bazary.testing.catalog import OptionFactory, VariantFactory

    size = OptionFactory(name="Size", position=0, values=["S", "M", "L"])
    colour = OptionFactory(name="Colour", position=1, values=["Black", "White"])
    values = {value.name: value for option in (size, colour) for value in option.values.all()}
    product = ProductFactory(name="Basic Tee", sku="TEE", price="20.00", category=tree["books"], stock=0)
    variants = {}
    for position, (s, c) in enumerate((s, c) for s in ("S", "M", "L") for c in ("Black", "White")):
        variants[f"{s}/{c}"] = VariantFactory(
            product=product,
            sku=f"TEE-{s}-{c[0]}",
            values=[values[s], values[c]],
            stock=0 if (s, c) == ("L", "White") else 3,
            price="25.00" if s == "L" else None,
            position=position,
        )
    return {"product": product, "size": size, "colour": colour, "values": values, "variants": variants}


@pytest.fixture
def image_server(settings):
    """A loopback server with the Shopify sample's images; downloads may reach 127.0.0.1."""
    from .image_server import ImageServer, sample_routes

    settings.BAZARY_CATALOG = {**getattr(settings, "BAZARY_CATALOG", {}), "IMPORT_ALLOW_PRIVATE_NETWORKS": True}
    with ImageServer(sample_routes()) as server:
        yield server


@pytest.fixture
def shopify_sample(image_server, tmp_path):
    """tests/catalog/data/shopify_products.csv with its image URLs on :func:`image_server`."""
    from .image_server import write_sample

    return write_sample(image_server, tmp_path)


@pytest.fixture
def local_storage(settings):
    """Product images in ``FileSystemStorage`` (relative ``/media/...`` URLs),
    whatever the suite's storage (S3 under scripts/services.py, whose bucket
    the image downloads cannot read anonymously)."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
