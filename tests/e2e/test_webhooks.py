"""Webhooks on the deployed site: the site's own ``manage.py db_worker`` process
(the database task backend, on PostgreSQL) delivers to a receiver on loopback
that verifies every request with ``standardwebhooks``, and retries."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal

import requests

from bazary.testing.webhooks import Receiver, Reply

from .conftest import Site, wait_until


def test_the_worker_process_delivers_a_signed_event_and_retries_it(site: Site, admin_headers):
    # The first attempt gets a 503, the retry (RETRY_DELAYS[0], 10 s ± 20 %) a 200.
    with Receiver([Reply(503), Reply(200)]) as receiver:
        response = requests.post(
            site.url("/api/v1/webhooks/endpoints/"),
            json={"url": receiver.url, "event_types": ["product.created"], "description": "e2e"},
            headers=admin_headers,
            timeout=10,
        )
        assert response.status_code == 201, response.text
        endpoint, secret = response.json()["id"], response.json()["secret"]
        slug = f"hooks-{uuid.uuid4().hex[:8]}"
        response = requests.post(
            site.url("/api/v1/categories/"), json={"name": slug, "slug": slug}, headers=admin_headers, timeout=10
        )
        assert response.status_code == 201, response.text
        response = requests.post(
            site.url("/api/v1/products/"),
            json={"name": f"Kettle {slug}", "price": "31.50", "stock": 4, "category": slug},
            headers=admin_headers,
            timeout=10,
        )
        assert response.status_code == 201, response.text
        product = response.json()

        wait_until(lambda: len(receiver.received) >= 2, "the worker to deliver and retry the event", 60)
        first, second = (r.verify(secret) for r in receiver.received[:2])
        assert first == second
        assert first["type"] == "product.created"
        assert first["data"]["slug"] == product["slug"]
        assert Decimal(first["data"]["price"]) == Decimal("31.50")
        # The same webhook-id on the retry: receivers dedupe on it.
        assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]

        deliveries = f"/api/v1/webhooks/endpoints/{endpoint}/deliveries/"

        def sent() -> bool:
            results = requests.get(site.url(deliveries), headers=admin_headers, timeout=10).json()["results"]
            return [d["status"] for d in results] == ["sent"]

        wait_until(sent, "the delivery to be recorded as sent", 30)
        [delivery] = requests.get(site.url(deliveries), headers=admin_headers, timeout=10).json()["results"]
        assert delivery["attempts"] == 2
        assert [(a["number"], a["status_code"]) for a in delivery["attempt_log"]] == [(1, 503), (2, 200)]
        assert delivery["attempt_log"][0]["next_retry_at"] is not None
        # Sent once it succeeded: the worker keeps running and sends nothing more.
        time.sleep(2)
        assert len(receiver.received) == 2
