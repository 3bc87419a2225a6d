"""Fetcher against the real loopback server: politeness, robots, conditional GET, retries, redirects,
timeouts, body caps and the SSRF guard."""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import httpx
import pytest

from globewire.fetch import Fetcher, FetchSettings, parse_retry_after
from globewire.fetch.safety import ResolveError
from globewire.records import FetchResult
from tests.sites.server import (
    LoopbackServer,
    Response,
    binary_body,
    bomb,
    bomb_payload,
    compressed,
    empty_page,
    fail_then,
    http_date,
    huge_body,
    redirect,
    slow_loris,
    static,
    wrong_charset,
)

T = TypeVar("T")


def run(coro: Awaitable[T]) -> T:
    return asyncio.run(coro)  # type: ignore[arg-type]


async def loop_resolver(host: str, port: int) -> list[str]:
    if host.endswith(".test") or host == "localhost":
        return ["127.0.0.1"]
    raise ResolveError(host)


def settings(**kw: Any) -> FetchSettings:
    base: dict[str, Any] = dict(
        min_host_delay=0.0,
        allow_private_addresses=True,
        connect_timeout=2.0,
        read_timeout=3.0,
        total_timeout=6.0,
        backoff_base=0.1,
        max_retries=2,
        respect_robots=False,
    )
    base.update(kw)
    return FetchSettings(**base)


@pytest.fixture
def srv() -> Iterator[LoopbackServer]:
    with LoopbackServer() as s:
        yield s


def fetch_all(
    s: FetchSettings, urls: list[str], *, results: list[FetchResult] | None = None, **kw: Any
) -> list[FetchResult]:
    async def go() -> list[FetchResult]:
        async with Fetcher(s, resolver=loop_resolver, on_result=results.append if results is not None else None) as f:
            return list(await asyncio.gather(*(f.fetch(u, **kw) for u in urls)))

    return run(go())


def fetch_one(s: FetchSettings, url: str, **kw: Any) -> FetchResult:
    return fetch_all(s, [url], **kw)[0]


# ---------------------------------------------------------------- basics


def test_ok_headers_and_user_agent(srv: LoopbackServer) -> None:
    srv.route("/a", Response(body=b"<p>hello</p>", headers={"X-Thing": "1"}))
    r = fetch_one(settings(contact_url="https://ops.example/contact"), srv.url("/a"))
    assert r.ok and r.body == b"<p>hello</p>" and r.status == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8" and r.headers["x-thing"] == "1"
    assert all(k == k.lower() for k in r.headers)
    ua = srv.hits("/a")[0].headers["user-agent"]
    assert ua == "globewire/0.1 (+https://ops.example/contact)"
    assert "gzip" in srv.hits("/a")[0].headers["accept-encoding"]
    assert r.elapsed_ms > 0


def test_international_host_name(srv: LoopbackServer) -> None:
    srv.route("/idn", static("hallo"))
    r = fetch_one(settings(), f"http://bücher.test:{srv.port}/idn")
    assert r.ok and r.body == b"hallo"
    assert srv.hits("/idn")[0].host == "xn--bcher-kva.test"


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "zstd"])
def test_compressed_bodies_are_decoded(srv: LoopbackServer, encoding: str) -> None:
    text = ("<p>Die Pegelstände am Rhein fallen weiter.</p>" * 500).encode()
    srv.route("/c", compressed(text, encoding))
    r = fetch_one(settings(), srv.url("/c"))
    assert r.ok and r.body == text


def test_binary_wrong_charset_and_empty_bodies_pass_through(srv: LoopbackServer) -> None:
    b = binary_body(100_000)
    srv.route("/bin", b)
    srv.route("/latin", wrong_charset())
    srv.route("/empty", empty_page())
    rb, rl, re_ = fetch_all(settings(), [srv.url("/bin"), srv.url("/latin"), srv.url("/empty")])
    assert rb.ok and rb.body == b.body and rb.headers["content-type"] == "application/octet-stream"
    assert rl.ok and "São Paulo".encode() in rl.body and "iso-8859-1" in rl.headers["content-type"]
    assert re_.ok and re_.body == b""


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/x", "bad_scheme"),
        ("file:///etc/passwd", "bad_scheme"),
        ("javascript:alert(1)", "bad_scheme"),
        ("data:text/html,hi", "bad_scheme"),
        ("not a url", "bad_scheme"),
        ("http://", "bad_url"),
        ("http://nowhere.invalid/", "dns_error"),
    ],
)
def test_bad_urls(url: str, reason: str) -> None:
    r = fetch_one(settings(), url)
    assert r.error == reason and r.body == b"" and r.error_detail


