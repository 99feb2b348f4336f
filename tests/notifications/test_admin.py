"""The admin: changelists without N+1, and the resend action."""

from __future__ import annotations

import pytest
from django.core import mail

from bazary.notifications.models import Delivery, DeliveryStatus
from bazary.testing.notifications import DeliveryFactory, NotificationFactory, PreferenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user("admin@example.com", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    ("url", "factory"),
    [
        ("/admin/bazary_notifications/notification/", NotificationFactory),
        ("/admin/bazary_notifications/delivery/", DeliveryFactory),
        ("/admin/bazary_notifications/preference/", PreferenceFactory),
    ],
)
def test_changelists_do_not_grow_with_rows(admin_client, url, factory, django_assert_max_num_queries):
    factory()
    with django_assert_max_num_queries(20) as few:
        assert admin_client.get(url).status_code == 200
    for i in range(10):
        factory(kind=f"tests.k{i}")
    with django_assert_max_num_queries(len(few)):
        response = admin_client.get(url, {"q": "example"})
    assert response.status_code == 200


def test_filters(admin_client):
    DeliveryFactory(status=DeliveryStatus.FAILED)
    for query in ({"status__exact": "failed"}, {"kind": "tests.example"}, {"channel": "email"}):
        assert admin_client.get("/admin/bazary_notifications/delivery/", query).status_code == 200
    for query in ({"read": "yes"}, {"read": "no"}, {"kind": "tests.example"}):
        assert admin_client.get("/admin/bazary_notifications/notification/", query).status_code == 200


def test_resend_action_requeues_failed_but_never_sent(admin_client):
    failed = DeliveryFactory(status=DeliveryStatus.FAILED, attempts=5, address="failed@example.com")
    sent = DeliveryFactory(status=DeliveryStatus.SENT, attempts=1, address="sent@example.com")
    response = admin_client.post(
        "/admin/bazary_notifications/delivery/",
        {"action": "resend", "_selected_action": [failed.pk, sent.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 delivery queued again." in response.content.decode()
    assert [m.to for m in mail.outbox] == [["failed@example.com"]]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (DeliveryStatus.SENT, 1)
    assert Delivery.objects.get(pk=sent.pk).attempts == 1


def test_deliveries_cannot_be_added_by_hand(admin_client):
    assert admin_client.get("/admin/bazary_notifications/delivery/add/").status_code == 403
