"""Feed and sitemap parsing, hostile inputs, and the feedparser robustness corpus from ../shared."""

from __future__ import annotations

import collections
import datetime as dt
import gzip
import json
import signal
import time
from pathlib import Path

import pytest

from globewire.feeds import (
    MAX_ITEMS_PER_FEED,
    FeedError,
    parse_feed,
    parse_feed_result,
    parse_sitemap,
    parse_w3c_datetime,
)

UTC = dt.timezone.utc
FEED_URL = "https://news.example/feeds/world.xml"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>World</title><link>https://news.example/</link><language>en-GB</language>
<item><title>Harbour &amp; port strike enters third day</title>
  <link>/world/2024/05/02/port-strike?utm_source=rss&amp;id=7#comments</link>
  <guid isPermaLink="false">news-example-7781</guid>
  <pubDate>Thu, 02 May 2024 09:30:00 +0200</pubDate>
  <description>&lt;p&gt;Dock workers &lt;b&gt;walked out&lt;/b&gt; again.&lt;/p&gt;</description></item>
<item><title>Mail us</title><link>mailto:desk@news.example</link></item>
<item><title>Second</title><link>HTTPS://News.Example:443/world/second</link>
  <guid>https://news.example/world/second?utm_medium=feed</guid></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">
<title>Nachrichten</title><id>urn:x</id><updated>2024-05-02T10:00:00Z</updated>
<entry><title>Rhein-Pegel fällt weiter</title><id>tag:rheinblick.example,2024:991</id>
 <link rel="alternate" href="https://rheinblick.example/wirtschaft/rhein-pegel"/>
 <published>2024-05-02T08:15:00+02:00</published><updated>2024-05-02T09:00:00+02:00</updated>
 <summary>Binnenschiffer laden weniger.</summary></entry>
</feed>""".encode()

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://elfaro.example/"><title>El Faro</title><link>https://elfaro.example/</link></channel>
<item rdf:about="https://elfaro.example/a/1"><title>Uno</title><link>https://elfaro.example/a/1</link>
<dc:date>2024-05-01T12:00:00Z</dc:date><dc:language>es</dc:language></item>
</rdf:RDF>"""

JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Minato",
        "language": "ja",
        "items": [
            {
                "id": "1",
                "url": "https://minato.example/n/1",
                "title": "港の話",
                "date_published": "2024-05-02T18:00:00+09:00",
                "content_text": "本文",
            },
            {"id": "2", "title": "no link"},
            {"id": "https://minato.example/n/3", "title": "id is the link"},
        ],
    }
).encode()


def test_rss() -> None:
    res = parse_feed_result(RSS, feed_url=FEED_URL, outlet_id="ne")
    assert res.skipped_links == 1 and res.version == "rss20"
    first, second = res.items
    assert first.url == "https://news.example/world/2024/05/02/port-strike?id=7"
    assert first.guid == "news-example-7781" and first.outlet_id == "ne" and first.feed_url == FEED_URL
    assert first.title == "Harbour & port strike enters third day"
    assert first.summary == "Dock workers walked out again."
    assert first.published_at == dt.datetime(2024, 5, 2, 7, 30, tzinfo=UTC)
    assert first.language == "en"
    assert second.url == "https://news.example/world/second" and second.guid == "https://news.example/world/second"
    assert second.published_at is None


def test_atom_rdf_json() -> None:
    (a,) = parse_feed(ATOM, feed_url="https://rheinblick.example/atom.xml", outlet_id="rb")
    assert a.url == "https://rheinblick.example/wirtschaft/rhein-pegel" and a.guid == "tag:rheinblick.example,2024:991"
    assert a.published_at == dt.datetime(2024, 5, 2, 6, 15, tzinfo=UTC) and a.published_at.tzinfo is not None
    (r,) = parse_feed(RDF, feed_url="https://elfaro.example/rdf", outlet_id="ef")
    assert r.url == "https://elfaro.example/a/1" and r.published_at == dt.datetime(2024, 5, 1, 12, tzinfo=UTC)
    res = parse_feed_result(JSON_FEED, feed_url="https://minato.example/feed.json", outlet_id="mn")
    assert [i.url for i in res.items] == ["https://minato.example/n/1", "https://minato.example/n/3"]
    assert res.items[0].published_at == dt.datetime(2024, 5, 2, 9, tzinfo=UTC) and res.items[0].language == "ja"
    assert res.skipped_links == 1


