"""HTTP requests to addresses a user supplied (webhook endpoints, image URLs
of an import), under rules that keep them off the server's own network.

- The host is resolved here, once; every address it resolves to is checked
  and, unless ``allow_private``, a loopback, private, link-local, multicast,
  reserved or otherwise non-global address is refused (:class:`Refused`). The
  connection then goes to that checked IP (urllib3's pool is built for the
  IP, with the name kept for TLS: SNI and certificate check), so a DNS answer
  that changes between the check and the connection (DNS rebinding) cannot
  send the request elsewhere.
- https: the certificate must be valid for the URL's host name (checked
  against that name, and sent as SNI, while the socket goes to the checked
  IP) and chain to a CA of the system's store (OpenSSL's default paths, so
  ``SSL_CERT_FILE``/``SSL_CERT_DIR`` apply) or of the caller's ``ca_bundle``;
  a refused certificate is a :class:`TLSFailure`, never a request sent anyway.
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

import functools
import ipaddress
import os
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import SSLError
from urllib3.util.ssl_ import create_urllib3_context


class Refused(Exception):
    """The URL or the address it resolves to is not one requests may go to."""


class TLSFailure(ConnectionError):
    """The TLS handshake failed: most often the receiver's certificate was
    refused (unknown CA, another host name, expired). Nothing was sent."""


def load_ca_bundle(context: ssl.SSLContext, path: str) -> None:
    """Trust the CA certificates of ``path`` (a PEM file, or a directory of
    them named by hash as ``c_rehash`` makes) in ``context`` too."""
    if os.path.isdir(path):
        context.load_verify_locations(capath=path)
    else:
        context.load_verify_locations(cafile=path)


def tls_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    """urllib3's client defaults (TLS 1.2 or later, a certificate required),
    the system's CA certificates, and ``ca_bundle``'s."""
    # Loading the system's store takes tens of milliseconds: once per
    # bundle and OpenSSL environment (a changed file needs a restart).
    return _tls_context(ca_bundle, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.lru_cache(maxsize=8)
def _tls_context(bundle: str | None, cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    context = create_urllib3_context()  # CERT_REQUIRED
    # urllib3 matches the certificate against assert_hostname (the URL's
    # host) itself, since the socket is opened to the checked IP; it would
    # set this on every connection otherwise, and the context is shared.
    context.check_hostname = False
    context.load_default_certs()  # OpenSSL's default paths, which read SSL_CERT_FILE / SSL_CERT_DIR
    if bundle:
        load_ca_bundle(context, bundle)
    return context


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
    ca_bundle: str | None = None,
    ca_setting: str | None = None,
) -> Response:
    """Send ``method`` to ``url`` under the rules of this module; ``ca_bundle``
    (named by ``ca_setting`` in a refused certificate's error) is trusted too."""
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
            ssl_context=tls_context(ca_bundle),
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=pool_timeout, retries=False, maxsize=1)
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    started = time.monotonic()
    try:
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
        except SSLError as exc:
            trusted = f"the system's, or one in {ca_setting}" if ca_setting else "the system's"
            raise TLSFailure(
                f"{exc} (the certificate of {host!r} must be valid for that name and signed by a CA this "
                f"server trusts: {trusted})"
            ) from exc
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
