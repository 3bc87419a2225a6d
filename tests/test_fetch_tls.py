"""HTTPS through the pinned transport: the socket goes to the vetted address while SNI and certificate
checks still use the host name."""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
from pathlib import Path

import pytest

from globewire.fetch import Fetcher, FetchSettings
from globewire.fetch.safety import ResolveError
from globewire.records import FetchResult
from tests.sites.server import LoopbackServer, static

x509 = pytest.importorskip("cryptography.x509")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402


def _make_pki(tmp: Path, hostname: str) -> tuple[Path, Path, Path]:
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "globewire test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem, cert_pem, key_pem = tmp / "ca.pem", tmp / "cert.pem", tmp / "key.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_pem.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_pem, cert_pem, key_pem


async def _resolver(host: str, port: int) -> list[str]:
    if host.endswith(".test"):
        return ["127.0.0.1"]
    raise ResolveError(host)


def test_https_pinned_sni_and_certificate(tmp_path: Path) -> None:
    ca, cert, key = _make_pki(tmp_path, "secure.test")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    sni_seen: list[str | None] = []
    server_ctx.sni_callback = lambda sock, name, ctx: sni_seen.append(name)  # type: ignore[assignment, misc, return-value]
    with LoopbackServer(tls=server_ctx) as srv:
        srv.route("/", static("secure hello"))
        settings = FetchSettings(
            allow_private_addresses=True, min_host_delay=0, respect_robots=False, ca_bundle=str(ca), max_retries=0
        )

        async def go() -> tuple[FetchResult, FetchResult]:
            async with Fetcher(settings, resolver=_resolver) as f:
                good = await f.fetch(f"https://secure.test:{srv.port}/")
                wrong_name = await f.fetch(f"https://impostor.test:{srv.port}/")
                return good, wrong_name

        good, wrong = asyncio.run(go())
    assert good.ok and good.body == b"secure hello", (good.error, good.error_detail)
    assert "secure.test" in sni_seen and "impostor.test" in sni_seen
    assert wrong.error in ("connect_error", "network_error") and "certificate" in wrong.error_detail.lower()
    assert [r.host for r in srv.requests] == ["secure.test"]
