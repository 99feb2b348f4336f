import pytest
from django.test import RequestFactory, override_settings

from bazary.core.network import client_ip


@pytest.fixture
def rf():
    return RequestFactory()


def test_forwarded_for_is_ignored_without_trusted_proxies(rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.9"


@override_settings(BAZARY_CORE={"NUM_PROXIES": 1})
def test_one_trusted_proxy_takes_the_address_it_appended(rf):
    # The client forged "6.6.6.6"; the proxy appended the real peer "1.2.3.4".
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4")
    assert client_ip(request) == "1.2.3.4"


@override_settings(BAZARY_CORE={"NUM_PROXIES": 1})
def test_garbage_in_forwarded_for_falls_back_to_the_peer(rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(request) == "10.0.0.1"
