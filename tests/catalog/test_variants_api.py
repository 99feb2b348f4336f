"""The API of options, values and variants: shapes, writes, constraints as
400s, stock, alerts, permissions and query budgets."""

from __future__ import annotations

import pytest
from django.db import connection

from bazary.catalog.models import OptionValue, Product, StockAlert, StockMovement, Variant
from bazary.testing.catalog import (
    OptionFactory,
    ProductFactory,
    ProductImageFactory,
    TagFactory,
    VariantFactory,
)

from .conftest import client_for, make_user

pytestmark = pytest.mark.django_db

TEE = "/api/products/basic-tee/"


def item(response, slug):
    return next(p for p in response.json()["results"] if p["slug"] == slug)


# --------------------------------------------------------------------------- reading


def test_list_items_carry_the_price_range_stock_and_options(tshirt, api_client):
    Variant.objects.filter(sku="TEE-S-W").update(is_active=False, price="5.00")
    plain = ProductFactory(name="Plain Mug", price="7.50", category=tshirt["product"].category, stock=0)
    response = api_client.get("/api/products/")
    tee = item(response, "basic-tee")
    assert (tee["price"], tee["price_min"], tee["price_max"]) == ("20.00", "20.00", "25.00")
    assert tee["has_variants"] is True
    assert tee["in_stock"] is True
    assert tee["stock"] == 12  # the active variants' total (S/White is inactive)
    assert "cost_price" not in tee
    assert tee["options"] == [
        {
            "slug": "size",
            "name": "Size",
            "values": [
                {"slug": "s", "name": "S", "color": ""},
                {"slug": "m", "name": "M", "color": ""},
                {"slug": "l", "name": "L", "color": ""},
            ],
        },
        {
            "slug": "colour",
            "name": "Colour",
            "values": [
                {"slug": "black", "name": "Black", "color": ""},
                {"slug": "white", "name": "White", "color": ""},
            ],
        },
    ]
    mug = item(response, plain.slug)
    assert (mug["price_min"], mug["price_max"], mug["has_variants"], mug["options"]) == ("7.50", "7.50", False, [])
    assert (mug["stock"], mug["in_stock"]) == (0, False)


def test_a_product_whose_variants_are_all_out_of_stock_is_out_of_stock(tshirt, api_client):
    Variant.objects.update(stock=0)
    Product.objects.filter(pk=tshirt["product"].pk).update(stock=50)  # its own column no longer counts
    tee = item(api_client.get("/api/products/"), "basic-tee")
    assert (tee["in_stock"], tee["stock"]) == (False, 0)


def test_detail_carries_the_variants(tshirt, api_client, manager_client):
    image = ProductImageFactory(product=tshirt["product"], alt_text="black tee")
    ProductImageFactory(product=tshirt["product"], alt_text="white tee", is_primary=False, position=1)
    m_black = tshirt["variants"]["M/Black"]
    m_black.images.set([image])
    Variant.objects.filter(sku="TEE-S-W").update(is_active=False, cost_price="4.00")
    body = api_client.get(TEE).json()
    assert [v["sku"] for v in body["variants"]] == ["TEE-S-B", "TEE-M-B", "TEE-M-W", "TEE-L-B", "TEE-L-W"]
    variant = body["variants"][1]
    assert variant["option_values"] == [
        {"option": "size", "option_name": "Size", "value": "m", "name": "M", "color": ""},
        {"option": "colour", "option_name": "Colour", "value": "black", "name": "Black", "color": ""},
    ]
    assert (variant["price"], variant["effective_price"], variant["stock"], variant["in_stock"]) == (
        None,
        "20.00",
        3,
        True,
    )
    assert [(i["id"], i["alt_text"]) for i in variant["images"]] == [(image.pk, "black tee")]
    assert variant["images"][0]["url"].startswith("http")  # absolute (local files or S3)
    assert variant["images"][0]["url"].endswith(image.image.name)
    assert body["variants"][3]["effective_price"] == "25.00"
    assert body["variants"][4]["in_stock"] is False
    assert "cost_price" not in variant
    # Staff see every variant, and cost prices.
    staff_body = manager_client.get(TEE).json()
    assert len(staff_body["variants"]) == 6
    assert staff_body["variants"][1]["cost_price"] == "4.00"


