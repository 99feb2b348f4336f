"""bazary.core.outbound against a real HTTP server on loopback."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bazary.core import outbound

SETTING = "BAZARY_TEST['ALLOW_PRIVATE_NETWORKS']"


class Handler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/target")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"y" * 10_000 if self.path == "/big" else b"hello"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    Handler.hits = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


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
