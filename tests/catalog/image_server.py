"""A real HTTP server on 127.0.0.1 serving images to the import's downloads
(as tests/webhooks and tests/payments start their receivers)."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds to wait before answering.
    delay: float = 0.0


class ImageServer:
    """``routes`` maps a path (``/tee.jpg``) to its :class:`Route`; any other
    path is a 404. ``requests`` lists the paths asked for, in order."""

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[str] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server.requests.append(self.path)
                route = server.routes.get(self.path, Route(404, b"not found"))
                if route.delay:
                    time.sleep(route.delay)
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(route.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> ImageServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


SAMPLE = Path(__file__).parent / "data" / "shopify_products.csv"
#: The images the sample names (under https://cdn.example/), each a real JPEG of its own colour.
SAMPLE_IMAGES = {
    "/tee-black.jpg": "black",
    "/tee-black-back.jpg": "gray",
    "/tee-white.jpg": "white",
    "/mug.jpg": "navy",
}


def sample_routes() -> dict[str, Route]:
    from bazary.testing.catalog import image_bytes

    return {
        path: Route(200, image_bytes("JPEG", size=(16, 12), color=color), {"Content-Type": "image/jpeg"})
        for path, color in SAMPLE_IMAGES.items()
    }


def write_sample(server: ImageServer, directory: Path, text: str | None = None) -> Path:
    """The sample (or ``text``) with its image URLs on ``server``."""
    path = directory / "products_export.csv"
    path.write_text((text if text is not None else SAMPLE.read_text()).replace("https://cdn.example/", server.url("/")))
    return path
