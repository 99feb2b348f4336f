"""Certificates for tests of HTTPS clients: a private certificate authority,
made on the spot with ``cryptography``, and server certificates it signs.

::

    ca = CertificateAuthority()
    ca.write_pem(tmp_path / "ca.pem")          # what the client is told to trust
    with Receiver(tls=ca.server_context("127.0.0.1")) as receiver:
        ...                                    # receiver.url is https://127.0.0.1:<port>/hook

    certificate, key = self_signed("127.0.0.1")  # or no CA: trust the certificate itself
    with Receiver(tls=server_context(certificate, key)) as receiver:
        ...

Nothing here is for production: the keys live in memory and in files the test
owns, and each certificate is valid for a day.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_PRIVATE = serialization.PrivateFormat.PKCS8
_PEM = serialization.Encoding.PEM


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _validity(builder: x509.CertificateBuilder) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return builder.not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(
        now + datetime.timedelta(days=1)
    )


def _alternatives(names: tuple[str, ...]) -> list[x509.GeneralName]:
    alternatives: list[x509.GeneralName] = []
    for name in names:
        try:
            alternatives.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternatives.append(x509.DNSName(name))
    return alternatives


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(_PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(_PEM, _PRIVATE, serialization.NoEncryption())


def _server_certificate(
    names: tuple[str, ...], key: ec.EllipticCurvePrivateKey, issuer: x509.Name, signing_key: ec.EllipticCurvePrivateKey
) -> x509.Certificate:
    if not names:
        raise ValueError("A server certificate needs at least one name.")
    builder = (
        _validity(x509.CertificateBuilder())
        .subject_name(_name(names[0]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(_alternatives(names)), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()), critical=False)
    )
    return builder.sign(signing_key, hashes.SHA256())


def server_context(certificate: bytes, key: bytes) -> ssl.SSLContext:
    """A server-side ``SSLContext`` presenting ``certificate`` (PEM) with ``key`` (PEM)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # load_cert_chain reads files only: they live just long enough to be read.
    with tempfile.TemporaryDirectory() as directory:
        chain, key_file = Path(directory) / "server.pem", Path(directory) / "server.key"
        chain.write_bytes(certificate)
        key_file.write_bytes(key)
        context.load_cert_chain(chain, key_file)
    return context


def self_signed(*names: str) -> tuple[bytes, bytes]:
    """A self-signed server certificate for ``names`` (host names, or IP
    addresses as text): ``(certificate PEM, private key PEM)``. A client that
    trusts it has the certificate itself as its CA file."""
    key = ec.generate_private_key(ec.SECP256R1())
    issuer = _name(names[0]) if names else _name("-")
    return _pem(_server_certificate(names, key, issuer, key)), _key_pem(key)


class CertificateAuthority:
    """A self-signed CA certificate and its key."""

    def __init__(self, common_name: str = "bazary test CA") -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        public = self.key.public_key()
        builder = (
            _validity(x509.CertificateBuilder())
            .subject_name(_name(common_name))
            .issuer_name(_name(common_name))
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        )
        self.certificate = builder.sign(self.key, hashes.SHA256())

    @property
    def pem(self) -> bytes:
        """The CA certificate, PEM-encoded: the file a client trusts."""
        return _pem(self.certificate)

    def write_pem(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_bytes(self.pem)
        return path

    def issue(self, *names: str) -> tuple[bytes, bytes]:
        """A server certificate for ``names`` (host names, or IP addresses as
        text) signed by this CA: ``(certificate PEM, private key PEM)``."""
        key = ec.generate_private_key(ec.SECP256R1())
        return _pem(_server_certificate(names, key, self.certificate.subject, self.key)), _key_pem(key)

    def server_context(self, *names: str) -> ssl.SSLContext:
        """A server-side ``SSLContext`` presenting a certificate for ``names`` signed by this CA."""
        return server_context(*self.issue(*names))
