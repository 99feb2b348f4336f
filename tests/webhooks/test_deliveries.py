"""Deliveries to a real receiver on loopback, verified with ``standardwebhooks``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from bazary.catalog.stock import adjust_stock
from bazary.testing.catalog import CategoryFactory, ProductFactory, VariantFactory
from bazary.testing.webhooks import Receiver, Reply, make_endpoint
from bazary.webhooks import deliveries, send_event, transport
from bazary.webhooks.events import EventType, UnknownEventType, registry
from bazary.webhooks.models import Delivery, DeliveryStatus, Endpoint, Event

pytestmark = pytest.mark.django_db(transaction=True)


def types(receiver):
    return [r.json["type"] for r in receiver.received]


def test_events_arrive_signed_once_after_commit(fast, receiver):
    _, secret = make_endpoint(receiver.url, ["product.created", "product.updated"])
    with transaction.atomic():
        product = ProductFactory(name="Teapot")
        product.name = "Tea pot"
        product.save()
        product.save()
        assert receiver.received == []  # nothing before the commit
    assert types(receiver) == ["product.created"]  # three saves, one event
    payload = receiver.received[0].verify(secret)
    assert payload["data"]["id"] == product.pk
    assert payload["data"]["name"] == "Tea pot"  # the committed state
    headers = {k.lower(): v for k, v in receiver.received[0].headers.items()}
    assert headers["webhook-id"].startswith("msg_")
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_rolled_back_change_sends_nothing(fast, receiver):
    make_endpoint(receiver.url)

    def change_then_fail():
        with transaction.atomic():
            ProductFactory()
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError, match="rolled back"):
        change_then_fail()
    assert receiver.received == []
    assert not Event.objects.exists()


def test_events_of_one_object_arrive_in_order(fast, receiver):
    _, secret = make_endpoint(receiver.url, ["product.created", "product.updated", "product.deleted"])
    product = ProductFactory(price="10.00")
    for price in ("11.00", "12.00"):
        product.price = price
        product.save()
    pk = product.pk
    product.delete()
    assert types(receiver) == ["product.created", "product.updated", "product.updated", "product.deleted"]
    assert [r.verify(secret)["data"].get("price") for r in receiver.received] == ["10.00", "11.00", "12.00", None]
    assert receiver.received[-1].json["data"] == {"id": pk}


def test_only_subscribed_types_and_active_endpoints(fast, receiver):
    make_endpoint(receiver.url, ["category.created"])
    make_endpoint(receiver.url, ["*"], is_active=False)
    CategoryFactory(name="Kitchen")
    assert types(receiver) == ["category.created"]


def test_stock_changed_carries_old_and_new_stock(fast, receiver):
    product = ProductFactory(stock=3)
    variant_product = ProductFactory()
    variant = VariantFactory(product=variant_product, stock=1)
    _, secret = make_endpoint(receiver.url, ["stock.changed"])
    adjust_stock(product, 4, reason="delivery")
    adjust_stock(variant, -1, reason="sold")
    data = [r.verify(secret)["data"] for r in receiver.received]
    assert data == [
        {
            "product_id": product.pk,
            "variant_id": None,
            "old_stock": 3,
            "new_stock": 7,
            "delta": 4,
            "reason": "delivery",
        },
        {
            "product_id": variant_product.pk,
            "variant_id": variant.pk,
            "old_stock": 1,
            "new_stock": 0,
            "delta": -1,
            "reason": "sold",
        },
    ]


def test_a_project_registers_and_sends_its_own_event(fast, receiver):
    registry.register(EventType("shop.invoice_issued"))
    try:
        _, secret = make_endpoint(receiver.url, ["shop.invoice_issued"])
        send_event("shop.invoice_issued", {"number": "F-1"})
        assert receiver.received[0].verify(secret)["data"] == {"number": "F-1"}
        with pytest.raises(UnknownEventType):
            send_event("shop.nobody_registered_me", {})
    finally:
        registry.unregister("shop.invoice_issued")


def test_fails_twice_then_succeeds_on_the_third_attempt(fast):
    with Receiver([Reply(500), Reply(503), Reply(204, b"")]) as receiver:
        _, secret = make_endpoint(receiver.url, ["category.created"])
        CategoryFactory()
    assert len(receiver.received) == 3
    assert all(r.verifies(secret) for r in receiver.received)
    # Every attempt carries the same webhook-id: the receiver can dedupe.
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.SENT, 3, 204)
    log = list(delivery.attempt_log.order_by("number").values_list("number", "status_code", "error"))
    assert log == [(1, 500, "HTTP 500"), (2, 503, "HTTP 503"), (3, 204, "")]
    first, _second, third = delivery.attempt_log.order_by("number")
    assert first.next_retry_at is not None
    assert third.next_retry_at is None


def test_a_client_error_is_not_retried(fast):
    with Receiver([Reply(400)]) as receiver:
        make_endpoint(receiver.url, ["category.created"])
        CategoryFactory()
    assert len(receiver.received) == 1
    assert Delivery.objects.get().status == DeliveryStatus.FAILED


def test_always_failing_endpoint_is_disabled_and_its_owner_told(fast, django_user_model):
    from bazary.notifications.models import Notification

    fast.BAZARY_WEBHOOKS = {**fast.BAZARY_WEBHOOKS, "DISABLE_AFTER": 2, "MAX_ATTEMPTS": 2}
    owner = django_user_model.objects.create_user(email="ops@example.com", password="x-long-password-1", is_staff=True)
    with Receiver([Reply(500)]) as receiver:
        endpoint, _ = make_endpoint(receiver.url, ["category.created"], created_by=owner)
        CategoryFactory()
        endpoint.refresh_from_db()
        assert endpoint.is_active
        assert endpoint.consecutive_failures == 1
        CategoryFactory()
        CategoryFactory()  # disabled by now: not sent
    assert len(receiver.received) == 4  # 2 events x 2 attempts
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_at is not None
    assert Notification.objects.filter(recipient=owner, kind="webhooks.endpoint_disabled").count() == 1


def test_a_success_resets_the_failure_count(fast):
    fast.BAZARY_WEBHOOKS = {**fast.BAZARY_WEBHOOKS, "DISABLE_AFTER": 2, "MAX_ATTEMPTS": 1}
    with Receiver([Reply(500), Reply(200), Reply(500)]) as receiver:
        endpoint, _ = make_endpoint(receiver.url, ["category.created"])
        for _ in range(3):
            CategoryFactory()
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert endpoint.consecutive_failures == 1


def test_private_addresses_are_refused_without_the_setting(settings, receiver):
    settings.BAZARY_WEBHOOKS = {"ALLOW_PRIVATE_NETWORKS": True}
    _endpoint, _ = make_endpoint(receiver.url.replace("127.0.0.1", "localhost"), ["category.created"])
    settings.BAZARY_WEBHOOKS = {"ALLOW_PRIVATE_NETWORKS": False}
    CategoryFactory()
    assert receiver.received == []
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert "Refused" in delivery.last_error
    # https to a name that resolves to loopback: refused on the resolved address.
    with pytest.raises(transport.Refused, match=r"127\.0\.0\.1"):
        transport.post(f"https://localhost:{receiver.server.server_address[1]}/", b"{}", {})
    assert receiver.received == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
    ],
)
def test_which_addresses_are_public(address, public):
    assert transport.is_public(address) is public


def test_rotation_keeps_both_secrets_valid_during_the_grace_period(fast, receiver):
    endpoint, old = make_endpoint(receiver.url, ["category.created"])
    new = endpoint.rotate_secret(grace_seconds=3600)
    endpoint.save()
    CategoryFactory()
    request = receiver.received[0]
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    assert request.verifies(old)
    assert request.verifies(new)
    # After the grace period only the new secret signs.
    Endpoint.objects.filter(pk=endpoint.pk).update(previous_secret_expires_at=timezone.now() - timedelta(seconds=1))
    CategoryFactory()
    late = receiver.received[1]
    assert late.verifies(new)
    assert not late.verifies(old)


def test_retry_after_is_honoured(fast, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with Receiver([Reply(429, b"slow down", {"Retry-After": "120"})]) as receiver:
        make_endpoint(receiver.url, ["category.created"])
        CategoryFactory()  # queued on the dummy backend: nothing sent yet
        assert receiver.received == []
        delivery = Delivery.objects.get()
        before = timezone.now()
        deliveries.process([delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.QUEUED
    assert delivery.attempts == 1
    assert delivery.next_attempt_at >= before + timedelta(seconds=119)
    assert delivery.attempt_log.get().next_retry_at == delivery.next_attempt_at


def test_response_bodies_are_read_up_to_4_kib(fast):
    with Receiver([Reply(200, b"x" * 100_000)]) as receiver:
        make_endpoint(receiver.url, ["category.created"])
        CategoryFactory()
    attempt = Delivery.objects.get().attempt_log.get()
    assert attempt.status_code == 200
    assert len(attempt.response_body) == transport.MAX_BODY == 4096


def test_a_claimed_delivery_is_never_sent_twice(fast, settings, receiver):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    make_endpoint(receiver.url, ["category.created"])
    CategoryFactory()
    delivery = Delivery.objects.get()
    # Another worker claimed it first.
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING, claim_token="other")
    assert deliveries.attempt([delivery.pk]) == []
    assert receiver.received == []
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.QUEUED)
    deliveries.process([delivery.pk])
    deliveries.process([delivery.pk])  # sent already: claims nothing
    assert len(receiver.received) == 1


def test_the_secret_is_sealed_at_rest(fast):
    endpoint, secret = make_endpoint("https://hooks.example.com/in")
    stored = Endpoint.objects.filter(pk=endpoint.pk).values_list("sealed_secret", flat=True).get()
    assert secret.startswith("whsec_")
    assert secret not in stored
    assert secret[6:] not in stored
    assert endpoint.signing_secrets() == [secret]


def test_signatures_match_the_specifications_example():
    # The example of the Standard Webhooks specification (secret, id, timestamp, body → signature).
    from datetime import UTC, datetime

    headers = deliveries.signature_headers(
        type("E", (), {"message_id": "msg_p5jXN8AQM9LWM0D4loKWxJek"})(),  # type: ignore[arg-type]
        '{"test": 2432232314}',
        ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
        datetime.fromtimestamp(1614265330, tz=UTC),
    )
    assert headers == {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }


def test_customer_events_carry_the_id_only_unless_include_pii(fast, receiver, django_user_model):
    make_endpoint(receiver.url, ["customer.created", "customer.deleted"])
    user = django_user_model.objects.create_user(email="ada@example.com", password="x-long-password-1")
    fast.BAZARY_WEBHOOKS = {**fast.BAZARY_WEBHOOKS, "INCLUDE_PII": True}
    other = django_user_model.objects.create_user(email="bob@example.com", password="x-long-password-1")
    pk = other.pk
    other.delete()
    assert [r.json["type"] for r in receiver.received] == ["customer.created", "customer.created", "customer.deleted"]
    assert receiver.received[0].json["data"] == {"id": user.pk}
    assert receiver.received[1].json["data"]["email"] == "bob@example.com"
    assert receiver.received[2].json["data"] == {"id": pk}


def test_an_event_that_breaks_after_the_commit_breaks_nothing_else(fast, receiver, caplog):
    registry.register(EventType("shop.broken"))
    try:
        make_endpoint(receiver.url, ["shop.broken", "category.created"])

        def broken():
            raise ValueError("cannot describe it")

        with transaction.atomic():
            send_event("shop.broken", broken, key="x")
            category = CategoryFactory()
        assert category.pk is not None
        assert types(receiver) == ["category.created"]
        assert "cannot describe it" in caplog.text
    finally:
        registry.unregister("shop.broken")


def test_signed_right_without_use_tz(fast, receiver):
    # Naive local times (USE_TZ off, a zone away from UTC): the signed
    # timestamp is still the one in the header.
    fast.USE_TZ = False
    fast.TIME_ZONE = "America/New_York"
    _, secret = make_endpoint(receiver.url, ["ping"])
    send_event("ping", {"n": 1})
    assert receiver.received[0].verify(secret)["data"] == {"n": 1}
