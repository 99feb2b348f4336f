"""forget_user(): what is left of a user's notifications once their account is deleted."""

from __future__ import annotations

import pytest

from bazary.notifications.api import notify
from bazary.notifications.models import Delivery, DeliveryStatus, Notification
from bazary.notifications.privacy import forget_user
from bazary.testing.notifications import DeliveryFactory

pytestmark = pytest.mark.django_db


def test_forget_user_deletes_messages_and_scrubs_deliveries(user, other_user):
    notify([user, other_user], "tests.hello", {"name": "Alice"})
    sent = DeliveryFactory(
        recipient=user, status=DeliveryStatus.SENT, html="<p>hi</p>", data={"k": "v"}, last_error="alice@example.com"
    )
    queued = DeliveryFactory(recipient=user, status=DeliveryStatus.QUEUED)
    theirs = DeliveryFactory(recipient=other_user, status=DeliveryStatus.QUEUED)

    forget_user(user)

    assert not Notification.objects.filter(recipient=user).exists()
    assert Notification.objects.filter(recipient=other_user).exists()
    for delivery in Delivery.objects.filter(recipient=user):
        assert (delivery.address, delivery.subject, delivery.body, delivery.html, delivery.data) == ("", "", "", "", {})
        assert "alice" not in delivery.last_error
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.SENT
    queued.refresh_from_db()
    assert queued.status == DeliveryStatus.FAILED  # nothing goes out to an address that is gone
    theirs.refresh_from_db()
    assert (theirs.status, theirs.address) == (DeliveryStatus.QUEUED, "bob@example.com")
