"""Back-in-stock alerts: who is told, when, and what the message says."""

import io

import pytest
from django.apps import apps

from bazary.catalog.models import StockAlert
from bazary.catalog.stock import adjust_stock
from bazary.testing.catalog import ProductFactory

pytestmark = pytest.mark.django_db

NAME = "Tom & Jerry's <b>"


@pytest.fixture
def notifications():
    if not apps.is_installed("bazary.notifications"):
        pytest.skip("needs bazary.notifications")
    from bazary.notifications.models import Delivery, Notification

    return Delivery, Notification


def test_texts_are_plain_and_html_is_escaped(
    tree, customer, notifications, django_capture_on_commit_callbacks, mailoutbox
):
    Delivery, Notification = notifications
    product = ProductFactory(name=NAME, category=tree["books"], stock=0)
    StockAlert.objects.create(user=customer, product=product)
    with django_capture_on_commit_callbacks(execute=True):
        adjust_stock(product, 1)

    notice = Notification.objects.get(recipient=customer, kind="catalog.back_in_stock")
    assert notice.title == "Tom & Jerry's <b> is back in stock"
    assert "Good news: Tom & Jerry's <b> is back in stock." in notice.body
    # The delivery log keeps the subject (its bodies go once sent).
    assert Delivery.objects.get(recipient=customer).subject == "Tom & Jerry's <b> is back in stock"
    (message,) = mailoutbox
    assert message.subject == "Tom & Jerry's <b> is back in stock"
    assert "Tom & Jerry's <b> is back in stock." in message.body
    assert "&amp;" not in message.body
    assert "<strong>Tom &amp; Jerry&#x27;s &lt;b&gt;</strong>" in message.alternatives[0][0]


# --------------------------------------------------------------------------- only for what customers can see


@pytest.fixture
def told():
    """The (slug, user ids) of every back_in_stock signal sent during the test."""
    from django.dispatch import receiver

    from bazary.catalog.signals import back_in_stock

    sent = []

    @receiver(back_in_stock, weak=False, dispatch_uid="test_stock_alerts_told")
    def collect(sender, product, users, **kwargs):
        sent.append((product.slug, sorted(user.pk for user in users)))

    yield sent
    back_in_stock.disconnect(dispatch_uid="test_stock_alerts_told")


def pending(user):
    return StockAlert.objects.filter(user=user, notified_at__isnull=True).exists()


def test_a_hidden_product_keeps_its_alert_until_it_is_visible(
    tree, customer, manager_client, told, django_capture_on_commit_callbacks, mailoutbox
):
    product = ProductFactory(name="Kettle", category=tree["books"], stock=0, is_active=False)
    StockAlert.objects.create(user=customer, product=product)
    with django_capture_on_commit_callbacks(execute=True):
        adjust_stock(product, 3)
    assert told == []
    assert mailoutbox == []
    assert pending(customer)

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.patch(f"/api/products/{product.slug}/", {"is_active": True}, format="json")
    assert response.status_code == 200, response.content
    assert told == [(product.slug, [customer.pk])]
    assert not pending(customer)
    if apps.is_installed("bazary.notifications"):
        assert [m.subject for m in mailoutbox] == ["Kettle is back in stock"]


def test_a_product_in_a_hidden_branch_fires_when_an_ancestor_is_reactivated(
    tree, customer, manager_client, told, django_capture_on_commit_callbacks
):
    product = ProductFactory(category=tree["laptops"], stock=0)
    StockAlert.objects.create(user=customer, product=product)
    tree["electronics"].is_active = False
    tree["electronics"].save()
    with django_capture_on_commit_callbacks(execute=True):
        adjust_stock(product, 1)
    assert told == []
    assert pending(customer)

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.patch("/api/categories/electronics/", {"is_active": True}, format="json")
    assert response.status_code == 200, response.content
    assert told == [(product.slug, [customer.pk])]
    assert not pending(customer)


def test_moving_a_branch_out_of_a_hidden_one_fires(
    tree, customer, manager_client, told, django_capture_on_commit_callbacks
):
    product = ProductFactory(category=tree["laptops"], stock=0)
    StockAlert.objects.create(user=customer, product=product)
    tree["electronics"].is_active = False
    tree["electronics"].save()
    with django_capture_on_commit_callbacks(execute=True):
        adjust_stock(product, 1)
    assert told == []
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.patch("/api/categories/computers/", {"parent": "books"}, format="json")
    assert response.status_code == 200, response.content
    assert told == [(product.slug, [customer.pk])]


def test_moving_a_product_to_a_visible_category_fires(
    tree, customer, manager_client, told, django_capture_on_commit_callbacks
):
    hidden = tree["phones"]
    hidden.is_active = False
    hidden.save()
    product = ProductFactory(category=hidden, stock=0)
    StockAlert.objects.create(user=customer, product=product)
    with django_capture_on_commit_callbacks(execute=True):
        adjust_stock(product, 1)
    assert told == []
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.patch(f"/api/products/{product.slug}/", {"category": "books"}, format="json")
    assert response.status_code == 200, response.content
    assert told == [(product.slug, [customer.pk])]


def test_visible_again_but_out_of_stock_waits_for_the_restock(
    tree, customer, manager_client, told, django_capture_on_commit_callbacks
):
    product = ProductFactory(category=tree["books"], stock=0, is_active=False)
    StockAlert.objects.create(user=customer, product=product)
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.patch(f"/api/products/{product.slug}/", {"is_active": True}, format="json")
    assert told == []
    assert pending(customer)
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(f"/api/products/{product.slug}/stock/", {"delta": 2}, format="json")
    assert told == [(product.slug, [customer.pk])]


