"""SSRF guard: address classification, odd IP spellings, and the pinned transport."""

from __future__ import annotations

import asyncio
import ipaddress

import httpx
import pytest

from globewire.fetch.safety import BlockedAddress, ResolveError, address_problem, parse_numeric_ipv4, vet_host
from globewire.fetch.transport import PinnedTransport
from tests.sites.server import LoopbackServer, static

BLOCKED = [
    "127.0.0.1",
    "127.255.0.9",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.0.1",
    "100.64.0.1",
    "100.127.255.254",
    "0.0.0.0",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.10",
    "198.18.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "2002:7f00:1::1",
    "2001:db8::1",
    "fec0::1",
]
PUBLIC = [
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "151.101.1.67",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82b::200e",
    "::ffff:8.8.8.8",
    "100.128.0.1",
    "172.32.0.1",
]


@pytest.mark.parametrize("addr", BLOCKED)
def test_blocked_addresses(addr: str) -> None:
    assert address_problem(ipaddress.ip_address(addr)) is not None


@pytest.mark.parametrize("addr", PUBLIC)
def test_public_addresses(addr: str) -> None:
    assert address_problem(ipaddress.ip_address(addr)) is None


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
        ("2852039166", "169.254.169.254"),
        ("10.0.1", "10.0.0.1"),
    ],
)
def test_numeric_spellings(spelling: str, expected: str) -> None:
    assert str(parse_numeric_ipv4(spelling)) == expected


@pytest.mark.parametrize("name", ["example.com", "1.example", "0x7g.1", "1.2.3.4.5", "256.1.1.1", "", "4294967296"])
def test_not_numeric(name: str) -> None:
    assert parse_numeric_ipv4(name) is None


async def _resolver(host: str, port: int) -> list[str]:
    table = {
        "public.test": ["93.184.216.34"],
        "mixed.test": ["93.184.216.34", "10.0.0.5"],
        "sneaky.test": ["::ffff:127.0.0.1"],
        "meta.test": ["169.254.169.254"],
    }
    if host not in table:
        raise ResolveError(host)
    return table[host]


@pytest.mark.parametrize(
    "host", ["mixed.test", "sneaky.test", "meta.test", "2130706433", "0x7f.1", "127.0.0.1", "[::1]", "169.254.169.254"]
)
def test_vet_host_blocks(host: str) -> None:
    with pytest.raises(BlockedAddress):
        asyncio.run(vet_host(host, 80, resolver=_resolver, allow_private=False))


def test_vet_host_allows_public_and_private_when_asked() -> None:
    v = asyncio.run(vet_host("public.test", 80, resolver=_resolver, allow_private=False))
    assert v.address == "93.184.216.34"
    v = asyncio.run(vet_host("0x7f.1", 80, resolver=_resolver, allow_private=True))
    assert v.address == "127.0.0.1"
    with pytest.raises(ResolveError):
        asyncio.run(vet_host("nowhere.test", 80, resolver=_resolver, allow_private=False))


def test_pinned_transport_refuses_unvetted_host() -> None:
    """The transport never resolves names itself: without a pin there is no connection at all."""
    with LoopbackServer() as srv:
        srv.route("/", static("hi"))

        async def go() -> None:
            transport = PinnedTransport(max_connections=2)
            async with httpx.AsyncClient(transport=transport) as client:
                with pytest.raises(httpx.ConnectError):
                    await client.get(srv.url("/"))
                with pytest.raises(httpx.ConnectError):
                    await client.get(srv.url("/", host="localhost"))
                # a pin for a name the system DNS does not know: the connection goes to the pin
                transport.pin("rebind.test", "127.0.0.1")
                r = await client.get(srv.url("/", host="rebind.test"))
                assert r.status_code == 200 and r.text == "hi"

        asyncio.run(go())
        assert [r.host for r in srv.requests] == ["rebind.test"]
