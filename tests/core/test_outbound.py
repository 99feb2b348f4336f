"""bazary.core.outbound against a real HTTP server on loopback."""

from __future__ import annotations

import pytest

from bazary.core import outbound
from bazary.testing.loopback import LoopbackHandler, LoopbackServer

SETTING = "BAZARY_TEST['ALLOW_PRIVATE_NETWORKS']"


class Handler(LoopbackHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.path == "/redirect":
            self.reply(302, headers={"Location": "/target"})
            return
        body = b"y" * 10_000 if self.path == "/big" else b"hello"
        self.reply(200, body, {"Content-Type": "text/plain"})


@pytest.fixture
def server():
    Handler.hits = []
    with LoopbackServer(Handler) as running:
        yield running.base_url


def get(url: str, *, allow_private: bool = True, max_body: int = 1000) -> outbound.Response:
    return outbound.request("GET", url, allow_private=allow_private, setting=SETTING, timeout=5, max_body=max_body)


def test_loopback_is_refused_unless_allowed(server):
    with pytest.raises(outbound.Refused, match="scheme must be https"):
        get(f"{server}/", allow_private=False)
    https = server.replace("http://127.0.0.1", "https://localhost")
    # The name is checked on the address it resolves to, before any connection.
    with pytest.raises(outbound.Refused, match=r"127\.0\.0\.1.*BAZARY_TEST"):
        get(f"{https}/", allow_private=False)
    assert Handler.hits == []
    response = get(f"{server}/")
    assert (response.status, response.body, response.truncated) == (200, b"hello", False)
    assert response.headers["content-type"] == "text/plain"


def test_redirects_are_not_followed(server):
    response = get(f"{server}/redirect")
    assert response.status == 302
    assert Handler.hits == ["/redirect"]


def test_the_body_is_read_up_to_the_cap(server):
    response = get(f"{server}/big", max_body=4096)
    assert len(response.body) == 4096
    assert response.truncated


def test_credentials_in_the_url_are_refused(server):
    with pytest.raises(outbound.Refused, match="user name"):
        get(server.replace("http://", "http://user:pw@") + "/")