def test_other_saves_of_a_visible_product_send_nothing(
    tree, customer, manager_client, told, django_capture_on_commit_callbacks
):
    # Subscribed while in stock: the alert waits for the next restock, not for an edit.
    product = ProductFactory(category=tree["books"], stock=4)
    StockAlert.objects.create(user=customer, product=product)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = manager_client.patch(f"/api/products/{product.slug}/", {"price": "12.50"}, format="json")
        assert response.status_code == 200
        category = tree["books"]
        category.name = "Novels"
        category.save()
    assert told == []
    assert pending(customer)
    assert not [c for c in callbacks if c.__module__ == "bazary.catalog.alerts"]  # not even a look-up


def test_hiding_while_hidden_and_a_new_product_send_nothing(tree, customer, told, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        product = ProductFactory(category=tree["books"], stock=5)
        StockAlert.objects.create(user=customer, product=product)
        product.is_active = False
        product.save()
    assert told == []
    assert pending(customer)


# --------------------------------------------------------------------------- inactive and deleted accounts


def test_inactive_users_are_not_told_and_keep_their_alert(tree, customer, told, django_capture_on_commit_callbacks):
    from .conftest import make_user

    away = make_user("away")
    away.is_active = False
    away.save()
    product = ProductFactory(category=tree["books"], stock=0)
    StockAlert.objects.create(user=customer, product=product)
    StockAlert.objects.create(user=away, product=product)
    with django_capture_on_commit_callbacks(execute=True):
        adjust_stock(product, 1)
    assert told == [(product.slug, [customer.pk])]
    assert pending(away)
    assert not pending(customer)


def test_a_deleted_account_loses_its_alerts_and_gets_no_mail(
    tree, customer, told, django_capture_on_commit_callbacks, mailoutbox
):
    if not apps.is_installed("bazary.accounts"):
        pytest.skip("needs bazary.accounts")
    from .conftest import PASSWORD, client_for

    product = ProductFactory(category=tree["books"], stock=0)
    StockAlert.objects.create(user=customer, product=product)
    other = ProductFactory(category=tree["books"], stock=0)
    StockAlert.objects.create(user=customer, product=other)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(customer).delete("/api/auth/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204, response.content
    assert not StockAlert.objects.filter(user=customer).exists()

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        adjust_stock(product, 1)
    assert told == []
    assert mailoutbox == []


def test_forget_user_deletes_only_that_users_alerts(tree, customer):
    from bazary.catalog.alerts import forget_user

    from .conftest import make_user

    other = make_user("other")
    product = ProductFactory(category=tree["books"], stock=0)
    StockAlert.objects.create(user=customer, product=product)
    StockAlert.objects.create(user=other, product=product)
    assert forget_user(customer) == 1
    assert list(StockAlert.objects.values_list("user_id", flat=True)) == [other.pk]


# --------------------------------------------------------------------------- variants


def test_an_inactive_variant_keeps_its_alerts_until_reactivated(
    tshirt, customer, told, django_capture_on_commit_callbacks
):
    from .conftest import make_user

    anyone = make_user("anyone")
    product, l_white = tshirt["product"], tshirt["variants"]["L/White"]
    StockAlert.objects.create(user=customer, product=product, variant=l_white)
    StockAlert.objects.create(user=anyone, product=product)
    l_white.is_active = False
    l_white.save()
    with django_capture_on_commit_callbacks(execute=True):
        adjust_stock(l_white, 2)
    assert told == []
    assert pending(customer)

    with django_capture_on_commit_callbacks(execute=True):
        l_white.is_active = True
        l_white.save()
    assert told == [(product.slug, sorted([customer.pk, anyone.pk]))]
    assert not StockAlert.objects.filter(notified_at__isnull=True).exists()


def test_a_product_with_variants_fires_through_its_variants_when_visible_again(
    tshirt, customer, manager_client, told, django_capture_on_commit_callbacks
):
    product, l_white = tshirt["product"], tshirt["variants"]["L/White"]
    StockAlert.objects.create(user=customer, product=product, variant=l_white)
    product.is_active = False
    product.save()
    with django_capture_on_commit_callbacks(execute=True):
        adjust_stock(l_white, 1)
    assert told == []
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.patch(f"/api/products/{product.slug}/", {"is_active": True}, format="json")
    assert response.status_code == 200, response.content
    assert told == [(product.slug, [customer.pk])]
    assert not pending(customer)


def test_an_import_that_reactivates_a_product_sends_its_held_alerts(
    tmp_path, tree, customer, told, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    product = ProductFactory(sku="MUG-1", name="Mug", category=tree["books"], stock=0, is_active=False)
    StockAlert.objects.create(user=customer, product=product)
    path = tmp_path / "in.csv"
    path.write_text("sku,name,price,category,stock,is_active\nMUG-1,Mug,9.50,Books,3,false\n")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("bazary_import_products", str(path), stdout=io.StringIO())
    assert told == []  # restocked, still hidden
    assert pending(customer)
    path.write_text("sku,name,price,category,stock,is_active\nMUG-1,Mug,9.50,Books,3,true\n")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("bazary_import_products", str(path), stdout=io.StringIO())
    assert told == [(product.slug, [customer.pk])]
    assert not pending(customer)
