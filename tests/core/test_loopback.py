"""bazary.testing.loopback: the loopback HTTP server the test helpers share."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from bazary.testing.loopback import LoopbackHandler, LoopbackServer


class Echo(LoopbackHandler):
    def do_POST(self) -> None:
        body = self.read_body()
        with self.owner.lock:
            self.owner.bodies.append(body)
        self.reply(201, json.dumps({"got": body.decode()}).encode(), {"Content-Type": "application/json"})

    def do_GET(self) -> None:
        raise RuntimeError("a handler that fails")


class EchoServer(LoopbackServer):
    def __init__(self) -> None:
        super().__init__(Echo)
        self.bodies: list[bytes] = []


def test_it_serves_on_loopback_while_inside_with():
    with EchoServer() as server:
        assert server.base_url == f"http://127.0.0.1:{server.port}"
        request = urllib.request.Request(f"{server.base_url}/x", data=b"hello", method="POST")
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 201
            assert response.headers["Content-Length"] == str(len(b'{"got": "hello"}'))
            assert json.loads(response.read()) == {"got": "hello"}
        assert server.bodies == [b"hello"]
    assert not server.thread.is_alive()
    with pytest.raises(urllib.error.URLError):  # stopped, its socket closed
        urllib.request.urlopen(f"{server.base_url}/x", data=b"again", timeout=2)


@pytest.mark.parametrize("printed", [True, False])
def test_a_failing_handler_is_printed_unless_print_errors_is_off(capfd, printed):
    server = EchoServer()
    server.print_errors = printed
    with server, pytest.raises(ConnectionResetError):  # closed without an answer (RemoteDisconnected)
        urllib.request.urlopen(server.base_url, timeout=5)
    assert ("a handler that fails" in capfd.readouterr().err) is printed
