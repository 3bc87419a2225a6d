"""SSRF guard: decide whether a host may be contacted, and to which vetted address.

The fetcher never lets the HTTP stack resolve names on its own. For every hop it calls
:func:`vet_host`, which

1. refuses non-canonical numeric spellings of IPv4 addresses (``2130706433``, ``0x7f.1``,
   ``0177.0.0.1``, ``127.1``): browsers and libc accept them, no real news site uses them;
2. resolves the name with the (injectable) resolver;
3. refuses the host if ANY resolved address is not globally routable (loopback, RFC 1918,
   fc00::/7, link-local incl. the 169.254.169.254 metadata service, multicast, unspecified,
   reserved, CGNAT 100.64/10, documentation/benchmark ranges, and IPv4 embedded in IPv6 —
   mapped, NAT64, 6to4, Teredo — of those);
4. returns the address to connect to. The client then connects to that literal IP and sets
   the ``Host`` header and TLS SNI to the original name, so a DNS answer that changes between
   the check and the connection (DNS rebinding) cannot redirect the connection.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: ``async resolver(host, port) -> list of IP address strings``
Resolver = Callable[[str, int], Awaitable[list[str]]]


class BlockedAddress(Exception):
    """The host may not be contacted; ``.detail`` says why."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ResolveError(Exception):
    """The name did not resolve."""


# Ranges refused on top of what ``ipaddress`` flags as private/reserved/etc. Listed explicitly
# so the guard does not depend on the Python version's idea of ``is_global``.
_BLOCKED_NETWORKS: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "100.64.0.0/10",  # CGNAT shared address space
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, cloud metadata 169.254.169.254
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # TEST-NET-1
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # TEST-NET-2
        "203.0.113.0/24",  # TEST-NET-3
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved + broadcast
        "::/128",
        "::1/128",
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001:db8::/32",  # documentation
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # old site-local
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def address_problem(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be contacted, or None when it is a public unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded: ipaddress.IPv4Address | None = None
        if ip.ipv4_mapped is not None:
            embedded = ip.ipv4_mapped
        elif ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        elif ip.sixtofour is not None:
            embedded = ip.sixtofour
        elif ip.teredo is not None:
            embedded = ip.teredo[1]
        elif int(ip) >> 32 == 0 and int(ip) > 1:  # deprecated IPv4-compatible ::a.b.c.d
            embedded = ipaddress.IPv4Address(int(ip))
        if embedded is not None:
            inner = address_problem(embedded)
            if inner:
                return f"{inner} (embedded in {ip})"
            if ip.ipv4_mapped is not None or ip in _NAT64:
                return None  # the packet goes to the embedded IPv4 address, which is public
    for net in _BLOCKED_NETWORKS:
        if ip.version == net.version and ip in net:
            return f"{ip} is in blocked range {net}"
    for flag in ("is_loopback", "is_private", "is_link_local", "is_multicast", "is_unspecified", "is_reserved"):
        if getattr(ip, flag):
            return f"{ip} {flag.removeprefix('is_').replace('_', '-')}"
    if not ip.is_global:
        return f"{ip} is not globally routable"
    return None


_DEC = re.compile(r"^[0-9]+$")
_HEX = re.compile(r"^0[xX][0-9a-fA-F]*$")
_OCT = re.compile(r"^0[0-7]+$")


def parse_numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Interpret ``host`` the way inet_aton does (1-4 parts, decimal/octal/hex), else None.

    ``2130706433`` -> 127.0.0.1, ``0x7f.1`` -> 127.0.0.1, ``0177.0.0.01`` -> 127.0.0.1.
    """
    h = host.rstrip(".")
    parts = h.split(".")
    if not h or len(parts) > 4:
        return None
    values: list[int] = []
    for p in parts:
        if _HEX.match(p):
            values.append(int(p[2:] or "0", 16))
        elif _OCT.match(p):
            values.append(int(p, 8))
        elif _DEC.match(p):
            values.append(int(p, 10))
        else:
            return None
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        return None
    n = 0
    for v in head:
        n = (n << 8) | v
    n = (n << (8 * (4 - len(head)))) | last
    return ipaddress.IPv4Address(n)


def ip_literal(host: str) -> IPAddress | None:
    """The address if ``host`` is a canonical IPv4 dotted quad or an IPv6 literal (brackets allowed)."""
    h = host.strip("[]")
    try:
        return ipaddress.ip_address(h.split("%", 1)[0])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Vetted:
    host: str  # the name asked for (lower case)
    address: str  # the address to connect to
    all_addresses: tuple[str, ...]


async def default_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ResolveError(f"{host}: {exc}") from exc
    out: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        addr = str(sockaddr[0])
        if addr not in out:
            out.append(addr)
    return out


async def vet_host(host: str, port: int, *, resolver: Resolver, allow_private: bool) -> Vetted:
    """Resolve ``host`` and return the address to connect to, or raise BlockedAddress/ResolveError."""
    host = host.lower().rstrip(".") if not host.startswith("[") else host.lower()
    literal = ip_literal(host)
    if literal is None:
        numeric = parse_numeric_ipv4(host)
        if numeric is not None:
            if not allow_private:
                raise BlockedAddress(f"non-canonical IP spelling {host!r} (= {numeric})")
            literal = numeric
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = await resolver(host, port)
        except ResolveError:
            raise
        except OSError as exc:
            raise ResolveError(f"{host}: {exc}") from exc
        if not addresses:
            raise ResolveError(f"{host}: no addresses")
    parsed: list[IPAddress] = []
    for a in addresses:
        ip = ip_literal(a)
        if ip is None:
            raise BlockedAddress(f"resolver returned a non-address {a!r} for {host}")
        parsed.append(ip)
    if not allow_private:
        for ip in parsed:
            problem = address_problem(ip)
            if problem:
                raise BlockedAddress(f"{host} -> {problem}")
    # Prefer IPv4 when both families are present: the loopback test site and most crawling hosts
    # have working IPv4, and a single stable choice keeps connection reuse simple.
    parsed.sort(key=lambda ip: ip.version)
    return Vetted(host=host, address=str(parsed[0]), all_addresses=tuple(str(p) for p in parsed))
