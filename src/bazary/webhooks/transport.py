"""The HTTP client of the deliveries, and the rules it keeps.

- The host is resolved here, once; every address it resolves to is checked
  and, unless ``ALLOW_PRIVATE_NETWORKS``, a loopback, private, link-local,
  multicast, reserved or otherwise non-global address is refused
  (:class:`Refused`). The connection then goes to that checked IP (urllib3's
  pool is built for the IP, with the name kept for TLS: SNI and certificate
  check), so a DNS answer that changes between the check and the connection
  (DNS rebinding) cannot send the request elsewhere.
- ``http://`` only with ``ALLOW_PRIVATE_NETWORKS``; redirects are never
  followed (a 3xx is a failed attempt); urllib3's own retries are off.
- ``TIMEOUT`` for the connection and for each read; at most :data:`MAX_BODY`
  bytes of the answer are read, the rest is dropped with the connection.
- Nothing here logs the request, its headers or the secret.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3

from .conf import webhooks_settings

#: Bytes of an answer read at most.
MAX_BODY = 4096


class Refused(Exception):
    """The URL or the address it resolves to is not one deliveries may go to."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    duration_ms: int


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def resolve(host: str, port: int) -> str:
    """The address to connect to for ``host``: the first it resolves to, once
    every one is allowed (a name with one private address among public ones is refused)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ConnectionError(f"Cannot resolve {host!r}: {exc}") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise ConnectionError(f"{host!r} resolves to no address.")
    if not webhooks_settings.ALLOW_PRIVATE_NETWORKS:
        for address in addresses:
            if not is_public(address.split("%")[0]):
                raise Refused(
                    f"{host!r} resolves to {address}, a non-public address "
                    "(BAZARY_WEBHOOKS['ALLOW_PRIVATE_NETWORKS'] is off)."
                )
    return addresses[0]


def check_url(url: str) -> None:
    """Refuse what no delivery may use, before any network access: a scheme
    other than https (http with ``ALLOW_PRIVATE_NETWORKS``), credentials, no host."""
    parts = urlsplit(url)
    allowed = ("https", "http") if webhooks_settings.ALLOW_PRIVATE_NETWORKS else ("https",)
    if parts.scheme not in allowed:
        raise Refused(f"The URL's scheme must be {' or '.join(allowed)}.")
    if not parts.hostname:
        raise Refused("The URL has no host.")
    if parts.username or parts.password:
        raise Refused("The URL cannot carry a user name or password.")


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST ``body`` to ``url`` under the rules of this module."""
    check_url(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve(host, port)
    timeout = urllib3.Timeout(connect=webhooks_settings.TIMEOUT, read=webhooks_settings.TIMEOUT)
    pool: urllib3.HTTPConnectionPool
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False, maxsize=1)
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    started = time.monotonic()
    try:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            data = response.read(MAX_BODY)
        finally:
            response.close()  # the unread rest goes with the connection
    finally:
        pool.close()
    duration = int((time.monotonic() - started) * 1000)
    return Response(
        status=response.status,
        headers={k.lower(): v for k, v in response.headers.items()},
        body=data or b"",
        duration_ms=duration,
    )
