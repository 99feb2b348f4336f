"""The HTTP client of the deliveries: :mod:`bazary.core.outbound` (resolved
once, non-public addresses refused unless ``ALLOW_PRIVATE_NETWORKS``, checked
IP connected to, https only, no redirects, ``TIMEOUT``, at most
:data:`MAX_BODY` bytes of the answer read) with this app's settings.
"""

from __future__ import annotations

from bazary.core import outbound
from bazary.core.outbound import Refused, Response, TLSFailure, is_public, load_ca_bundle

from .conf import webhooks_settings

__all__ = [
    "MAX_BODY", "Refused", "Response", "TLSFailure", "check_url", "is_public", "load_ca_bundle", "post", "resolve",
]  # fmt: skip

#: Bytes of an answer read at most.
MAX_BODY = 4096
SETTING = "BAZARY_WEBHOOKS['ALLOW_PRIVATE_NETWORKS']"


def resolve(host: str, port: int) -> str:
    return outbound.resolve(host, port, allow_private=webhooks_settings.ALLOW_PRIVATE_NETWORKS, setting=SETTING)


def check_url(url: str) -> None:
    outbound.check_url(url, allow_private=webhooks_settings.ALLOW_PRIVATE_NETWORKS)


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST ``body`` to ``url`` under the rules of :mod:`bazary.core.outbound`."""
    return outbound.request(
        "POST",
        url,
        body=body,
        headers=headers,
        allow_private=webhooks_settings.ALLOW_PRIVATE_NETWORKS,
        setting=SETTING,
        timeout=webhooks_settings.TIMEOUT,
        max_body=MAX_BODY,
        ca_bundle=webhooks_settings.CA_BUNDLE,
        ca_setting="BAZARY_WEBHOOKS['CA_BUNDLE']",
    )