def test_items_capped() -> None:
    items = "".join(f"<item><link>https://x.example/{i}</link></item>" for i in range(MAX_ITEMS_PER_FEED + 50))
    res = parse_feed_result(
        f"<rss version='2.0'><channel>{items}</channel></rss>".encode(), feed_url=FEED_URL, outlet_id="x"
    )
    assert len(res.items) == MAX_ITEMS_PER_FEED and res.truncated == 50


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "not_a_feed"),
        (b"   \n", "not_a_feed"),
        (b"<!DOCTYPE html><html><head><title>x</title></head><body>hi</body></html>", "not_a_feed"),
        (b"<rss version='2.0'><channel><title>t</title></channel></rss>", "empty"),
        (b"<rss version='2.0'><channel><item><title>only a title</title></item></channel></rss>", "empty"),
        (b"\x00\x01\x02 binary junk \xff\xfe", "not_a_feed"),
        (b'{"not": "a feed"}', "not_a_feed"),
        (b"{broken json", "malformed"),
        (b"/etc/passwd", "not_a_feed"),
    ],
)
def test_typed_errors(body: bytes, reason: str) -> None:
    with pytest.raises(FeedError) as exc:
        parse_feed(body, feed_url=FEED_URL, outlet_id="x")
    assert exc.value.reason == reason


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><item><title>&lol9;</title><link>https://x.example/1</link></item></channel></rss>"""


def test_billion_laughs_refused_quickly() -> None:
    t0 = time.monotonic()
    with pytest.raises(FeedError) as exc:
        parse_feed(BILLION_LAUGHS, feed_url=FEED_URL, outlet_id="x")
    assert exc.value.reason == "unsafe_xml" and time.monotonic() - t0 < 1
    with pytest.raises(FeedError) as exc:
        parse_sitemap(BILLION_LAUGHS.replace(b"rss", b"urlset"), sitemap_url=FEED_URL, outlet_id="x")
    assert exc.value.reason == "unsafe_xml"


def test_external_entity_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    body = f"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>
<rss version="2.0"><channel><item><title>&xxe;</title><link>https://x.example/1</link></item></channel></rss>""".encode()
    try:
        items = parse_feed(body, feed_url=FEED_URL, outlet_id="x")
    except FeedError:
        return
    assert all("TOP-SECRET" not in i.title for i in items)


def test_simple_internal_entity_still_works() -> None:
    body = b"""<!DOCTYPE rss [<!ENTITY site "https://x.example">]>
<rss version="2.0"><channel><item><title>t</title><link>https://x.example/a</link><guid>&site;/a</guid></item></channel></rss>"""
    (item,) = parse_feed(body, feed_url=FEED_URL, outlet_id="x")
    assert item.url == "https://x.example/a"


# ---------------------------------------------------------------- sitemaps

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://elfaro.example/noticias/2024/05/02/puerto</loc>
 <news:news><news:publication><news:name>El Faro</news:name><news:language>es</news:language></news:publication>
 <news:publication_date>2024-05-02T10:00:00+02:00</news:publication_date><news:title>Huelga en el puerto</news:title></news:news></url>
