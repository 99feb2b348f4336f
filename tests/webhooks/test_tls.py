"""HTTPS deliveries to a real TLS receiver on loopback, with a private CA made in the test."""

from __future__ import annotations

import socket
import time

import pytest
from django.core.checks import run_checks

from bazary.testing.catalog import CategoryFactory
from bazary.testing.tls import CertificateAuthority, self_signed, server_context
from bazary.testing.webhooks import Receiver, make_endpoint
from bazary.webhooks import deliveries, transport
from bazary.webhooks.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "hooks.shop.test"


@pytest.fixture
def ca():
    return CertificateAuthority()


@pytest.fixture
def ca_file(ca, tmp_path):
    """The CA's certificate, where a project's CA_BUNDLE points."""
    return str(ca.write_pem(tmp_path / "ca.pem"))


@pytest.fixture
def shop_dns(monkeypatch):
    """``hooks.shop.test`` is 127.0.0.1 for the first lookup only: a second
    lookup of the name (a connection that resolved it again instead of using
    the checked address) fails. Other names resolve as usual."""
    real = socket.getaddrinfo
    lookups = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != HOST:
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        if len(lookups) > 1:
            raise socket.gaierror(socket.EAI_NONAME, "resolved twice")
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


def test_delivery_over_https_when_the_private_ca_is_trusted(fast, ca, ca_file):
    fast.BAZARY_WEBHOOKS = {**fast.BAZARY_WEBHOOKS, "CA_BUNDLE": ca_file}
    with Receiver(tls=ca.server_context("127.0.0.1")) as receiver:
        assert receiver.url.startswith("https://127.0.0.1:")
        _, secret = make_endpoint(receiver.url, ["category.created"])
        category = CategoryFactory()
    assert receiver.received[0].verify(secret)["data"]["id"] == category.pk
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.SENT, 1, 200)


def test_an_untrusted_certificate_is_a_failed_attempt_retried_like_a_connection_error(fast, ca, ca_file):
    with Receiver(tls=ca.server_context("127.0.0.1")) as receiver:
        endpoint, secret = make_endpoint(receiver.url, ["category.created"])
        CategoryFactory()
        # Nothing reached the receiver's application: every handshake was refused
        # (the receiver's thread may note the last one just after the client gave up).
        assert receiver.received == []
        deadline = time.monotonic() + 5
        while len(receiver.tls_errors) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(receiver.tls_errors) == 3
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.FAILED, 3, None)
        log = list(delivery.attempt_log.order_by("number"))
        assert [a.number for a in log] == [1, 2, 3]
        for attempt in log:
            assert attempt.error.startswith("TLSFailure: ")
            assert "CERTIFICATE_VERIFY_FAILED" in attempt.error
            assert "CA_BUNDLE" in attempt.error
        assert log[0].next_retry_at is not None
        assert log[1].next_retry_at is not None
        # Once the project trusts the CA, the same event goes through.
        fast.BAZARY_WEBHOOKS = {**fast.BAZARY_WEBHOOKS, "CA_BUNDLE": ca_file}
        deliveries.redeliver(delivery)
        assert receiver.received[0].verifies(secret)
    assert Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.SENT).count() == 1


def test_a_certificate_for_another_name_is_refused(fast, ca, ca_file):
    fast.BAZARY_WEBHOOKS = {**fast.BAZARY_WEBHOOKS, "CA_BUNDLE": ca_file, "MAX_ATTEMPTS": 1}
    with Receiver(tls=ca.server_context("elsewhere.example")) as receiver:
        make_endpoint(receiver.url, ["category.created"])
        CategoryFactory()
    assert receiver.received == []
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error.startswith("TLSFailure: ")
    assert "elsewhere.example" in delivery.last_error


def test_the_host_name_is_verified_and_sent_while_the_checked_address_is_connected_to(fast, ca, ca_file, shop_dns):
    fast.BAZARY_WEBHOOKS = {**fast.BAZARY_WEBHOOKS, "CA_BUNDLE": ca_file}
    # The certificate names the host only (no IP address): verified against 127.0.0.1 it would fail.
    with Receiver(tls=ca.server_context(HOST), host=HOST) as receiver:
        _, secret = make_endpoint(receiver.url, ["category.created"])
        CategoryFactory()
    [received] = receiver.received
    assert received.verifies(secret)
    assert receiver.server_names == [HOST]  # SNI
    assert received.headers["Host"] == f"{HOST}:{receiver.server.server_address[1]}"
    assert shop_dns == [HOST]  # resolved once, by the check; the socket went to that address


def test_the_address_check_applies_to_https_before_any_handshake(settings, ca, ca_file, shop_dns):
    settings.BAZARY_WEBHOOKS = {"CA_BUNDLE": ca_file, "RETRY_DELAYS": [0.01]}
    with Receiver(tls=ca.server_context(HOST), host=HOST) as receiver:
        make_endpoint(receiver.url, ["category.created"])
        CategoryFactory()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)  # refused, not retried
    assert delivery.last_error.startswith("Refused: ")
    assert "127.0.0.1" in delivery.last_error
    assert receiver.server_names == []
    assert receiver.tls_errors == []
    assert receiver.received == []


def test_ssl_cert_file_is_honoured(fast, ca, ca_file, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)  # OpenSSL's own variable: the whole process trusts only it
    with Receiver(tls=ca.server_context("127.0.0.1")) as receiver:
        response = transport.post(receiver.url, b"{}", {"Content-Type": "application/json"})
    assert response.status == 200
    assert len(receiver.received) == 1


def test_a_self_signed_certificate_is_trusted_as_its_own_ca_bundle(fast, tmp_path):
    certificate, key = self_signed("127.0.0.1")
    with Receiver(tls=server_context(certificate, key)) as receiver:
        endpoint, _ = make_endpoint(receiver.url, ["category.created"])
        fast.BAZARY_WEBHOOKS = {**fast.BAZARY_WEBHOOKS, "MAX_ATTEMPTS": 1}
        CategoryFactory()
        delivery = Delivery.objects.get()
        assert delivery.status == DeliveryStatus.FAILED
        assert "self-signed certificate" in delivery.last_error
        (tmp_path / "receiver.pem").write_bytes(certificate)
        fast.BAZARY_WEBHOOKS = {**fast.BAZARY_WEBHOOKS, "CA_BUNDLE": str(tmp_path / "receiver.pem")}
        deliveries.redeliver(delivery)
    assert len(receiver.received) == 1
    assert Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.SENT).count() == 1


def test_ca_bundle_is_checked(settings, ca, ca_file, tmp_path):
    def ids():
        return {m.id for m in run_checks(tags=["bazary"]) if m.id.startswith("bazary_webhooks")}

    settings.BAZARY_WEBHOOKS = {"CA_BUNDLE": ca_file}
    assert ids() == set()
    settings.BAZARY_WEBHOOKS = {"CA_BUNDLE": str(tmp_path)}  # a directory of hashed names
    assert ids() == set()
    settings.BAZARY_WEBHOOKS = {"CA_BUNDLE": str(tmp_path / "missing.pem")}
    assert ids() == {"bazary_webhooks.E017"}
    (tmp_path / "junk.pem").write_text("not a certificate")
    settings.BAZARY_WEBHOOKS = {"CA_BUNDLE": str(tmp_path / "junk.pem")}
    assert ids() == {"bazary_webhooks.E017"}
    settings.BAZARY_WEBHOOKS = {"CA_BUNDLE": 42}
    assert ids() == {"bazary_webhooks.E003"}