def test_http_error_status(srv: LoopbackServer) -> None:
    r = fetch_one(settings(), srv.url("/missing"))
    assert r.error == "http_error" and r.status == 404 and r.body == b""


# ---------------------------------------------------------------- politeness


def test_same_host_serialised_with_min_delay_and_hosts_in_parallel(srv: LoopbackServer) -> None:
    delay = 0.6
    srv.route("/p", Response(body=b"x" * 100))
    port = srv.port
    urls = [f"http://site-a.test:{port}/p?{i}" for i in range(3)] + [
        f"http://site-b.test:{port}/p?{i}" for i in range(3)
    ]
    t0 = time.monotonic()
    results = fetch_all(settings(min_host_delay=delay), urls)
    wall = time.monotonic() - t0
    assert all(r.ok for r in results)
    for host in ("site-a.test", "site-b.test"):
        times = sorted(r.at for r in srv.hits("/p", host))
        assert len(times) == 3
        gaps = [b - a for a, b in zip(times, times[1:])]
        assert min(gaps) >= delay - 0.02, gaps
    # the two hosts ran side by side, not one after the other
    first_a = min(r.at for r in srv.hits("/p", "site-a.test"))
    first_b = min(r.at for r in srv.hits("/p", "site-b.test"))
    assert abs(first_a - first_b) < delay / 2
    assert wall < 3 * delay  # side by side: ~2 delays; one host after the other: >= 4 delays


def test_one_connection_per_host(srv: LoopbackServer) -> None:
    """Slow responses on one host never overlap: the next request starts after the previous ended."""
    import threading

    active = 0
    peak = 0
    lock = threading.Lock()

    def slow(req: Any) -> Response:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.2)
        with lock:
            active -= 1
        return Response(body=b"ok")

    srv.route("/slow", slow)
    results = fetch_all(settings(max_concurrency=8), [srv.url(f"/slow?{i}") for i in range(4)])
    assert all(r.ok for r in results) and peak == 1


def test_max_concurrency_bounds_hosts(srv: LoopbackServer) -> None:
    import threading

    active = 0
    peak = 0
    lock = threading.Lock()

    def slow(req: Any) -> Response:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.3)
        with lock:
            active -= 1
        return Response(body=b"ok")

    srv.route("/slow", slow)
    urls = [f"http://h{i}.test:{srv.port}/slow" for i in range(5)]
    results = fetch_all(settings(max_concurrency=2), urls)
    assert all(r.ok for r in results) and peak == 2


# ---------------------------------------------------------------- robots.txt


ROBOTS = "User-agent: *\nDisallow: /private/\n\nUser-agent: globewire\nDisallow: /no-globewire/\nCrawl-delay: 0.7\n"


def test_robots_disallow_fetched_once_and_reported(srv: LoopbackServer) -> None:
    srv.route("/robots.txt", static(ROBOTS, "text/plain"))
    srv.route("/news/*", static("article"))
    srv.route("/no-globewire/x", static("secret"))
    srv.route("/private/x", static("private"))
    results: list[FetchResult] = []
    urls = [srv.url("/news/1"), srv.url("/news/2"), srv.url("/no-globewire/x"), srv.url("/private/x")]
    out = fetch_all(settings(respect_robots=True), urls, results=results)
    assert [r.error for r in out] == [None, None, "robots_disallowed", None]
    assert len(srv.hits("/robots.txt")) == 1
    assert srv.hits("/no-globewire/x") == []
    # the robots fetch itself went through on_result, as did every page, refused ones included
    assert sorted(r.url.rsplit("/", 1)[-1] for r in results) == ["1", "2", "robots.txt", "x", "x"]
    # Crawl-delay 0.7 (> min_host_delay 0) spaces the requests out
    times = sorted(r.at for r in srv.requests)
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.7 - 0.02