def test_query_budgets_hold_with_many_variants(
    tree, api_client, django_assert_num_queries, django_assert_max_num_queries
):
    size = OptionFactory(name="Size", values=[f"S{i}" for i in range(10)])
    colour = OptionFactory(name="Colour", values=["Black"])
    black = colour.values.get()
    tag = TagFactory(name="sale")
    for n in range(12):
        product = ProductFactory(name=f"Tee {n}", category=tree["laptops"], tags=[tag])
        ProductImageFactory(product=product)
        for value in size.values.all():
            VariantFactory(product=product, values=[value, black])
    # count, page, tags, primary images, variants, their option values
    with django_assert_max_num_queries(6) as small:
        assert len(api_client.get("/api/products/?page_size=1").json()["results"]) == 1
    with django_assert_num_queries(len(small.captured_queries)):
        body = api_client.get("/api/products/?page_size=100").json()
    assert len(body["results"]) == 12
    assert all([len(o["values"]) for o in p["options"]] == [1, 10] for p in body["results"])  # Colour, Size
    # product, ancestors, images, tags, variants (with their image ids), option values
    with django_assert_max_num_queries(6):
        detail = api_client.get("/api/products/tee-0/").json()
    assert len(detail["variants"]) == 10
    # The variant list under the product: product, count, variants, option values, images.
    with django_assert_max_num_queries(5) as few:
        api_client.get("/api/products/tee-0/variants/?page_size=1")
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(api_client.get("/api/products/tee-0/variants/?page_size=100").json()["results"]) == 10


def test_options_are_listed_with_their_values(tshirt, api_client, django_assert_num_queries):
    OptionFactory(name="Material", position=5, values=["Cotton"])
    with django_assert_num_queries(3):  # count, options, values
        body = api_client.get("/api/options/").json()
    assert [(o["slug"], [v["name"] for v in o["values"]]) for o in body["results"]] == [
        ("size", ["S", "M", "L"]),
        ("colour", ["Black", "White"]),
        ("material", ["Cotton"]),
    ]
    values = api_client.get("/api/options/size/values/").json()["results"]
    assert [v["slug"] for v in values] == ["s", "m", "l"]
    assert api_client.get("/api/options/size/values/m/").json()["name"] == "M"
    assert api_client.get("/api/options/nope/values/").status_code == 404


# --------------------------------------------------------------------------- writing options


