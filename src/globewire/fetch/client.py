"""The polite, safe HTTP fetcher.

``Fetcher.fetch`` never raises for network or HTTP trouble: every outcome is a
:class:`~globewire.records.FetchResult` whose ``error`` is one of :data:`ERRORS`.
Every fetch, robots.txt fetches included, is also reported through ``on_result``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from globewire.config.fetch import FetchSettings
from globewire.fetch.decode import DecodeError, UnsupportedEncoding, decoder_for
from globewire.fetch.hosts import HostScheduler
from globewire.fetch.robots import ROBOTS_MAX_BYTES, RobotsRules, rules_from_fetch
from globewire.fetch.safety import BlockedAddress, ResolveError, Resolver, default_resolver, vet_host
from globewire.fetch.transport import PinnedTransport
from globewire.log import get_logger
from globewire.records import FetchResult

log = get_logger(__name__)

#: Machine-readable reasons used in ``FetchResult.error``.
ERRORS = frozenset(
    {
        "bad_url",
        "bad_scheme",
        "blocked_address",
        "dns_error",
        "connect_error",
        "network_error",
        "timeout",
        "http_error",
        "rate_limited",
        "robots_disallowed",
        "redirect_loop",
        "too_many_redirects",
        "body_too_large",
        "decode_error",
        "unsupported_encoding",
    }
)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 503})
ALLOWED_SCHEMES = frozenset({"http", "https"})
ACCEPT_ENCODING = "gzip, deflate, br, zstd"
ACCEPT = "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.8"
#: robots.txt redirects followed (RFC 9309 §2.3.1.2 asks for at least five).
ROBOTS_MAX_REDIRECTS = 5


class _Failure(Exception):
    def __init__(self, reason: str, detail: str, status: int | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.status = status


@dataclass
class _Exchange:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes = b""
    truncated: bool = False


@dataclass
class _Timing:
    network_s: float = 0.0
    final_url: str = ""


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # str.isdigit() is also true for "²", which float() refuses
        return min(float(value), 1e12)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        return None
    current = now if now is not None else time.time()
    return max(0.0, when.timestamp() - current)


def build_user_agent(settings: FetchSettings) -> str:
    return settings.user_agent.replace("{contact}", settings.contact_url)


def robots_agent_token(user_agent: str) -> str:
    """The product token matched against robots.txt groups (``globewire/0.1 (...)`` -> ``globewire``)."""
    return user_agent.split("/", 1)[0].split()[0] if user_agent.strip() else "*"


def _ascii_host(url: httpx.URL) -> str:
    """The host as sent on the wire (IDNA/punycode), which is also what the connection pool sees."""
    return url.raw_host.decode("ascii").lower()


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _flatten_headers(headers: httpx.Headers) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in headers.multi_items():
        k = k.lower()
        out[k] = f"{out[k]}, {v}" if k in out else v
    return out


def decoder_is_identity(headers: dict[str, str]) -> bool:
    return headers.get("content-encoding", "identity").strip().lower() in ("", "identity")


def _redirect_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path or '/'}?{parts.query}"


class Fetcher:
    def __init__(
        self,
        settings: FetchSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        on_result: Callable[[FetchResult], None] | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self.settings = settings
        self.user_agent = build_user_agent(settings)
        self.agent_token = robots_agent_token(self.user_agent)
        self._on_result = on_result
        self._resolver: Resolver = resolver or default_resolver
        self._pinned: PinnedTransport | None = None
        if transport is None:
            ctx = httpx.create_ssl_context()
            if settings.ca_bundle:
                ctx.load_verify_locations(cafile=settings.ca_bundle)
            self._pinned = PinnedTransport(max_connections=max(4, settings.max_concurrency * 2), ssl_context=ctx)
            transport = self._pinned
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._scheduler: HostScheduler | None = None
        self._robots: dict[str, RobotsRules] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        self._client = httpx.AsyncClient(
            transport=self._transport,
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(
                connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout, pool=s.total_timeout
            ),
            headers={"User-Agent": self.user_agent, "Accept-Encoding": ACCEPT_ENCODING, "Accept": ACCEPT},
        )
        self._scheduler = HostScheduler(s.min_host_delay, s.max_concurrency)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    @property
    def scheduler(self) -> HostScheduler:
        if self._scheduler is None:
            raise RuntimeError("use `async with Fetcher(...)`")
        return self._scheduler

    # ------------------------------------------------------------------ public API

    async def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None, kind: str = "page"
    ) -> FetchResult:
        """Fetch ``url`` politely and safely; never raises for network/HTTP trouble."""
        conditional: dict[str, str] = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        result = await self._run(
            url,
            kind=kind,
            extra_headers=conditional,
            check_robots=self.settings.respect_robots,
            body_cap=self.settings.max_body_bytes,
            truncate=False,
            max_redirects=self.settings.max_redirects,
        )
        return result

    async def robots_sitemaps(self, url: str) -> list[str]:
        """``Sitemap:`` URLs declared in the robots.txt of ``url``'s origin (fetched/cached as usual)."""
        try:
            target = self._parse(url)
        except _Failure:
            return []
        rules = await self._robots_rules(target)
        if rules.parser is None:
            return []
        return [str(u) for u in rules.parser.sitemaps]

    # ------------------------------------------------------------------ core

    async def _run(
        self,
        url: str,
        *,
        kind: str,
        extra_headers: dict[str, str],
        check_robots: bool,
        body_cap: int,
        truncate: bool,
        max_redirects: int,
    ) -> FetchResult:
        timing = _Timing()
        try:
            exchange = await self._follow(
                url.strip(),
                timing=timing,
                extra_headers=extra_headers,
                check_robots=check_robots,
                body_cap=body_cap,
                truncate=truncate,
                max_redirects=max_redirects,
            )
        except _Failure as f:
            result = FetchResult(
                url=url,
                final_url=timing.final_url or url,
                status=f.status,
                elapsed_ms=timing.network_s * 1000.0,
                error=f.reason,
                error_detail=f.detail,
            )
            return self._report(result, kind)
        status = exchange.status
        error: str | None = None
        detail = ""
        body = exchange.body
        if status == 304:
            result = FetchResult(
                url=url,
                final_url=exchange.url,
                status=status,
                headers=exchange.headers,
                elapsed_ms=timing.network_s * 1000.0,
                not_modified=True,
            )
            return self._report(result, kind)
        if not 200 <= status < 300:
            error, detail, body = "http_error", f"HTTP {status}", b""
            if status == 429:
                error = "rate_limited"
        result = FetchResult(
            url=url,
            final_url=exchange.url,
            status=status,
            headers=exchange.headers,
            body=body,
            elapsed_ms=timing.network_s * 1000.0,
            error=error,
            error_detail=detail,
        )
        return self._report(result, kind)

    def _report(self, result: FetchResult, kind: str) -> FetchResult:
        result = dataclasses.replace(result, kind=kind)
        log.debug(
            "fetch",
            url=result.url,
            kind=kind,
            status=result.status,
            bytes=len(result.body),
            elapsed_ms=round(result.elapsed_ms, 1),
            error=result.error,
        )
        if self._on_result is not None:
            try:
                self._on_result(result)
            except Exception:  # a broken callback must not break the crawl
                log.exception("on_result_failed", url=result.url)
        return result

    async def _follow(
        self,
        url: str,
        *,
        timing: _Timing,
        extra_headers: dict[str, str],
        check_robots: bool,
        body_cap: int,
        truncate: bool,
        max_redirects: int,
    ) -> _Exchange:
        seen = {_redirect_key(url)}
        hops = 0
        current = url
        while True:
            timing.final_url = current
            target = self._parse(current)
            if check_robots:
                await self._check_robots(target)
            exchange = await self._with_retries(
                target, timing=timing, extra_headers=extra_headers, body_cap=body_cap, truncate=truncate
            )
            if exchange.status not in REDIRECT_STATUSES:
                return exchange
            location = exchange.headers.get("location", "").strip()
            if not location:
                return exchange  # a redirect without a target is reported as an HTTP error
            hops += 1
            nxt = urljoin(current, location)
            if hops > max_redirects:
                raise _Failure("too_many_redirects", f"more than {max_redirects} redirects (next: {nxt})")
            key = _redirect_key(nxt)
            scheme = urlsplit(nxt).scheme.lower()
            if scheme not in ALLOWED_SCHEMES:
                raise _Failure("bad_scheme", f"redirect to {scheme or 'relative'}: URL {nxt[:200]}")
            if key in seen:
                raise _Failure("redirect_loop", f"redirect back to {nxt}")
            seen.add(key)
            current = nxt

    def _parse(self, url: str) -> httpx.URL:
        scheme = urlsplit(url).scheme.lower() if ":" in url else ""
        if scheme not in ALLOWED_SCHEMES:
            raise _Failure("bad_scheme", f"scheme {scheme or '(none)'!r} not allowed: {url[:200]}")
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
            raise _Failure("bad_url", f"{url[:200]}: {exc}") from exc
        if not parsed.host:
            raise _Failure("bad_url", f"no host in {url[:200]}")
        return parsed

    # ------------------------------------------------------------------ robots

    def _origin(self, url: httpx.URL) -> str:
        return f"{url.scheme}://{_ascii_host(url)}:{url.port or _default_port(url.scheme)}"

    async def _check_robots(self, url: httpx.URL) -> None:
        rules = await self._robots_rules(url)
        target = str(url)
        if not rules.allows(target, self.agent_token):
            if rules.unreachable:  # the site is down or unknown: say so, not "disallowed"
                raise _Failure(rules.unreachable, rules.reason)
            raise _Failure("robots_disallowed", rules.reason or f"robots.txt disallows {url.path}")

    async def _robots_rules(self, url: httpx.URL) -> RobotsRules:
        origin = self._origin(url)
        rules = self._robots.get(origin)
        if rules is not None and not rules.expired():
            return rules
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            rules = self._robots.get(origin)
            if rules is not None and not rules.expired():
                return rules
            robots_url = str(url.copy_with(path="/robots.txt", query=None, fragment=None))
            result = await self._run(
                robots_url,
                kind="robots",
                extra_headers={},
                check_robots=False,
                body_cap=ROBOTS_MAX_BYTES,
                truncate=True,
                max_redirects=ROBOTS_MAX_REDIRECTS,
            )
            if result.error in ("blocked_address", "bad_scheme", "bad_url"):
                # the page itself will be refused for the same reason; do not cache a verdict
                return RobotsRules("allow_all", 0.0, "")
            error = result.error if result.error not in ("http_error", "rate_limited") else None
            rules = rules_from_fetch(result.status, result.body, error, self.settings.robots_cache_seconds)
            delay = rules.crawl_delay(self.agent_token)
            if delay is not None and delay > self.settings.min_host_delay:
                self.scheduler.set_crawl_delay(_ascii_host(url), delay)
            self._robots[origin] = rules
            log.debug("robots", origin=origin, kind=rules.kind, reason=rules.reason, crawl_delay=delay)
            return rules

    # ------------------------------------------------------------------ retries

    async def _with_retries(
        self, url: httpx.URL, *, timing: _Timing, extra_headers: dict[str, str], body_cap: int, truncate: bool
    ) -> _Exchange:
        s = self.settings
        host = _ascii_host(url)
        attempt = 0
        while True:
            left = self.scheduler.cooling_down(host)
            if left > 0:
                raise _Failure("rate_limited", f"{host} asked us to wait; {left:.0f}s of its Retry-After left")
            try:
                exchange = await self._exchange(
                    url, timing=timing, extra_headers=extra_headers, body_cap=body_cap, truncate=truncate
                )
            except _Failure as f:
                # Connection trouble is retried (a reused keep-alive connection the server just closed
                # fails this way too); timeouts are not, or a slow-loris server would get several goes.
                if f.reason not in ("connect_error", "network_error") or attempt >= s.max_retries:
                    raise
                delay = s.backoff_base * (2**attempt)
                attempt += 1
                log.debug("retry_connect", url=str(url), attempt=attempt, delay=delay, detail=f.detail)
                self.scheduler.push_back(host, delay)
                continue
            if exchange.status not in RETRY_STATUSES:
                return exchange
            retry_after = parse_retry_after(exchange.headers.get("retry-after"))
            if retry_after is not None and retry_after > s.max_retry_after:
                # Waiting less than asked would be impolite; waiting longer would stall the crawl.
                # Give up on this URL and keep the whole host quiet for the requested time.
                self.scheduler.cool_down(host, retry_after)
                raise _Failure(
                    "rate_limited" if exchange.status == 429 else "http_error",
                    f"HTTP {exchange.status}, Retry-After {retry_after:.0f}s exceeds max_retry_after",
                    exchange.status,
                )
            delay = retry_after if retry_after is not None else s.backoff_base * (2**attempt)
            if attempt >= s.max_retries:
                self.scheduler.push_back(host, delay)
                raise _Failure(
                    "rate_limited" if exchange.status == 429 else "http_error",
                    f"HTTP {exchange.status} after {attempt + 1} attempts",
                    exchange.status,
                )
            attempt += 1
            log.debug("retry_status", url=str(url), status=exchange.status, attempt=attempt, delay=delay)
            self.scheduler.push_back(host, delay)

    # ------------------------------------------------------------------ one HTTP exchange

    async def _exchange(
        self, url: httpx.URL, *, timing: _Timing, extra_headers: dict[str, str], body_cap: int, truncate: bool
    ) -> _Exchange:
        assert self._client is not None, "use `async with Fetcher(...)`"
        s = self.settings
        host = _ascii_host(url)
        port = url.port or _default_port(url.scheme)
        try:
            vetted = await vet_host(host, port, resolver=self._resolver, allow_private=s.allow_private_addresses)
        except BlockedAddress as exc:
            raise _Failure("blocked_address", exc.detail) from exc
        except ResolveError as exc:
            raise _Failure("dns_error", str(exc)) from exc
        async with self.scheduler.slot(host):
            if self._pinned is not None:
                self._pinned.pin(host, vetted.address)
            started = time.monotonic()
            try:
                async with asyncio.timeout(s.total_timeout):
                    return await self._send(url, extra_headers=extra_headers, body_cap=body_cap, truncate=truncate)
            except TimeoutError as exc:
                raise _Failure("timeout", f"no complete response within total_timeout={s.total_timeout}s") from exc
            except httpx.TimeoutException as exc:
                raise _Failure("timeout", f"{type(exc).__name__}: {exc}") from exc
            except httpx.ConnectError as exc:
                raise _Failure("connect_error", f"{type(exc).__name__}: {exc}") from exc
            except httpx.UnsupportedProtocol as exc:
                raise _Failure("bad_scheme", str(exc)) from exc
            except (httpx.InvalidURL, httpx.LocalProtocolError) as exc:
                raise _Failure("bad_url", f"{type(exc).__name__}: {exc}") from exc
            except httpx.TransportError as exc:
                raise _Failure("network_error", f"{type(exc).__name__}: {exc}") from exc
            finally:
                timing.network_s += time.monotonic() - started

    async def _send(self, url: httpx.URL, *, extra_headers: dict[str, str], body_cap: int, truncate: bool) -> _Exchange:
        assert self._client is not None
        request = self._client.build_request("GET", url, headers=extra_headers)
        # Straight to the transport: no cookie jar, and no redirect pre-processing (httpx's client
        # builds the next request of a 3xx even when not following it, and chokes on javascript:).
        response = await self._transport.handle_async_request(request)
        response.request = request
        try:
            headers = _flatten_headers(response.headers)
            exchange = _Exchange(url=str(url), status=response.status_code, headers=headers)
            if not 200 <= response.status_code < 300:
                return exchange  # error/redirect bodies are not read
            try:
                decoder = decoder_for(headers.get("content-encoding"))
            except UnsupportedEncoding as exc:
                raise _Failure("unsupported_encoding", f"Content-Encoding {exc}", response.status_code) from exc
            declared = headers.get("content-length", "")
            if not truncate and declared.isdigit() and int(declared) > body_cap and decoder_is_identity(headers):
                raise _Failure(
                    "body_too_large",
                    f"Content-Length {declared} exceeds max_body_bytes={body_cap}",
                    response.status_code,
                )
            buf = bytearray()
            try:
                async for raw in response.aiter_raw():
                    for piece in decoder.feed(raw):
                        buf += piece
                        if len(buf) > body_cap:
                            if truncate:
                                exchange.body = bytes(buf[:body_cap])
                                exchange.truncated = True
                                return exchange
                            raise _Failure(
                                "body_too_large",
                                f"body exceeds max_body_bytes={body_cap} (after decompression)",
                                response.status_code,
                            )
                for piece in decoder.flush():
                    buf += piece
                    if len(buf) > body_cap and not truncate:
                        raise _Failure("body_too_large", f"body exceeds {body_cap} bytes", response.status_code)
            except DecodeError as exc:
                raise _Failure("decode_error", str(exc), response.status_code) from exc
            exchange.body = bytes(buf[:body_cap])
            return exchange
        finally:
            await response.aclose()
