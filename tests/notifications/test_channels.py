"""The channel registry and the Channel base class."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from bazary.notifications.api import notify
from bazary.notifications.channels import Channel, EmailChannel, InAppChannel, UnknownChannel, registry
from bazary.notifications.deliveries import process
from bazary.notifications.kinds import Kind
from bazary.notifications.models import Delivery, DeliveryStatus, Notification
from bazary.testing.notifications import DeliveryFactory

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


class HalfBrokenChannel(Channel):
    """Uses the base send_many(): each message fails or succeeds on its own."""

    code = "half"

    def get_address(self, message):
        return message.recipient.email

    def send(self, delivery):
        CALLS.append(delivery.address)
        if delivery.address.startswith("bob") and CALLS.count(delivery.address) == 1:
            raise TimeoutError("first try times out")


class NoSendChannel(Channel):
    code = "nosend"


def test_registry_follows_the_setting(settings):
    assert registry.codes() == ["in_app", "email"]
    assert isinstance(registry.get("email"), EmailChannel)
    assert "in_app" in registry
    assert "sms" not in registry
    assert 42 not in registry
    with pytest.raises(UnknownChannel):
        registry.get("sms")
    settings.BAZARY_NOTIFICATIONS = {"CHANNELS": ["bazary.notifications.channels.InAppChannel"]}
    assert [type(c) for c in registry] == [InAppChannel]


def test_base_send_many_isolates_failures_and_retries_them(user, other_user, settings):
    CALLS.clear()
    settings.BAZARY_NOTIFICATIONS = {"CHANNELS": ["tests.notifications.test_channels.HalfBrokenChannel"]}
    notify([user, other_user], Kind("tests.half", "tests_notifications/email/hello", default_channels=("half",)))
    assert sorted(CALLS) == ["alice@example.com", "bob@example.com", "bob@example.com"]
    assert sorted(Delivery.objects.values_list("address", "status", "attempts")) == [
        ("alice@example.com", "sent", 1),
        ("bob@example.com", "sent", 2),
    ]


class NoWriteChannel(Channel):
    code = "nowrite"
    uses_deliveries = False


class BatchOnlyChannel(Channel):
    """send_many() alone is enough for a channel with deliveries."""

    code = "batch"

    def get_address(self, message):
        return message.recipient.email

    def send_many(self, deliveries):
        return {delivery.pk: None for delivery in deliveries}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "tests.notifications.test_channels.NoSendChannel",
            "Notification channel 'nosend' (tests.notifications.test_channels.NoSendChannel) sends Delivery rows "
            "(uses_deliveries = True) but implements neither send(delivery) nor send_many(deliveries).",
        ),
        (
            "tests.notifications.test_channels.NoWriteChannel",
            "Notification channel 'nowrite' (tests.notifications.test_channels.NoWriteChannel) only stores "
            "messages (uses_deliveries = False) but does not implement write(messages).",
        ),
    ],
)
def test_a_channel_without_its_hook_is_refused(user, settings, path, message):
    settings.BAZARY_NOTIFICATIONS = {"CHANNELS": ["bazary.notifications.channels.EmailChannel", path]}
    errors = [m for m in run_checks(tags=["bazary"]) if m.id == "bazary_notifications.E019"]
    assert [m.msg for m in errors] == [f"BAZARY_NOTIFICATIONS: {message}"]
    assert errors[0].is_serious()
    with pytest.raises(ImproperlyConfigured) as raised:
        registry.codes()
    assert str(raised.value) == message
    # notify() refuses before storing anything, on every channel.
    kind = Kind("tests.refused", "tests_notifications/email/hello", default_channels=("email",))
    with pytest.raises(ImproperlyConfigured):
        notify(user, kind)
    assert not Delivery.objects.exists()
    assert not mail.outbox


def test_a_refused_channel_leaves_deliveries_queued(db, settings):
    delivery = DeliveryFactory(channel="email")
    settings.BAZARY_NOTIFICATIONS = {"CHANNELS": ["tests.notifications.test_channels.NoSendChannel"]}
    with pytest.raises(ImproperlyConfigured):
        process([delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 0)  # not stuck in 'sending'


def test_channels_with_their_hooks_pass(user, settings):
    settings.BAZARY_NOTIFICATIONS = {
        "CHANNELS": [
            "bazary.notifications.channels.InAppChannel",
            "bazary.notifications.channels.EmailChannel",
            "tests.notifications.test_channels.HalfBrokenChannel",
            "tests.notifications.test_channels.BatchOnlyChannel",
        ]
    }
    assert not [m for m in run_checks(tags=["bazary"]) if m.id.startswith("bazary_notifications")]
    assert registry.codes() == ["in_app", "email", "half", "batch"]
    notify(user, Kind("tests.all", "tests_notifications/email/hello", default_channels=("in_app", "email", "batch")))
    assert Notification.objects.count() == 1
    assert sorted(Delivery.objects.values_list("channel", "status")) == [("batch", "sent"), ("email", "sent")]
    assert mail.outbox[0].to == [user.email]


def test_email_channel_send_one(db):
    delivery = DeliveryFactory(address="one@example.com", subject="S", body="B", html="<p>B</p>")
    EmailChannel().send(delivery)
    assert mail.outbox[0].to == ["one@example.com"]
    assert mail.outbox[0].alternatives[0][0] == "<p>B</p>"


def test_a_recipient_with_every_channel_off_gets_nothing(user, settings):
    settings.BAZARY_NOTIFICATIONS = {"CHANNELS": ["bazary.notifications.channels.EmailChannel"]}
    notify(user, Kind("tests.inapp_only", "tests_notifications/email/hello", default_channels=("in_app",)))
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert not mail.outbox
