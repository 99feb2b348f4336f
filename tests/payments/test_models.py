from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError

from bazary.payments.models import Payment, PaymentEvent
from bazary.payments.money import from_minor, to_minor
from bazary.payments.transitions import TRANSITIONS, PaymentTransitionNotAllowed, set_status

pytestmark = pytest.mark.django_db


def test_every_forbidden_transition_is_refused(order):
    payment = Payment.objects.create(
        order=order, provider="stripe", amount=order.total, currency="USD", refunded_amount=0
    )
    statuses = list(TRANSITIONS)
    for start in statuses:
        for target in statuses:
            if target in TRANSITIONS[start]:
                continue
            Payment.objects.filter(pk=payment.pk).update(status=start)
            payment.refresh_from_db()
            with pytest.raises(PaymentTransitionNotAllowed):
                set_status(payment, target)
            assert Payment.objects.get(pk=payment.pk).status == start
    # Captured is final: never backwards.
    assert TRANSITIONS["captured"] == frozenset()


def test_one_live_payment_per_order_and_unique_events(order):
    Payment.objects.create(order=order, provider="stripe", amount=1, currency="USD", refunded_amount=0)
    with pytest.raises(IntegrityError):
        Payment.objects.create(order=order, provider="stripe", amount=1, currency="USD", refunded_amount=0)


def test_event_ids_are_unique_per_provider(db):
    PaymentEvent.objects.create(provider="stripe", event_id="evt_1", type="x", payload={})
    PaymentEvent.objects.create(provider="chapa", event_id="evt_1", type="x", payload={})
    with pytest.raises(IntegrityError):
        PaymentEvent.objects.create(provider="stripe", event_id="evt_1", type="x", payload={})


def test_minor_units():
    assert to_minor(Decimal("12.34"), "USD") == 1234
    assert to_minor(Decimal("500"), "JPY") == 500
    assert to_minor(Decimal("1.234"), "KWD") == 1234
    assert from_minor(1234, "USD") == Decimal("12.34")


def test_admin_pages(admin_client, order):
    payment = Payment.objects.create(order=order, provider="stripe", amount=1, currency="USD", refunded_amount=0)
    PaymentEvent.objects.create(provider="stripe", event_id="evt_1", type="x", payload={}, payment=payment)
    assert admin_client.get("/admin/bazary_payments/payment/").status_code == 200
    assert admin_client.get(f"/admin/bazary_payments/payment/{payment.pk}/change/").status_code == 200
    assert admin_client.get("/admin/bazary_payments/paymentevent/").status_code == 200


def test_no_missing_migrations():
    call_command("makemigrations", "bazary_payments", "--check", "--dry-run")
