"""notify(): who gets what, on which channel, in how many queries."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import mail

from bazary.notifications.api import notify
from bazary.notifications.channels import Channel
from bazary.notifications.kinds import UnknownKind
from bazary.notifications.models import Delivery, DeliveryStatus, Notification, Preference

from .conftest import OVERRIDE_DIR, TEMPLATES_DIR, templates_setting

pytestmark = pytest.mark.django_db

sent_to_webhook: list[tuple[str, str]] = []


class WebhookChannel(Channel):
    """The documented example of a custom channel, minus the HTTP call."""

    code = "webhook"
    verbose_name = "webhook"

    def get_address(self, message):
        return f"https://hooks.example/{message.recipient.pk}"

    def send(self, delivery):
        sent_to_webhook.append((delivery.address, delivery.subject))


def test_one_user_gets_an_in_app_notification_and_an_email(user):
    result = notify(user, "tests.hello", {"name": "Carol"})

    notification = Notification.objects.get()
    assert notification.recipient == user
    assert notification.kind == "tests.hello"
    assert notification.title == "Hello Carol"
    assert notification.body == "Dear alice@example.com, Carol says hello.\n"
    assert notification.data == {"name": "Carol"}
    assert notification.read_at is None

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert message.subject == "Hello Carol"
    assert message.body == "Dear alice@example.com, Carol says hello.\n"
    assert message.alternatives[0][1] == "text/html"
    assert "<b>Carol</b>" in message.alternatives[0][0]

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 1
    assert delivery.sent_at is not None
    assert (delivery.recipient, delivery.address, delivery.channel) == (user, "alice@example.com", "email")
    # The log keeps the subject, not the body (which may hold one-time links).
    assert (delivery.subject, delivery.body, delivery.html, delivery.data) == ("Hello Carol", "", "", {})
    assert result.messages == 1
    assert [d.pk for d in result.deliveries] == [delivery.pk]


def test_from_email_setting(user, settings):
    settings.BAZARY_NOTIFICATIONS = {"FROM_EMAIL": "shop@example.com"}
    notify(user, "tests.hello", {"name": "x"})
    assert mail.outbox[0].from_email == "shop@example.com"


def test_from_email_defaults_to_default_from_email(user, settings):
    settings.DEFAULT_FROM_EMAIL = "default@example.com"
    notify(user, "tests.hello", {"name": "x"})
    assert mail.outbox[0].from_email == "default@example.com"


def test_actor_and_target_are_stored(user, other_user):
    notify(user, "tests.hello", {"name": "x"}, actor=other_user, target=other_user)
    notification = Notification.objects.get()
    assert notification.actor == other_user
    assert notification.target == other_user
    assert notification.target_content_type == ContentType.objects.get_for_model(other_user)
    assert notification.target_object_id == str(other_user.pk)
    assert notification.target_repr == str(other_user)


def test_queryset_and_list_recipients_are_deduplicated(make_user):
    users = [make_user() for _ in range(3)]
    notify([users[0], users[0], users[1]], "tests.hello", {"name": "x"})
    assert Notification.objects.count() == 2
    notify(get_user_model().objects.filter(pk__in=[u.pk for u in users]), "tests.hello", {"name": "y"})
    assert Notification.objects.count() == 5
    assert len(mail.outbox) == 5


def test_no_recipients_is_a_no_op(db):
    result = notify(get_user_model().objects.none(), "tests.hello")
    assert (result.messages, result.deliveries) == (0, [])
    assert not Notification.objects.exists()


def test_fan_out_to_1000_recipients_uses_bulk_inserts(make_user, django_assert_max_num_queries):
    User = get_user_model()
    User.objects.bulk_create([User(email=f"fan{i}@example.com") for i in range(1000)])
    recipients = User.objects.filter(email__startswith="fan")
    # One query per recipient would be 3,000+. Here: recipients, preferences,
    # the bulk inserts (SQLite's bound-parameter limit splits them into ~30
    # statements; PostgreSQL needs 4), then per 100 deliveries one task:
    # claim, load, mark sent, count.
    with django_assert_max_num_queries(80):
        result = notify(recipients, "tests.hello", {"name": "everyone"})
    assert Notification.objects.count() == 1000
    assert len(result.deliveries) == 1000
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 1000
    assert len(mail.outbox) == 1000
    assert {m.to[0] for m in mail.outbox} == {f"fan{i}@example.com" for i in range(1000)}


def test_email_override_sends_to_the_given_address(user):
    notify(user, "tests.hello", {"name": "x"}, email="new@example.com")
    assert [m.to for m in mail.outbox] == [["new@example.com"]]
    assert Delivery.objects.get().address == "new@example.com"
    assert Delivery.objects.get().recipient == user


def test_email_override_needs_exactly_one_recipient(user, other_user):
    with pytest.raises(ValueError, match="exactly one recipient"):
        notify([user, other_user], "tests.hello", email="new@example.com")
    assert not Notification.objects.exists()
    assert not mail.outbox


@pytest.mark.parametrize("context", [{"when": object()}, {"n": float("nan"), "bad": {1, 2}}, ["not", "a", "dict"]])
def test_context_must_be_json(user, context):
    with pytest.raises(TypeError):
        notify(user, "tests.hello", context)
    assert not Notification.objects.exists()


def test_unknown_kind_is_an_error(user):
    with pytest.raises(UnknownKind):
        notify(user, "tests.nope")


@pytest.mark.parametrize("recipients", ["alice@example.com", 42, [None]])
def test_recipients_must_be_users(user, recipients):
    with pytest.raises(TypeError):
        notify(recipients, "tests.hello")


def test_opt_out_is_honoured_per_channel(user, other_user):
    Preference.objects.create(user=user, kind="tests.hello", channel="email", enabled=False)
    Preference.objects.create(user=other_user, kind="tests.hello", channel="in_app", enabled=False)
    notify([user, other_user], "tests.hello", {"name": "x"})
    assert list(Notification.objects.values_list("recipient", flat=True)) == [user.pk]
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]


def test_opt_in_to_a_channel_the_kind_does_not_use_by_default(user, settings):
    settings.BAZARY_NOTIFICATIONS = {
        "KINDS": [
            {"code": "tests.quiet", "template": "tests_notifications/email/hello", "default_channels": ["in_app"]}
        ]
    }
    notify(user, "tests.quiet", {"name": "x"})
    assert not mail.outbox
    Preference.objects.create(user=user, kind="tests.quiet", channel="email", enabled=True)
    notify(user, "tests.quiet", {"name": "x"})
    assert len(mail.outbox) == 1


def test_mandatory_kind_is_delivered_despite_opt_out(user):
    # Even a row written behind the API's back does not silence a mandatory kind.
    Preference.objects.create(user=user, kind="tests.security", channel="email", enabled=False)
    notify(user, "tests.security")
    assert [m.subject for m in mail.outbox] == ["Security notice"]
    # Email only: no in-app row.
    assert not Notification.objects.exists()


def test_user_without_email_gets_no_delivery(make_user):
    user = make_user()
    get_user_model().objects.filter(pk=user.pk).update(email="")
    user.refresh_from_db()
    notify(user, "tests.hello", {"name": "x"})
    assert Notification.objects.count() == 1
    assert not Delivery.objects.exists()


def test_project_template_overrides_the_kind_template(user, settings):
    settings.TEMPLATES = templates_setting(OVERRIDE_DIR, TEMPLATES_DIR)
    notify(user, "tests.hello", {"name": "Dora"})
    assert mail.outbox[0].subject == "Overridden hello to Dora"
    # Files not overridden still come from the kind's templates.
    assert mail.outbox[0].body == "Dear alice@example.com, Dora says hello.\n"
    assert Notification.objects.get().title == "Overridden hello to Dora"


def test_channels_setting_swaps_channels(user, settings):
    settings.BAZARY_NOTIFICATIONS = {"CHANNELS": ["bazary.notifications.channels.InAppChannel"]}
    notify(user, "tests.hello", {"name": "x"})
    assert Notification.objects.count() == 1
    assert not mail.outbox
    assert not Delivery.objects.exists()


def test_a_custom_channel_gets_deliveries_and_retries(user, settings):
    sent_to_webhook.clear()
    settings.BAZARY_NOTIFICATIONS = {
        "CHANNELS": [
            "bazary.notifications.channels.InAppChannel",
            "tests.notifications.test_notify.WebhookChannel",
        ],
        "KINDS": [
            {"code": "tests.hook", "template": "tests_notifications/email/hello", "default_channels": ["webhook"]}
        ],
    }
    notify(user, "tests.hook", {"name": "Hook"})
    assert sent_to_webhook == [(f"https://hooks.example/{user.pk}", "Hello Hook")]
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.status) == ("webhook", DeliveryStatus.SENT)
    assert not Notification.objects.exists()
