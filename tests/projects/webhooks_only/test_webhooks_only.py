"""bazary.webhooks with core and the catalog only: no accounts, no notifications."""

import io

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from rest_framework.test import APIClient

from bazary.testing.catalog import ProductFactory
from bazary.testing.webhooks import Receiver, Reply, make_endpoint
from bazary.webhooks.events import registry
from bazary.webhooks.models import Endpoint


@pytest.mark.django_db
def test_only_core_catalog_and_webhooks_are_installed():
    assert apps.is_installed("bazary.webhooks")
    assert not apps.is_installed("bazary.accounts")
    assert not apps.is_installed("bazary.notifications")
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
    # The catalog's events are registered, the accounts' are not.
    assert "product.created" in registry
    assert "customer.created" not in registry
    assert "payment.created" not in registry


@pytest.mark.django_db(transaction=True)
def test_catalog_events_are_delivered_and_the_api_is_mounted():
    client = APIClient()
    client.force_authenticate(User.objects.create_superuser("root", password="x-long-password-1"))
    with Receiver([Reply(200)]) as receiver:
        answer = client.post(
            "/api/webhooks/endpoints/", {"url": receiver.url, "event_types": ["product.created"]}, format="json"
        )
        assert answer.status_code == 201, answer.content
        secret = answer.json()["secret"]
        product = ProductFactory()
    assert receiver.received[0].verify(secret)["data"]["id"] == product.pk
    assert client.get("/api/webhooks/endpoints/").json()["count"] == 1


@pytest.mark.django_db(transaction=True)
def test_an_endpoint_is_disabled_without_notifications_installed(settings):
    settings.BAZARY_WEBHOOKS = {**settings.BAZARY_WEBHOOKS, "MAX_ATTEMPTS": 1, "DISABLE_AFTER": 1}
    with Receiver([Reply(500)]) as receiver:
        endpoint, _ = make_endpoint(receiver.url, ["product.created"])
        ProductFactory()
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert Endpoint.objects.filter(is_active=False).count() == 1
