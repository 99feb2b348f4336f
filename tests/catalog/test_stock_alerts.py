"""Back-in-stock alerts: who is told, when, and what the message says."""

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