def test_robots_4xx_allows_5xx_disallows(srv: LoopbackServer) -> None:
    srv.route("/robots.txt", Response(status=404, body=b"nope"), host="gone.test")
    srv.route("/robots.txt", Response(status=503, body=b"down"), host="down.test")
    srv.route("/page", static("p"))
    port = srv.port
    a, b = fetch_all(
        settings(respect_robots=True, max_retries=0),
        [f"http://gone.test:{port}/page", f"http://down.test:{port}/page"],
    )
    assert a.ok
    assert b.error == "robots_disallowed" and "503" in b.error_detail
    assert srv.hits("/page", "down.test") == []


def test_robots_unreachable_disallows_and_names_the_network_error() -> None:
    with LoopbackServer() as tmp:
        port = tmp.port  # a port nobody listens on once the server stops
    r = fetch_one(settings(respect_robots=True, max_retries=0), f"http://127.0.0.1:{port}/x")
    # The page is not fetched (RFC 9309: unreachable robots.txt = disallow), and the reason says why.
    assert r.error == "connect_error" and "robots.txt unreachable" in r.error_detail


def test_robots_body_capped_but_parsed(srv: LoopbackServer) -> None:
    big = "User-agent: *\nDisallow: /blocked\n" + ("# padding line\n" * 60_000)  # ~900 KB
    srv.route("/robots.txt", static(big, "text/plain"))
    srv.route("/blocked", static("no"))
    srv.route("/open", static("yes"))
    a, b = fetch_all(settings(respect_robots=True), [srv.url("/blocked"), srv.url("/open")])
    assert a.error == "robots_disallowed" and b.ok


def test_robots_cache_expires_and_sitemaps_listed(srv: LoopbackServer) -> None:
    srv.route("/robots.txt", static(f"User-agent: *\nDisallow: /x\nSitemap: {srv.url('/news.xml')}\n", "text/plain"))
    srv.route("/a", static("a"))

    async def go() -> list[str]:
        async with Fetcher(settings(respect_robots=True, robots_cache_seconds=0.3), resolver=loop_resolver) as f:
            assert (await f.fetch(srv.url("/a"))).ok
            assert (await f.fetch(srv.url("/a"))).ok
            await asyncio.sleep(0.4)
            assert (await f.fetch(srv.url("/a"))).ok
            return await f.robots_sitemaps(srv.url("/anything"))

    assert run(go()) == [srv.url("/news.xml")]
    assert len(srv.hits("/robots.txt")) == 2


# ---------------------------------------------------------------- conditional GET


def test_conditional_get_etag_and_last_modified(srv: LoopbackServer) -> None:
    lm = http_date(time.time() - 3600)
    srv.route("/feed", Response(body=b"<rss/>", etag='"v7"', last_modified=lm, content_type="application/rss+xml"))
    first = fetch_one(settings(), srv.url("/feed"))
    assert first.ok and first.headers["etag"] == '"v7"'
    second = fetch_one(settings(), srv.url("/feed"), etag='"v7"')
    assert second.not_modified and second.status == 304 and second.error is None and second.body == b""
    assert srv.hits("/feed")[1].headers["if-none-match"] == '"v7"'
    third = fetch_one(settings(), srv.url("/feed"), last_modified=lm)
    assert third.not_modified and srv.hits("/feed")[2].headers["if-modified-since"] == lm
    changed = fetch_one(settings(), srv.url("/feed"), etag='"v6"')
    assert changed.ok and changed.body == b"<rss/>"


# ---------------------------------------------------------------- retries


def test_429_retry_after_seconds_honoured(srv: LoopbackServer) -> None:
    srv.route("/r", fail_then(1, Response(status=429, headers={"Retry-After": "1"}), static("fine")))
    r = fetch_one(settings(), srv.url("/r"))
    assert r.ok and r.body == b"fine"
    hits = srv.hits("/r")
    assert len(hits) == 2 and hits[1].at - hits[0].at >= 1.0 - 0.02


def test_503_retry_after_http_date(srv: LoopbackServer) -> None:
    # The contract: no retry before the date the server gave. (Not "a second after the first try": the date is
    # set when the route is, and a loaded machine may take a while to send the first request.)
    due = int(time.time()) + 2  # a whole second: what an HTTP date can say
    srv.route("/r", fail_then(1, Response(status=503, headers={"Retry-After": http_date(due)}), static("ok")))
    wall = time.time() - time.monotonic()  # the server stamps hits with the monotonic clock
    r = fetch_one(settings(), srv.url("/r"))
    hits = srv.hits("/r")
    assert r.ok and len(hits) == 2 and hits[1].at + wall >= due - 0.05


