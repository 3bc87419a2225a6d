"""An httpx transport whose sockets only ever go to addresses the SSRF guard vetted.

The fetcher resolves and vets a host (``safety.vet_host``) and pins the result here before each
request. The network backend below ignores DNS entirely: ``connect_tcp(host, ...)`` connects to the
pinned address of ``host`` or refuses. URLs, the Host header, TLS SNI and certificate checks all
keep using the real host name, and the connection pool is keyed by host name, so a TLS connection
verified for one name is never reused for another.
"""

from __future__ import annotations

import ssl
import typing

import httpcore
import httpx


class UnvettedHost(httpcore.ConnectError):
    """A connection was attempted to a host that has no vetted address pinned."""


class PinnedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()
        self.pins: dict[str, str] = {}

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        address = self.pins.get(host.lower().strip("[]"))
        if address is None:
            raise UnvettedHost(f"no vetted address for {host!r}; refusing to connect")
        return await self._inner.connect_tcp(
            address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: typing.Iterable[typing.Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise UnvettedHost("unix sockets are never used by the fetcher")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` with a :class:`PinnedBackend` under its connection pool.

    httpx does not expose the network backend, so the pool it builds is replaced by an identical
    one that uses the pinned backend (``_pool`` is the attribute ``handle_async_request`` uses in
    httpx 0.27-0.28; the constructor checks it is there).
    """

    def __init__(
        self, *, max_connections: int, keepalive_expiry: float = 5.0, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        super().__init__(retries=0)
        if not hasattr(self, "_pool"):  # pragma: no cover - guards an httpx internals change
            raise RuntimeError("httpx.AsyncHTTPTransport has no _pool; PinnedTransport needs updating")
        self.backend = PinnedBackend()
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(),
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=self.backend,
        )

    def pin(self, host: str, address: str) -> None:
        self.backend.pins[host.lower().strip("[]")] = address
