"""HTTP requests to addresses a user supplied (webhook endpoints, image URLs
of an import), under rules that keep them off the server's own network.

- The host is resolved here, once; every address it resolves to is checked
  and, unless ``allow_private``, a loopback, private, link-local, multicast,
  reserved or otherwise non-global address is refused (:class:`Refused`). The
  connection then goes to that checked IP (urllib3's pool is built for the
  IP, with the name kept for TLS: SNI and certificate check), so a DNS answer
  that changes between the check and the connection (DNS rebinding) cannot
  send the request elsewhere.
- ``http://`` only with ``allow_private``; redirects are never followed (a
  3xx is returned as it is); urllib3's own retries are off.
- ``timeout`` for the connection and for each read; at most ``max_body``
  bytes of the answer are read, the rest is dropped with the connection
  (:attr:`Response.truncated` says so).
- Nothing here logs the request, its headers or its body.

Each caller passes its own switch (``allow_private``) and names the setting
behind it (``setting``), so a refusal tells the operator which one to change.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3


class Refused(Exception):
    """The URL or the address it resolves to is not one requests may go to."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    duration_ms: int
    #: The answer had more than ``max_body`` bytes (only those were read).
    truncated: bool = False


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def resolve(host: str, port: int, *, allow_private: bool, setting: str) -> str:
    """The address to connect to for ``host``: the first it resolves to, once
    every one is allowed (a name with one private address among public ones is refused)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ConnectionError(f"Cannot resolve {host!r}: {exc}") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise ConnectionError(f"{host!r} resolves to no address.")
    if not allow_private:
        for address in addresses:
            if not is_public(address.split("%")[0]):
                raise Refused(f"{host!r} resolves to {address}, a non-public address ({setting} is off).")
    return addresses[0]


def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse what no request may use, before any network access: a scheme
    other than https (http with ``allow_private``), credentials, no host."""
    parts = urlsplit(url)
    allowed = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed:
        raise Refused(f"The URL's scheme must be {' or '.join(allowed)}.")
    if not parts.hostname:
        raise Refused("The URL has no host.")
    if parts.username or parts.password:
        raise Refused("The URL cannot carry a user name or password.")


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    allow_private: bool,
    setting: str,
    timeout: float,
    max_body: int,
) -> Response:
    """Send ``method`` to ``url`` under the rules of this module."""
    check_url(url, allow_private=allow_private)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve(host, port, allow_private=allow_private, setting=setting)
    pool_timeout = urllib3.Timeout(connect=timeout, read=timeout)
    pool: urllib3.HTTPConnectionPool
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=pool_timeout,
            retries=False,
            maxsize=1,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=pool_timeout, retries=False, maxsize=1)
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    started = time.monotonic()
    try:
        response = pool.urlopen(
            method,
            path,
            body=body,
            headers={**(headers or {}), "Host": host_header},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            # One byte past the cap tells a body of exactly max_body bytes from a longer one.
            data = response.read(max_body + 1) or b""
        finally:
            response.close()  # the unread rest goes with the connection
    finally:
        pool.close()
    duration = int((time.monotonic() - started) * 1000)
    return Response(
        status=response.status,
        headers={k.lower(): v for k, v in response.headers.items()},
        body=data[:max_body],
        duration_ms=duration,
        truncated=len(data) > max_body,
    )
