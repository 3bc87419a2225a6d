"""Find the feeds of a site from its homepage.

Order, stopping at the first step that yields verified feeds (to keep requests few):

1. the URL itself is a feed;
2. ``<link rel="alternate" type="application/rss+xml|atom+xml|feed+json">`` in the homepage;
3. common feed paths (``/feed``, ``/rss.xml``, ...);
4. sitemaps: ``Sitemap:`` lines of robots.txt, then ``/news-sitemap.xml``, ``/sitemap.xml``, ...

Every candidate is fetched and parsed; only those that parse with at least one item count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from globewire.log import get_logger
from globewire.records import Feed
from globewire.sources.catalogue import feed_key

if TYPE_CHECKING:
    from globewire.fetch import Fetcher

log = get_logger(__name__)

FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml",
     "application/json+feed"}
)
COMMON_FEED_PATHS = (
    "/feed", "/feed/", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml", "/feeds/posts/default",
    "/feeds/all.atom.xml", "/rss/index.xml",
)
COMMON_SITEMAP_PATHS = ("/news-sitemap.xml", "/sitemap_news.xml", "/sitemap-news.xml", "/sitemap.xml")
# At most this many feeds are kept from one site: homepages of big outlets declare dozens of
# section feeds; the first few (as declared) cover the front page and the main sections.
MAX_FEEDS = 5
MAX_LINK_CANDIDATES = 10
# Homepage errors after which guessing other URLs on the same host is pointless (or, for
# robots_disallowed, unwelcome: a site that bars its homepage to crawlers is not added).
UNREACHABLE = frozenset(
    {"bad_url", "bad_scheme", "blocked_address", "dns_error", "connect_error", "network_error", "robots_disallowed"}
)  # <link> candidates verified at most (each costs one polite request)


@dataclass
class DiscoveryLog:
    """What was tried; filled by :func:`discover_feeds` when passed in (the CLI prints it)."""

    tried: list[str] = field(default_factory=list)
    homepage_error: str | None = None
    final_homepage: str | None = None
    html_lang: str | None = None  # <html lang> of the homepage
    site_name: str | None = None  # og:site_name, else <title>


def page_facts(html: bytes | str) -> tuple[str | None, str | None]:
    """(``<html lang>``, site name from og:site_name or <title>) of a page."""
    import lxml.html

    try:
        doc = lxml.html.fromstring(html)
    except (ValueError, TypeError, lxml.etree.ParserError):  # type: ignore[attr-defined]
        return None, None
    lang = None
    for el in doc.xpath("//html[@lang]") or ([doc] if doc.get("lang") else []):
        lang = (el.get("lang") or "").strip() or None
        break
    name = None
    for m in doc.xpath("//meta[@property='og:site_name'][@content]"):
        name = m.get("content", "").strip() or None
        break
    if not name:
        titles = doc.xpath("//title/text()")
        if titles:
            name = " ".join(titles[0].split()) or None
    return lang, name


def feed_links(html: bytes | str, base_url: str) -> list[str]:
    """Feed URLs declared with ``<link rel="alternate" type=...>`` in an HTML page, resolved."""
    import lxml.html

    try:
        doc = lxml.html.fromstring(html)
    except (ValueError, TypeError, lxml.etree.ParserError):  # type: ignore[attr-defined]
        return []
    base = base_url
    for b in doc.xpath("//base[@href]"):
        base = urljoin(base_url, b.get("href", "").strip())
        break
    out: list[str] = []
    for link in doc.xpath("//link[@href]"):
        rels = (link.get("rel") or "").lower().split()
        typ = (link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rels and typ in FEED_TYPES:
            url = urljoin(base, link.get("href", "").strip())
            if urlsplit(url).scheme in ("http", "https") and url not in out:
                out.append(url)
    return out


def robots_sitemaps(text: str, base_url: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip():
            url = urljoin(base_url, value.strip())
            if urlsplit(url).scheme in ("http", "https") and url not in out:
                out.append(url)
    return out


async def _is_feed(fetcher: Fetcher, url: str, body: bytes | None = None, final_url: str | None = None) -> str | None:
    """The URL to store if ``url`` is a feed with items (the final URL after redirects), else None."""
    from globewire.feeds import FeedError, parse_feed

    if body is None:
        r = await fetcher.fetch(url, kind="feed")
        if not r.ok:
            return None
        body, final_url = r.body, r.final_url
    try:
        items = parse_feed(body, feed_url=final_url or url, outlet_id="")
    except FeedError:
        return None
    return (final_url or url) if items else None


async def _is_sitemap(fetcher: Fetcher, url: str) -> str | None:
    from globewire.feeds import FeedError, parse_sitemap

    r = await fetcher.fetch(url, kind="sitemap")
    if not r.ok:
        return None
    try:
        items, children = parse_sitemap(r.body, sitemap_url=r.final_url or url, outlet_id="")
    except FeedError:
        return None
    return (r.final_url or url) if (items or children) else None


async def discover_feeds(homepage_url: str, fetcher: Fetcher, report: DiscoveryLog | None = None) -> list[Feed]:
    """Verified feeds of the site at ``homepage_url`` (empty when none is found)."""
    report = report if report is not None else DiscoveryLog()
    found: list[Feed] = []
    seen: set[str] = set()

    def add(url: str, kind: str = "rss", section: str = "") -> None:
        k = feed_key(url)
        if k not in seen and len(found) < MAX_FEEDS:
            seen.add(k)
            found.append(Feed(url=url, section=section, kind=kind))  # type: ignore[arg-type]

    report.tried.append(homepage_url)
    home = await fetcher.fetch(homepage_url, kind="page")
    base = homepage_url
    if home.ok:
        base = home.final_url or homepage_url
        report.final_homepage = base
        ctype = home.headers.get("content-type", "").lower()
        # 1. the URL is itself a feed
        if "html" not in ctype:
            direct = await _is_feed(fetcher, homepage_url, home.body, base)
            if direct:
                add(direct)
                return found
        report.html_lang, report.site_name = page_facts(home.body)
        # 2. declared feeds
        for url in feed_links(home.body, base)[:MAX_LINK_CANDIDATES]:
            report.tried.append(url)
            ok = await _is_feed(fetcher, url)
            if ok:
                add(ok)
        if found:
            log.info("discover.found", homepage=homepage_url, how="link", feeds=len(found))
            return found
    else:
        report.homepage_error = home.error or f"HTTP {home.status}"
        if home.error_detail:
            report.homepage_error += f": {home.error_detail}"
        if home.error in UNREACHABLE:
            log.info("discover.unreachable", homepage=homepage_url, error=home.error)
            return found
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
    # 3. common paths
    for path in COMMON_FEED_PATHS:
        url = origin + path
        report.tried.append(url)
        ok = await _is_feed(fetcher, url)
        if ok:
            add(ok)
            break  # /feed and /feed/ etc. are usually the same feed
    if found:
        log.info("discover.found", homepage=homepage_url, how="path", feeds=len(found))
        return found
    # 4. sitemaps
    candidates: list[str] = []
    robots_url = origin + "/robots.txt"
    report.tried.append(robots_url)
    rr = await fetcher.fetch(robots_url, kind="robots")
    if rr.ok:
        candidates.extend(robots_sitemaps(rr.body.decode("utf-8", "replace"), origin))
    # News sitemaps first: they list the recent articles the crawler wants.
    candidates.sort(key=lambda u: 0 if "news" in u.lower() else 1)
    for path in COMMON_SITEMAP_PATHS:
        if origin + path not in candidates:
            candidates.append(origin + path)
    for url in candidates:
        report.tried.append(url)
        ok = await _is_sitemap(fetcher, url)
        if ok:
            add(ok, kind="sitemap", section="sitemap")
            break
    log.info("discover.found", homepage=homepage_url, how="sitemap" if found else "none", feeds=len(found))
    return found
