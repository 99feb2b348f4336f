"""POST products/bulk/: permissions, every action, all or nothing, money
rounding, the price audit and what save() would have kept current."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bazary.catalog.models import OptionValue, PriceChange, Product, ProductImage
from bazary.testing.catalog import (
    OptionFactory,
    ProductFactory,
    ProductImageFactory,
    TagFactory,
    VariantFactory,
)

from .conftest import client_for, make_user

pytestmark = pytest.mark.django_db

URL = "/api/products/bulk/"


def post(client, **body):
    return client.post(URL, body, format="json")


@pytest.fixture
def editor(db):
    return make_user("editor", staff=True, perms=("change_product",))


@pytest.fixture
def editor_client(editor):
    return client_for(editor)


@pytest.mark.parametrize(
    ("who", "action", "status"),
    [
        (None, "deactivate", 401),
        ("customer", "deactivate", 403),
        ("staff", "deactivate", 403),
        ("editor", "deactivate", 200),
        ("editor", "delete", 403),
        ("manager", "delete", 200),
    ],
)
def test_bulk_permissions(catalog, who, action, status, request):
    user = request.getfixturevalue(who) if who else None
    response = post(client_for(user), slugs=["pocket-phone"], action=action)
    assert response.status_code == status, response.content
    phone = Product.objects.filter(slug="pocket-phone").first()
    if status != 200:
        assert phone is not None
        assert phone.is_active


def test_activate_and_deactivate_count_the_rows_that_changed(catalog, editor_client):
    response = post(editor_client, slugs=["pocket-phone", "hidden-thing", "pocket-phone"], action="activate")
    assert response.json() == {"action": "activate", "matched": 2, "changed": 1}
    assert Product.objects.get(slug="hidden-thing").is_active
    response = post(editor_client, slugs=["pocket-phone", "hidden-thing", "a-quiet-novel"], action="deactivate")
    assert response.json()["changed"] == 3
    assert not Product.objects.filter(is_active=True, slug__in=["pocket-phone", "hidden-thing"]).exists()


def test_reactivating_sends_the_held_back_in_stock_alerts(
    catalog, customer, editor_client, django_capture_on_commit_callbacks
):
    """A hidden product keeps its alerts pending; bulk activate (an update(),
    no post_save) sends them once it commits, as a save would."""
    from bazary.catalog.models import StockAlert

    alert = StockAlert.objects.create(user=customer, product=catalog["hidden"])
    with django_capture_on_commit_callbacks(execute=True):
        assert post(editor_client, slugs=["hidden-thing"], action="activate").json()["changed"] == 1
    alert.refresh_from_db()
    assert alert.notified_at is not None


def test_every_bad_slug_is_listed_and_nothing_changes(catalog, editor_client):
    response = post(editor_client, slugs=["pocket-phone", "nope", "hidden-thing", "gone"], action="activate")
    assert response.status_code == 400
    errors = response.json()["slugs"]
    assert set(errors) == {"1", "3"}
    assert "'nope'" in errors["1"][0]
    assert "'gone'" in errors["3"][0]
    assert not Product.objects.get(slug="hidden-thing").is_active


def test_bulk_max_items(catalog, editor_client, settings):
    settings.BAZARY_CATALOG = {"BULK_MAX_ITEMS": 2}
    response = post(editor_client, slugs=["pocket-phone", "hidden-thing", "a-quiet-novel"], action="activate")
    assert response.status_code == 400
    assert "At most 2" in response.json()["slugs"][0]
    settings.BAZARY_CATALOG = {"BULK_MAX_ITEMS": 0}
    from django.core.checks import run_checks

    assert "bazary_catalog.E018" in {e.id for e in run_checks()}


@pytest.mark.parametrize(
    "body",
    [
        {"action": "set_price"},
        {"action": "change_price"},
        {"action": "change_price", "percent": "5", "amount": "1"},
        {"action": "activate", "price": "1"},
        {"action": "set_price", "price": "-1"},
        {"action": "set_price", "price": "1e1000"},
        {"action": "change_price", "percent": "-101"},
        {"action": "assign_category"},
        {"action": "add_tags", "tags": []},
        {"action": "explode"},
        {"action": "activate", "slugs": []},
        {"action": "activate", "slugs": ["x" * 10_000]},
        {"action": "activate", "slugs": "pocket-phone"},
    ],
)
def test_bad_parameters_are_400(catalog, editor_client, body):
    response = editor_client.post(URL, {"slugs": ["pocket-phone"], **body}, format="json")
    assert response.status_code == 400, response.content
    assert not PriceChange.objects.exists()


def test_set_price_is_audited_and_moves_last_modified(catalog, editor_client, editor):
    Product.objects.update(updated_at=timezone.now() - timedelta(days=1))
    response = post(editor_client, slugs=["pocket-phone", "a-quiet-novel"], action="set_price", price="15.00")
    assert response.json()["changed"] == 1  # the novel already costs 15.00
    phone = Product.objects.get(slug="pocket-phone")
    assert phone.price == Decimal("15.00")
    assert phone.updated_at > timezone.now() - timedelta(minutes=1)
    (change,) = PriceChange.objects.all()
    assert (change.product_id, change.old_price, change.new_price, change.user) == (
        phone.pk,
        Decimal("499.00"),
        Decimal("15.00"),
        editor,
    )
    assert change.variant is None


def test_a_price_above_the_compare_at_price_refuses_the_whole_request(catalog, editor_client):
    Product.objects.filter(slug="pocket-phone").update(compare_at_price="550.00")
    response = post(editor_client, slugs=["a-quiet-novel", "pocket-phone"], action="change_price", percent="20")
    assert response.status_code == 400
    assert list(response.json()["slugs"]) == ["1"]
    assert Product.objects.get(slug="a-quiet-novel").price == Decimal("15.00")
    assert not PriceChange.objects.exists()


@pytest.mark.parametrize(
    ("price", "currency", "change", "expected"),
    [
        ("19.99", "USD", {"percent": "-15"}, "16.99"),  # 16.9915
        ("0.05", "USD", {"percent": "50"}, "0.08"),  # 0.075: half up
        ("10.00", "USD", {"percent": "-0.05"}, "10.00"),  # 9.995: half up
        ("1234.00", "JPY", {"percent": "-10"}, "1111.00"),  # 1110.6: no minor unit
        ("1000.00", "JPY", {"amount": "0.50"}, "1001.00"),
        ("5.00", "USD", {"amount": "-7.25"}, "0.00"),  # never below zero
        ("5.00", "USD", {"percent": "-100"}, "0.00"),
        ("5.00", "KWD", {"percent": "3.333"}, "5.17"),  # three digits, stored with two
    ],
)
def test_change_price_rounds_half_up_to_the_currency(tree, editor_client, price, currency, change, expected):
    ProductFactory(name="Item", price=price, currency=currency, category=tree["books"])
    response = post(editor_client, slugs=["item"], action="change_price", **change)
    assert response.status_code == 200, response.content
    assert str(Product.objects.get(slug="item").price) == expected


def test_change_price_changes_variants_with_their_own_price(tree, editor_client):
    size = OptionFactory(name="Size", values=["S", "M"])
    small, medium = OptionValue.objects.filter(option=size).order_by("position")
    tee = ProductFactory(name="Tee", price="10.00", category=tree["books"])
    own = VariantFactory(product=tee, values=[small], price="12.00")
    follows = VariantFactory(product=tee, values=[medium], price=None)
    response = post(editor_client, slugs=["tee"], action="change_price", percent="-50")
    assert response.json()["changed"] == 2
    own.refresh_from_db()
    follows.refresh_from_db()
    assert (own.price, follows.price) == (Decimal("6.00"), None)
    assert {(c.variant_id, c.new_price) for c in PriceChange.objects.all()} == {
        (None, Decimal("5.00")),
        (own.pk, Decimal("6.00")),
    }


def test_assign_category(catalog, tree, editor_client):
    response = post(
        editor_client, slugs=["pocket-phone", "ultrabook-pro-14"], action="assign_category", category="books"
    )
    assert response.json()["changed"] == 2
    assert set(Product.objects.filter(category=tree["books"]).values_list("slug", flat=True)) >= {
        "pocket-phone",
        "ultrabook-pro-14",
    }
    response = post(editor_client, slugs=["pocket-phone"], action="assign_category", category="nope")
    assert response.status_code == 400
    assert "category" in response.json()


def test_add_and_remove_tags(catalog, editor_client):
    gift = TagFactory(name="gift")
    response = post(editor_client, slugs=["pocket-phone", "ultrabook-pro-14"], action="add_tags", tags=["gift", "new"])
    assert response.json()["changed"] == 2
    assert sorted(Product.objects.get(slug="pocket-phone").tags.values_list("slug", flat=True)) == ["gift", "new"]
    # Again: nothing to add.
    assert post(editor_client, slugs=["pocket-phone"], action="add_tags", tags=["gift"]).json()["changed"] == 0
    response = post(editor_client, slugs=["pocket-phone", "a-quiet-novel"], action="remove_tags", tags=["gift"])
    assert response.json()["changed"] == 1
    assert list(gift.products.values_list("slug", flat=True)) == ["ultrabook-pro-14"]
    response = post(editor_client, slugs=["pocket-phone"], action="add_tags", tags=["gift", "nope", "zilch"])
    assert response.status_code == 400
    assert set(response.json()["tags"]) == {"1", "2"}


def test_tag_changes_reach_search(catalog, editor_client):
    """Through rows written in bulk: the search (and, on PostgreSQL, the
    stored vectors) sees them as if tags.add() had run."""
    TagFactory(name="zanzibar")
    post(editor_client, slugs=["pocket-phone"], action="add_tags", tags=["zanzibar"])
    found = client_for(None).get("/api/products/", {"search": "zanzibar"}).json()["results"]
    assert [row["slug"] for row in found] == ["pocket-phone"]


def test_delete_removes_products_and_their_files(catalog, manager_client, django_capture_on_commit_callbacks):
    image = ProductImageFactory(product=catalog["phone"])
    storage, name = image.image.storage, image.image.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(manager_client, slugs=["pocket-phone", "hidden-thing"], action="delete")
    assert response.json() == {"action": "delete", "matched": 2, "changed": 2}
    assert not Product.objects.filter(slug__in=["pocket-phone", "hidden-thing"]).exists()
    assert not ProductImage.objects.exists()
    assert not storage.exists(name)


@pytest.mark.parametrize(
    ("action", "extra"),
    [("deactivate", {}), ("change_price", {"percent": "5"}), ("add_tags", {"tags": ["sale"]}), ("delete", {})],
)
def test_queries_do_not_grow_with_the_products(tree, manager_client, action, extra, django_assert_max_num_queries):
    TagFactory(name="sale")
    for i in range(40):
        ProductFactory(name=f"P{i}", category=tree["books"])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert post(manager_client, slugs=["p0", "p1"], action=action, **extra).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = post(manager_client, slugs=[f"p{i}" for i in range(2, 40)], action=action, **extra)
    assert response.json()["changed"] == 38