def test_backoff_then_give_up(srv: LoopbackServer) -> None:
    srv.route("/busy", Response(status=429))
    srv.route("/down", Response(status=503))
    t0 = time.monotonic()
    busy, down = fetch_all(
        settings(max_retries=2, backoff_base=0.2), [srv.url("/busy"), f"http://other.test:{srv.port}/down"]
    )
    assert busy.error == "rate_limited" and busy.status == 429
    assert down.error == "http_error" and down.status == 503
    assert len(srv.hits("/busy")) == 3 and len(srv.hits("/down")) == 3
    gaps = [b.at - a.at for a, b in zip(srv.hits("/busy"), srv.hits("/busy")[1:])]
    assert gaps[0] >= 0.2 - 0.02 and gaps[1] >= 0.4 - 0.02  # exponential
    assert time.monotonic() - t0 < 3


def test_retry_after_too_long_gives_up_and_cools_host_down(srv: LoopbackServer) -> None:
    srv.route("/r", Response(status=429, headers={"Retry-After": "3600"}))
    srv.route("/other", static("x"))

    async def go() -> tuple[FetchResult, FetchResult]:
        async with Fetcher(settings(max_retry_after=10), resolver=loop_resolver) as f:
            a = await f.fetch(srv.url("/r"))
            b = await f.fetch(srv.url("/other"))
            return a, b

    a, b = run(go())
    assert a.error == "rate_limited" and "3600" in a.error_detail
    assert b.error == "rate_limited" and srv.hits("/other") == []
    assert len(srv.hits("/r")) == 1


def test_connect_errors_retried_with_backoff() -> None:
    with LoopbackServer() as tmp:
        port = tmp.port
    t0 = time.monotonic()
    r = fetch_one(settings(max_retries=2, backoff_base=0.2), f"http://127.0.0.1:{port}/")
    assert r.error == "connect_error"
    assert time.monotonic() - t0 >= 0.2 + 0.4 - 0.05


def test_parse_retry_after() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(http_date(now + 30), now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after(http_date(now - 30), now=now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None and parse_retry_after("-5") is None


# ---------------------------------------------------------------- timeouts


def test_slow_loris_hits_total_deadline(srv: LoopbackServer) -> None:
    srv.route("/drip", slow_loris(interval=0.5))
    t0 = time.monotonic()
    r = fetch_one(settings(read_timeout=2.0, total_timeout=2.0, max_retries=0), srv.url("/drip"))
    took = time.monotonic() - t0
    assert r.error == "timeout" and r.body == b"" and "total" in r.error_detail
    assert 1.9 <= took < 3.5


def test_read_timeout(srv: LoopbackServer) -> None:
    def stall(req: Any) -> Response:
        time.sleep(2.0)
        return static("late")

    srv.route("/stall", stall)
    t0 = time.monotonic()
    r = fetch_one(settings(read_timeout=0.5, total_timeout=10), srv.url("/stall"))
    assert r.error == "timeout" and time.monotonic() - t0 < 1.8


# ---------------------------------------------------------------- redirects


def test_redirect_chain_followed(srv: LoopbackServer) -> None:
    srv.route("/r1", redirect("/r2", 301))
    srv.route("/r2", redirect(f"http://site-b.test:{srv.port}/r3", 307))
    srv.route("/r3", redirect("/final?x=1", 308))
    srv.route("/final", static("done"))
    r = fetch_one(settings(), srv.url("/r1"))
    assert r.ok and r.body == b"done"
    assert r.final_url == f"http://site-b.test:{srv.port}/final?x=1" and r.url == srv.url("/r1")


def test_too_many_redirects_and_loops(srv: LoopbackServer) -> None:
    for i in range(6):
        srv.route(f"/c{i}", redirect(f"/c{i + 1}"))
    srv.route("/c6", static("end"))
    srv.route("/loop-a", redirect("/loop-b"))
    srv.route("/loop-b", redirect("/loop-a"))
    srv.route("/self", redirect("/self"))
    chain, loop, self_loop = fetch_all(
        settings(max_redirects=3), [srv.url("/c0"), srv.url("/loop-a"), srv.url("/self")]
    )
    assert chain.error == "too_many_redirects"
    assert loop.error == "redirect_loop" and self_loop.error == "redirect_loop"
    assert srv.hits("/c4") == []  # c0 -> c1 -> c2 -> c3 followed, c3's redirect refused


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "ftp://example.org/", "javascript:alert(1)", "data:text/html;base64,PHA+"]
)
def test_redirect_to_bad_scheme(srv: LoopbackServer, target: str) -> None:
    srv.route("/go", redirect(target))
    r = fetch_one(settings(), srv.url("/go"))
    assert r.error == "bad_scheme"