<url><loc>/noticias/relativa</loc><lastmod>2024-05-01</lastmod></url>
<url><loc>javascript:alert(1)</loc></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://elfaro.example/sitemap-news.xml</loc></sitemap>
<sitemap><loc>/sitemap-2024-05.xml.gz</loc><lastmod>2024-05-02</lastmod></sitemap>
</sitemapindex>"""


def test_news_sitemap() -> None:
    items, children = parse_sitemap(NEWS_SITEMAP, sitemap_url="https://elfaro.example/sitemap-news.xml", outlet_id="ef")
    assert children == []
    a, b = items
    assert a.title == "Huelga en el puerto" and a.language == "es"
    assert a.published_at == dt.datetime(2024, 5, 2, 8, tzinfo=UTC)
    assert b.url == "https://elfaro.example/noticias/relativa" and b.published_at == dt.datetime(2024, 5, 1, tzinfo=UTC)


def test_sitemap_index_and_gzip() -> None:
    items, children = parse_sitemap(INDEX, sitemap_url="https://elfaro.example/sitemap.xml", outlet_id="ef")
    assert items == [] and children == [
        "https://elfaro.example/sitemap-news.xml",
        "https://elfaro.example/sitemap-2024-05.xml.gz",
    ]
    items, _ = parse_sitemap(gzip.compress(NEWS_SITEMAP), sitemap_url="https://elfaro.example/s.xml.gz", outlet_id="ef")
    assert len(items) == 2


def test_sitemap_gzip_bomb_and_errors() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (80 << 20) + b"</urlset>", compresslevel=9)
    assert len(bomb) < 200_000
    with pytest.raises(FeedError) as exc:
        parse_sitemap(bomb, sitemap_url="https://x.example/s.xml.gz", outlet_id="x")
    assert exc.value.reason == "too_large"
    for body, reason in [
        (b"<rss version='2.0'></rss>", "not_a_sitemap"),
        (b"<urlset></urlset>", "empty"),
        (b"", "not_a_feed"),
        (b"\x1f\x8b\x08garbage", "malformed"),
    ]:
        with pytest.raises(FeedError) as exc:
            parse_sitemap(body, sitemap_url="https://x.example/s.xml", outlet_id="x")
        assert exc.value.reason == reason, body


def test_text_sitemap() -> None:
    items, _ = parse_sitemap(
        b"https://x.example/a\nhttps://x.example/b\n\n", sitemap_url="https://x.example/s.txt", outlet_id="x"
    )
    assert [i.url for i in items] == ["https://x.example/a", "https://x.example/b"]


def test_w3c_dates() -> None:
    assert parse_w3c_datetime("2024-05-02T10:00Z") == dt.datetime(2024, 5, 2, 10, tzinfo=UTC)
    assert parse_w3c_datetime("2024-05-02T10:00:00.5-05:00") == dt.datetime(2024, 5, 2, 15, 0, 0, 500000, tzinfo=UTC)
    assert parse_w3c_datetime("1970-01-01") is None and parse_w3c_datetime("yesterday") is None
    assert parse_w3c_datetime("2999-01-01") is None


# ---------------------------------------------------------------- robustness corpus

#: Per-file limit; the whole corpus parses in ~5 s on the 2-core CI machine (slowest file ~0.1 s).
PER_FILE_SECONDS = 5.0


class _Hang(Exception):
    pass


@pytest.mark.shared
def test_feedparser_corpus_never_crashes_or_hangs(shared_dir: Path) -> None:
    root = shared_dir / "benchmarks" / "feeds-feedparser" / "tests"
    if not root.is_dir():
        pytest.skip(f"{root} missing")
    files = sorted(p for p in root.rglob("*") if p.is_file())
    assert len(files) > 2000

    def on_alarm(signum: int, frame: object) -> None:
        raise _Hang()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    counts: collections.Counter[str] = collections.Counter()
    problems: list[str] = []
    t0 = time.monotonic()
    try:
        for path in files:
            body = path.read_bytes()
            signal.setitimer(signal.ITIMER_REAL, PER_FILE_SECONDS)
            try:
                items = parse_feed(body, feed_url="http://example.org/feed.xml", outlet_id="corpus")
                assert items
                counts["entries"] += 1
            except FeedError as exc:
                counts[f"FeedError:{exc.reason}"] += 1
            except _Hang:
                problems.append(f"{path.relative_to(root)}: hang > {PER_FILE_SECONDS}s")
            except Exception as exc:  # the point of the test: nothing else may escape
                problems.append(f"{path.relative_to(root)}: {type(exc).__name__}: {exc}")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)
    took = time.monotonic() - t0
    print(f"\nfeedparser corpus: {len(files)} files in {took:.1f}s: {dict(sorted(counts.items()))}")
    assert problems == []
    assert counts["entries"] > 50
    assert took < 60