def test_staff_create_options_and_values(manager_client):
    response = manager_client.post("/api/options/", {"name": "Shoe size", "position": 2}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["slug"] == "shoe-size"
    response = manager_client.post(
        "/api/options/shoe-size/values/", {"name": "42.5", "color": "#aabbcc"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["slug"] == "42-5"
    assert manager_client.post("/api/options/shoe-size/values/", {"name": "42.5"}, format="json").status_code == 400
    assert manager_client.post("/api/options/", {"name": "Shoe size"}, format="json").status_code == 400
    bad_colour = manager_client.post("/api/options/shoe-size/values/", {"name": "43", "color": "red"}, format="json")
    assert bad_colour.status_code == 400
    assert "color" in bad_colour.json()
    assert (
        manager_client.patch("/api/options/shoe-size/values/42-5/", {"name": "42½"}, format="json").status_code == 200
    )
    assert OptionValue.objects.get(slug="42-5").name == "42½"


def test_options_and_values_in_use_cannot_be_deleted(tshirt, manager_client):
    assert manager_client.delete("/api/options/size/values/m/").status_code == 409
    assert manager_client.delete("/api/options/size/").status_code == 409
    assert OptionValue.objects.filter(option__slug="size").count() == 3
    unused = OptionFactory(name="Material", values=["Wool"])
    assert manager_client.delete("/api/options/material/values/wool/").status_code == 204
    assert manager_client.delete(f"/api/options/{unused.slug}/").status_code == 204


# --------------------------------------------------------------------------- writing variants


def test_create_a_variant(tshirt, manager_client, manager):
    from bazary.testing.catalog import OptionValueFactory

    OptionValueFactory(option=tshirt["size"], name="XL", position=3)
    image = ProductImageFactory(product=tshirt["product"])
    response = manager_client.post(
        f"{TEE}variants/",
        {
            "options": {"size": "xl", "colour": "Black"},
            "price": "27.00",
            "compare_at_price": "30.00",
            "cost_price": "8.00",
            "stock": 4,
            "weight": "0.180",
            "images": [image.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sku"].startswith("SKU-")
    assert [v["name"] for v in body["option_values"]] == ["XL", "Black"]
    assert (body["price"], body["stock"], body["cost_price"], body["weight"]) == ("27.00", 4, "8.00", "0.180")
    assert [i["id"] for i in body["images"]] == [image.pk]
    movement = StockMovement.objects.get(variant_id=body["id"])
    assert (movement.delta, movement.user) == (4, manager)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"options": {"size": "M", "colour": "Black"}}, "options"),  # M/Black exists
        ({"options": {"colour": "Black", "size": "m"}}, "options"),  # the same, another order and case
        ({"options": {"size": "M"}}, "options"),  # colour missing
        ({"options": {"size": "M", "colour": "Black", "material": "x"}}, "options"),
        ({"options": {"size": "XXL", "colour": "Black"}}, "options"),  # not a value of size
        ({"options": {"size": ["M"], "colour": "Black"}}, "options"),
        ({"options": "size:M"}, "options"),
        ({}, "options"),
        ({"options": {"size": "XL", "colour": "Black"}, "sku": "TEE"}, "sku"),  # the product's SKU
        ({"options": {"size": "XL", "colour": "Black"}, "sku": "TEE-M-B"}, "sku"),  # another variant's
        ({"options": {"size": "XL", "colour": "Black"}, "price": "-1"}, "price"),
        ({"options": {"size": "XL", "colour": "Black"}, "price": "1e1000"}, "price"),
        ({"options": {"size": "XL", "colour": "Black"}, "price": "10", "compare_at_price": "9"}, "compare_at_price"),
        ({"options": {"size": "XL", "colour": "Black"}, "stock": -1}, "stock"),
        ({"options": {"size": "XL", "colour": "Black"}, "stock": 2**63}, "stock"),
        ({"options": {"size": "XL", "colour": "Black"}, "images": [2**63]}, "images"),
        ({"options": {"size": "XL", "colour": "Black"}, "position": 2**40}, "position"),
        ({"options": {"size": "x" * 10_000, "colour": "Black"}}, "options"),
    ],
)
def test_bad_variants_are_400_and_nothing_is_written(tshirt, manager_client, body, field):
    from bazary.testing.catalog import OptionValueFactory

    OptionValueFactory(option=tshirt["size"], name="XL")
    before = Variant.objects.count()
    response = manager_client.post(f"{TEE}variants/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert Variant.objects.count() == before


def test_images_of_another_product_are_refused(tshirt, manager_client):
    foreign = ProductImageFactory()
    variant = tshirt["variants"]["M/Black"]
    response = manager_client.patch(f"{TEE}variants/{variant.pk}/", {"images": [foreign.pk]}, format="json")
    assert response.status_code == 400
    assert not variant.images.exists()


def test_update_a_variant(tshirt, manager_client):
    variant = tshirt["variants"]["M/Black"]
    url = f"{TEE}variants/{variant.pk}/"
    response = manager_client.patch(url, {"price": "22.00", "stock": 10, "is_active": False}, format="json")
    assert response.status_code == 200, response.json()
    variant.refresh_from_db()
    assert (str(variant.price), variant.stock, variant.is_active) == ("22.00", 10, False)
    assert StockMovement.objects.get(variant=variant).delta == 7
    # Its combination can move to a free one, not to a taken one.
    from bazary.testing.catalog import OptionValueFactory

    OptionValueFactory(option=tshirt["size"], name="XL")
    assert manager_client.patch(url, {"options": {"size": "S", "colour": "Black"}}, format="json").status_code == 400
    response = manager_client.patch(url, {"options": {"size": "XL", "colour": "Black"}}, format="json")
    assert response.status_code == 200, response.json()
    assert [v["name"] for v in response.json()["option_values"]] == ["XL", "Black"]


def test_the_first_variant_gives_a_product_its_options(tree, manager_client):
    OptionFactory(name="Size", values=["S", "M"])
    product = ProductFactory(name="Hoodie", category=tree["books"], price="40.00")
    url = f"/api/products/{product.slug}/variants/"
    response = manager_client.post(url, {"options": {"size": "S"}}, format="json")
    assert response.status_code == 201, response.json()
    assert [o.slug for o in product.options.all()] == ["size"]
    assert manager_client.post(url, {"options": {"size": "M"}}, format="json").status_code == 201
    assert manager_client.post(url, {"options": {"size": "M"}}, format="json").status_code == 400


def test_deleting_a_variant(tshirt, manager_client):
    sold = tshirt["variants"]["M/Black"]
    assert manager_client.post(f"{TEE}variants/{sold.pk}/stock/", {"delta": -1}, format="json").status_code == 200
    response = manager_client.delete(f"{TEE}variants/{sold.pk}/")
    assert response.status_code == 409
    assert "stock movements" in response.json()["detail"]
    assert Variant.objects.filter(pk=sold.pk).exists()
    fresh = tshirt["variants"]["S/White"]
    assert manager_client.delete(f"{TEE}variants/{fresh.pk}/").status_code == 204
    assert not Variant.objects.filter(pk=fresh.pk).exists()


def test_a_product_with_variants_has_no_stock_of_its_own_in_the_api(tshirt, manager_client):
    response = manager_client.post(f"{TEE}stock/", {"delta": 5}, format="json")
    assert response.status_code == 409
    assert "variants" in response.json()["detail"]
    response = manager_client.patch(TEE, {"stock": 5}, format="json")
    assert response.status_code == 400
    assert "stock" in response.json()
    # Its base price still changes what the variants without a price cost.
    assert manager_client.patch(TEE, {"price": "21.00"}, format="json").status_code == 200
    assert manager_client.get(TEE).json()["price_min"] == "21.00"
    assert not StockMovement.objects.exists()


def test_a_variant_change_moves_the_products_last_modified(tshirt, api_client, manager_client):
    first = api_client.get(TEE)
    variant = tshirt["variants"]["M/Black"]
    Product.objects.filter(pk=tshirt["product"].pk).update(updated_at="2000-01-01T00:00:00Z")
    type(tshirt["product"].category).objects.update(updated_at="2000-01-01T00:00:00Z")
    stale = api_client.get(TEE)["Last-Modified"]
    assert manager_client.patch(f"{TEE}variants/{variant.pk}/", {"price": "30.00"}, format="json").status_code == 200
    after = api_client.get(TEE)
    assert after["Last-Modified"] != stale
    assert after["ETag"] != first["ETag"]


# --------------------------------------------------------------------------- stock and alerts


def test_variant_stock(tshirt, manager_client):
    variant = tshirt["variants"]["M/Black"]
    url = f"{TEE}variants/{variant.pk}/stock/"
    response = manager_client.post(url, {"delta": -3, "reason": "sold"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"id": variant.pk, "sku": "TEE-M-B", "stock": 0, "in_stock": False}
    assert manager_client.post(url, {"delta": -1}, format="json").status_code == 409
    assert manager_client.post(url, {"delta": 0}, format="json").status_code == 400
    assert manager_client.post(url, {"delta": "1e1000"}, format="json").status_code == 400
    variant.refresh_from_db()
    assert variant.stock == 0
    assert StockMovement.objects.filter(variant=variant).count() == 1


def test_subscribe_to_a_variant(tshirt, customer_client, customer):
    l_white = tshirt["variants"]["L/White"]
    url = f"{TEE}variants/{l_white.pk}/stock-alert/"
    response = customer_client.post(url)
    assert response.status_code == 201
    assert response.json()["variant"] == "TEE-L-W"
    assert customer_client.post(url).status_code == 200
    # The product as a whole is another subscription.
    assert customer_client.post(f"{TEE}stock-alert/").status_code == 201
    assert StockAlert.objects.filter(user=customer).count() == 2
    assert customer_client.delete(url).status_code == 204
    assert list(StockAlert.objects.filter(user=customer).values_list("variant", flat=True)) == [None]


def test_inactive_variants_are_404_for_customers(tshirt, customer_client, manager_client):
    variant = tshirt["variants"]["M/Black"]
    Variant.objects.filter(pk=variant.pk).update(is_active=False)
    for suffix in ("", "stock-alert/"):
        url = f"{TEE}variants/{variant.pk}/{suffix}"
        assert (customer_client.get(url) if not suffix else customer_client.post(url)).status_code == 404
    assert manager_client.get(f"{TEE}variants/{variant.pk}/").status_code == 200
    # A variant of another product is not found under this one.
    other = VariantFactory(values=[tshirt["values"]["S"]])
    assert manager_client.get(f"{TEE}variants/{other.pk}/").status_code == 404


@pytest.mark.parametrize("variant_id", ["abc", "-1", str(2**63), "1e3", "%00", "٣"])
def test_hostile_variant_ids_are_404(tshirt, manager_client, variant_id):
    for suffix in ("", "stock/"):
        response = manager_client.get(f"{TEE}variants/{variant_id}/{suffix}")
        assert response.status_code in (404, 405)
        assert response["Content-Type"].startswith("application/json")


# --------------------------------------------------------------------------- permissions


def endpoints(tshirt):
    variant = tshirt["variants"]["M/Black"]
    new_variant = {"options": {"size": "S", "colour": "Black"}}
    return [
        # (method, url, body, permission a write needs)
        ("post", "/api/options/", {"name": "Material"}, "add_option"),
        ("patch", "/api/options/size/", {"position": 4}, "change_option"),
        ("delete", "/api/options/colour/", None, "delete_option"),
        ("post", "/api/options/size/values/", {"name": "XS"}, "add_optionvalue"),
        ("patch", "/api/options/size/values/m/", {"position": 9}, "change_optionvalue"),
        ("delete", "/api/options/size/values/s/", None, "delete_optionvalue"),
        ("post", f"{TEE}variants/", new_variant, "add_variant"),
        ("patch", f"{TEE}variants/{variant.pk}/", {"price": "1.00"}, "change_variant"),
        ("post", f"{TEE}variants/{variant.pk}/stock/", {"delta": 1}, "change_variant"),
        ("delete", f"{TEE}variants/{tshirt['variants']['S/White'].pk}/", None, "delete_variant"),
    ]


@pytest.mark.parametrize("who", ["anonymous", "customer", "staff", "staff with the wrong permission"])
def test_writes_need_staff_with_the_model_permission(tshirt, customer, staff, who):
    user = {"anonymous": None, "customer": customer, "staff": staff}.get(who)
    expected = 401 if who == "anonymous" else 403
    for method, url, body, perm in endpoints(tshirt):
        if who == "staff with the wrong permission":
            wrong = "view_variant" if not perm.endswith("variant") else perm.replace("variant", "option")
            user = make_user(f"u-{perm}-{method}", staff=True, perms=(wrong,))
        response = getattr(client_for(user), method)(url, body, format="json")
        assert response.status_code == expected, (method, url, response.status_code)
    assert Variant.objects.count() == 6
    assert OptionValue.objects.count() == 5


def test_staff_with_the_permission_may_write(tshirt):
    # Deleting S/Black and the colour option: variants use them (409), but permission passed.
    expected = {"delete_option": 409, "delete_optionvalue": 409, "delete_variant": 204, "add_variant": 400}
    for method, url, body, perm in endpoints(tshirt):
        user = make_user(f"ok-{perm}-{method}", staff=True, perms=(perm,))
        response = getattr(client_for(user), method)(url, body, format="json")
        default = 200 if url.endswith("/stock/") else {"post": 201, "patch": 200}.get(method, 204)
        assert response.status_code == expected.get(perm, default), (method, url, response.content)


def test_cost_prices_are_for_staff_only(tshirt, api_client, customer_client, manager_client):
    variant = tshirt["variants"]["L/White"]
    Variant.objects.filter(pk=variant.pk).update(cost_price="7.00")
    for client in (api_client, customer_client):
        for url in (f"{TEE}variants/", f"{TEE}variants/{variant.pk}/", TEE, "/api/products/"):
            assert "cost_price" not in client.get(url).content.decode(), url
    assert manager_client.get(f"{TEE}variants/{variant.pk}/").json()["cost_price"] == "7.00"
    # A customer's write of it is refused before it is read (403), staff's is stored.
    assert customer_client.patch(f"{TEE}variants/{variant.pk}/", {"cost_price": "1"}, format="json").status_code == 403


def test_reads_are_public_but_alerts_need_an_account(tshirt, api_client):
    variant = tshirt["variants"]["L/White"]
    assert api_client.get("/api/options/").status_code == 200
    assert api_client.get(f"{TEE}variants/").status_code == 200
    assert api_client.get(f"{TEE}variants/{variant.pk}/").status_code == 200
    assert api_client.post(f"{TEE}variants/{variant.pk}/stock-alert/").status_code == 401
    assert api_client.delete(f"{TEE}variants/{variant.pk}/stock-alert/").status_code == 401
    assert api_client.get(f"{TEE}variants/{variant.pk}/stock/").status_code in (401, 405)


# --------------------------------------------------------------------------- concurrency


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_decrements_of_a_variant_never_oversell(tree, manager):
    import threading

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    size = OptionFactory(name="Size", values=["M"])
    variant = VariantFactory(product=ProductFactory(category=tree["books"]), values=[size.values.get()], stock=5)
    url = f"/api/products/{variant.product.slug}/variants/{variant.pk}/stock/"
    statuses = []
    lock = threading.Lock()
    barrier = threading.Barrier(20)

    def decrement():
        from django.db import connections

        client = client_for(manager)
        barrier.wait()
        try:
            response = client.post(url, {"delta": -1}, format="json")
            with lock:
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decrement) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 5 + [409] * 15
    variant.refresh_from_db()
    assert variant.stock == 0
    assert StockMovement.objects.filter(variant=variant).count() == 5
