"""A real HTTP server on 127.0.0.1 serving images to the import's downloads
(a :class:`bazary.testing.loopback.LoopbackServer`, as the webhook receiver)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from bazary.testing.loopback import LoopbackHandler, LoopbackServer


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds to wait before answering.
    delay: float = 0.0


class ImageServer(LoopbackServer):
    """``routes`` maps a path (``/tee.jpg``) to its :class:`Route`; any other
    path is a 404. ``requests`` lists the paths asked for, in order."""

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        super().__init__(_ImageHandler)
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[str] = []

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"


class _ImageHandler(LoopbackHandler):
    def do_GET(self) -> None:
        server = self.owner
        with server.lock:
            server.requests.append(self.path)
        route = server.routes.get(self.path, Route(404, b"not found"))
        if route.delay:
            time.sleep(route.delay)
        self.reply(route.status, route.body, route.headers)


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