def test_private_addresses_blocked_before_any_connection(srv: LoopbackServer) -> None:
    srv.route("/", static("hi"))
    s = settings(allow_private_addresses=False)
    urls = [
        srv.url("/"),
        srv.url("/", host="localhost"),
        f"http://2130706433:{srv.port}/",
        f"http://0x7f.1:{srv.port}/",
        f"http://[::1]:{srv.port}/",
        f"http://site-a.test:{srv.port}/",
    ]
    results = fetch_all(s, urls)
    assert [r.error for r in results] == ["blocked_address"] * len(urls)
    assert srv.requests == []


def test_redirect_to_metadata_ip_refused_before_connecting() -> None:
    """A public site (served by an in-memory transport: no packet leaves the machine) redirects to the
    cloud metadata address; the hop is vetted again and refused without sending a request."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.host == "news.example":
            return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
        if request.url.host == "rebind.example":
            return httpx.Response(301, headers={"Location": "http://internal.example/admin"})
        return httpx.Response(200, text="secret")

    async def resolver(host: str, port: int) -> list[str]:
        return {
            "news.example": ["93.184.216.34"],
            "rebind.example": ["93.184.216.34"],
            "internal.example": ["10.0.0.7"],
        }[host]

    async def go() -> list[FetchResult]:
        async with Fetcher(
            settings(allow_private_addresses=False), transport=httpx.MockTransport(handler), resolver=resolver
        ) as f:
            return [await f.fetch("http://news.example/story"), await f.fetch("http://rebind.example/x")]

    a, b = run(go())
    assert a.error == "blocked_address" and "169.254.169.254" in a.error_detail
    assert b.error == "blocked_address" and "10.0.0.7" in b.error_detail
    assert seen == ["http://news.example/story", "http://rebind.example/x"]


# ---------------------------------------------------------------- body caps


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "zstd"])
def test_compression_bombs_capped(srv: LoopbackServer, encoding: str) -> None:
    size = 64 << 20
    srv.route("/bomb", bomb(encoding, size))
    assert len(bomb_payload(encoding, size)) < 1 << 20  # small on the wire
    cap = 1 << 20
    tracemalloc.start()
    try:
        t0 = time.monotonic()
        r = fetch_one(settings(max_body_bytes=cap), srv.url("/bomb"))
        took = time.monotonic() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.error == "body_too_large" and r.body == b""
    assert took < 5
    assert peak < cap + (8 << 20), peak  # never anywhere near the 64 MiB the bomb expands to


def test_declared_length_over_cap_refused_early(srv: LoopbackServer) -> None:
    srv.route("/big", static(b"x" * 3_000_000))
    r = fetch_one(settings(max_body_bytes=1_000_000), srv.url("/big"))
    assert r.error == "body_too_large" and "Content-Length" in r.error_detail


def test_50mb_body(srv: LoopbackServer) -> None:
    srv.route("/huge", huge_body(50 * 1024 * 1024))
    r = fetch_one(settings(max_body_bytes=10_000_000), srv.url("/huge"))
    assert r.error == "body_too_large"
    big = fetch_one(settings(max_body_bytes=60 * 1024 * 1024, total_timeout=30), srv.url("/huge"))
    assert big.ok and len(big.body) == 50 * 1024 * 1024


def test_on_result_sees_failures(srv: LoopbackServer) -> None:
    srv.route("/ok", static("x"))
    results: list[FetchResult] = []
    fetch_all(settings(), [srv.url("/ok"), srv.url("/404"), "ftp://x/"], results=results)
    assert sorted((r.status, r.error) for r in results if r.status) == [(200, None), (404, "http_error")]
    assert [r.error for r in results if r.status is None] == ["bad_scheme"]


def test_callback_type() -> None:
    cb: Callable[[FetchResult], None] = lambda r: None  # noqa: E731
    assert Fetcher(settings(), on_result=cb).user_agent.startswith("globewire/")
