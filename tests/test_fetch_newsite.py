"""The synthetic news site end to end through the real Fetcher and the feed/sitemap parsers."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Iterator

import pytest

from globewire.feeds import parse_feed, parse_sitemap
from globewire.fetch import Fetcher
from globewire.records import FeedItem, FetchResult
from tests.sites.newsite import SPECS, NewsSite


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with NewsSite(virtual_hosts=True) as s:
        yield s


def _words(text: str, lang: str) -> int:
    # Japanese has no spaces: count two characters as one word (a rough but stable convention)
    return len(text) // 2 if lang == "ja" else len(re.findall(r"\w+", text))


def test_site_shape(site: NewsSite) -> None:
    assert [o.id for o in site.outlets] == [s.id for s in SPECS]
    assert {o.country for o in site.outlets} == {"GB", "US", "DE", "ES", "JP"}
    for o in site.outlets:
        assert o.homepage.startswith(f"http://{o.id}.test:") and {f.kind for f in o.feeds} == {"rss", "sitemap"}
    for a in site.articles:
        if not a.disallowed:
            assert 150 <= _words(a.text, a.language) <= 400, (a.outlet_id, a.story, _words(a.text, a.language))
    wire = [a for a in site.articles if a.wire]
    assert {a.outlet_id for a in wire} == {"northgate-herald", "lakeshore-courier"} and wire[0].text == wire[1].text
    assert {a.country for a in site.story("rhine-low-water")} == {"GB", "DE", "ES", "JP"}
    assert len(site.story("ocean-treaty")) == 5


def test_crawl_whole_site(site: NewsSite) -> None:
    results: list[FetchResult] = []

    async def crawl() -> tuple[dict[str, list[FeedItem]], dict[str, FetchResult]]:
        items: dict[str, list[FeedItem]] = {}
        pages: dict[str, FetchResult] = {}
        async with Fetcher(site.fetch_settings(), resolver=site.resolver, on_result=results.append) as f:

            async def outlet(o_id: str) -> None:
                o = site.outlet(o_id)
                found: list[FeedItem] = []
                for feed in o.feeds:
                    queue = [feed.url]
                    while queue:
                        url = queue.pop()
                        r = await f.fetch(url, kind=feed.kind)
                        assert r.ok, (url, r.error, r.error_detail)
                        if feed.kind == "rss":
                            found += parse_feed(r.body, feed_url=url, outlet_id=o_id, headers=r.headers)
                        else:
                            its, children = parse_sitemap(r.body, sitemap_url=url, outlet_id=o_id)
                            found += its
                            queue += children
                items[o_id] = found
                for u in sorted({i.url for i in found}):
                    pages[u] = await f.fetch(u)

            await asyncio.gather(*(outlet(o.id) for o in site.outlets))
        return items, pages

    items, pages = asyncio.run(crawl())
    expected = {a.url for a in site.articles}
    assert set(pages) == expected  # every article found through feeds/sitemaps, relative links resolved
    for a in site.articles:
        r = pages[a.url]
        if a.disallowed:
            assert r.error == "robots_disallowed"
        else:
            assert r.ok and f'<html lang="{a.language}">' in r.body.decode()
            assert html.escape(a.paragraphs[0])[:40] in r.body.decode()
    # the Spanish outlet's news comes through its sitemap index; titles and languages come from news: tags
    es = [i for i in items["el-faro-sur"] if i.feed_url.endswith("/sitemap-news.xml")]
    assert len(es) == 3 and all(i.language == "es" and i.title and i.published_at for i in es)
    # robots.txt fetched once per outlet, and reported through on_result like everything else
    for o in site.outlets:
        assert len([r for r in site.requests(o.id) if r.path == "/robots.txt"]) == 1
    assert sum(r.url.endswith("/robots.txt") for r in results) == 5
    disallowed = site.article("northgate-herald", "gb-premium")
    assert not [r for r in site.requests("northgate-herald") if r.path == disallowed.path]


def test_updated_article_and_conditional_feed() -> None:
    with NewsSite() as site:
        art = site.article("northgate-herald", "gb-night-buses")
        feed = site.outlet("northgate-herald").feeds[0].url

        async def go() -> tuple[FetchResult, FetchResult, FetchResult, FetchResult]:
            async with Fetcher(site.fetch_settings()) as f:
                first = await f.fetch(art.url)
                second = await f.fetch(art.url, etag=first.headers["etag"])
                feed1 = await f.fetch(feed)
                feed2 = await f.fetch(feed, etag=feed1.headers["etag"])
                return first, second, feed1, feed2

        first, second, feed1, feed2 = asyncio.run(go())
        assert first.ok and second.ok and first.headers["etag"] != second.headers["etag"]
        assert "fourth route" not in first.body.decode() and "fourth route" in second.body.decode()
        assert art.updated_text is not None and "fourth route" in art.updated_text
        assert feed1.ok and feed2.not_modified
