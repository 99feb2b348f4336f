"""Card payments on the deployed site: gunicorn's workers call the fake Stripe and Chapa on loopback."""

from __future__ import annotations

import uuid
from decimal import Decimal

import requests

from bazary.testing.payments import chapa_signature, stripe_event, stripe_signature

from .conftest import PAYMENT_ENV, Site, wait_until


def guest_order(site: Site, admin_headers, provider: str) -> dict:
    slug = f"pay-{uuid.uuid4().hex[:8]}"
    response = requests.post(
        site.url("/api/v1/categories/"), json={"name": slug, "slug": slug}, headers=admin_headers, timeout=10
    )
    assert response.status_code == 201, response.text
    response = requests.post(
        site.url("/api/v1/products/"),
        json={"name": f"Mug {slug}", "price": "12.50", "stock": 5, "category": slug, "description": "A mug."},
        headers=admin_headers,
        timeout=10,
    )
    assert response.status_code == 201, response.text
    product = response.json()["slug"]
    cart = requests.post(site.url("/api/v1/cart/items/"), json={"product": product, "quantity": 2}, timeout=10)
    assert cart.status_code == 201, cart.text
    address = {"recipient_name": "Abebe Bikila", "line1": "1 Churchill Ave", "city": "Addis Ababa", "country": "ET"}
    response = requests.post(
        site.url("/api/v1/orders/"),
        json={"email": f"{slug}@example.com", "shipping_address": address, "payment_provider": provider},
        headers={"X-Cart-Token": cart.json()["token"]},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()


def order_status(site: Site, admin_headers, number: str) -> str:
    return requests.get(site.url(f"/api/v1/orders/{number}/"), headers=admin_headers, timeout=10).json()["status"]


def webhook(site: Site, provider: str, body: bytes, headers: dict[str, str]) -> requests.Response:
    return requests.post(
        site.url(f"/api/v1/payments/webhooks/{provider}/"),
        data=body,
        headers={"Content-Type": "application/json", **headers},
        timeout=30,
    )


def test_a_guest_pays_with_chapa_and_staff_refund(site: Site, admin_headers, payment_fakes):
    _stripe_api, chapa_api = payment_fakes
    order = guest_order(site, admin_headers, "chapa")
    number = order["number"]
    assert order["payment"]["redirect_url"].startswith("https://checkout.chapa.co/")
    [tx_ref] = [ref for ref in chapa_api.transactions if ref.startswith(f"bazary-{number}-")]
    total = str(Decimal(order["total"]).quantize(Decimal("0.01")))
    assert chapa_api.transactions[tx_ref]["amount"] == total  # the order's, never the client's
    chapa_api.settle(tx_ref)
    body = chapa_api.event(tx_ref)
    assert webhook(site, "chapa", body, {"x-chapa-signature": "0" * 64}).status_code == 400
    assert order_status(site, admin_headers, number) == "pending_payment"
    signature = chapa_signature(body, PAYMENT_ENV["CHAPA_WEBHOOK_SECRET"])
    response = webhook(site, "chapa", body, {"x-chapa-signature": signature})
    assert response.status_code == 200, response.text
    assert order_status(site, admin_headers, number) == "paid"
    refund = requests.post(
        site.url(f"/api/v1/orders/{number}/refunds/"), json={"reason": "e2e"}, headers=admin_headers, timeout=30
    )
    assert refund.status_code == 201, refund.text
    assert chapa_api.refunds[-1]["merchant_reference"].startswith("bazary-refund-")
    assert order_status(site, admin_headers, number) == "refunded"
    subject = f"Order {number}: {total} USD refunded"
    wait_until(lambda: any(subject in text for text in site.emails()), "the refund email", 60)


def test_stripe_payment_through_the_deployed_site(site: Site, admin_headers, payment_fakes):
    stripe_api, _chapa_api = payment_fakes
    order = guest_order(site, admin_headers, "stripe")
    assert "client_secret" in order["payment"]
    intent = next(i for i in stripe_api.intents.values() if i["metadata"].get("order") == order["number"])
    body = stripe_event("payment_intent.succeeded", stripe_api.succeeded(intent["id"]))
    signature = stripe_signature(body, PAYMENT_ENV["STRIPE_WEBHOOK_SECRET"])
    response = webhook(site, "stripe", body, {"Stripe-Signature": signature})
    assert response.status_code == 200, response.text
    assert order_status(site, admin_headers, order["number"]) == "paid"
