"""Property-based tests (hypothesis) of every edge that takes values from outside: the import record schema,
feed and sitemap parsing, URL canonicalisation, text normalisation and every API/page/feed parameter.
The property is always the same: a typed answer or a typed error, never an escaped exception, never a 500."""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from globewire import validate
from globewire.feeds import FeedError, parse_feed, parse_sitemap
from globewire.ingest import Facts, parse_jsonl_line
from globewire.records import Article, Failure
from globewire.textnorm import clean_html, clean_text, is_dropped
from globewire.urls import (
    UrlError,
    canonical_variants,
    is_http_url,
    normalise_url,
    url_key,
)

# Examples per property: the whole file runs in ~40 s on the shared 2-core machine (feeds ~7 s, sitemaps
# ~5 s, the route sweep ~3 s per backend); raise them locally to search harder.
EXAMPLES = 150
API_EXAMPLES = 150
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters that make trouble: controls, non-characters, surrogates, bidi overrides, markup, quotes.
NASTY = st.sampled_from(["\x00", "\x01", "\x0b", "\x1f", "\x7f", "\x85", "\ud800", "\udfff", "\ufffe", "\uffff",
                         "\ufdd0", "\U0010ffff", "\u202e", "\u2066", "\u200f", "<", ">", "&", '"', "'", "\\",
                         "&#xFFFE;", "&#1;", "]]>", "\n", "\t", " ", "é", "中", "🙂"])
NASTY_TEXT = st.lists(st.one_of(NASTY, st.text(max_size=8)), max_size=12).map("".join)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    NASTY_TEXT, st.text(max_size=40))
JSONISH = st.recursive(SCALARS, lambda kids: st.one_of(st.lists(kids, max_size=3),
                                                       st.dictionaries(st.text(max_size=5), kids, max_size=3)),
                       max_leaves=6)
FAILURE_REASONS = {"bad_field", "bad_json", "bad_record", "too_deep", "undecodable"}


def _clean(s: str) -> bool:
    return clean_text(s) == s


# ------------------------------------------------------------------ text normalisation


@FAST
@given(NASTY_TEXT)
def test_clean_text_is_idempotent_and_xml_safe(s: str) -> None:
    out = clean_text(s)
    assert clean_text(out) == out
    assert not any(is_dropped(ord(c)) for c in out)
    etree.Element("x").text = out  # lxml refuses anything XML 1.0 cannot hold
    out.encode("utf-8")  # no lone surrogate


@FAST
@given(NASTY_TEXT)
def test_clean_html_leaves_no_reference_to_a_dropped_code_point(s: str) -> None:
    out = clean_html(s)
    assert "&#xFFFE;" not in out and "&#1;" not in out
    assert _clean(out)


# ------------------------------------------------------------------ import records

RECORD = st.fixed_dictionaries(
    {},
    optional={
        "url": st.one_of(SCALARS, st.sampled_from(["https://ok.test/a", "javascript:alert(1)", "ftp://x.test/",
                                                   "file:///tmp/x.html", "https://", "http://[::1/"])),
        "canonical_url": SCALARS,
        "title": st.one_of(NASTY_TEXT, SCALARS),
        "text": st.one_of(NASTY_TEXT.map(lambda t: t * 5), SCALARS),
        "language": st.one_of(SCALARS, st.sampled_from(["en", "de-AT", "zh_Hant", "x" * 5000, "EN"])),
        "country": st.one_of(SCALARS, st.sampled_from(["de", "GB", "XX", "ZZ", "g b"])),
        "language_confidence": SCALARS,
        "published_at": st.one_of(SCALARS, st.sampled_from(["9999-12-31", "0001-01-01T00:00:00+14:00",
                                                            "2024-05-01T10:00:00Z", "2024-02-30"])),
        "fetched_at": SCALARS,
        "authors": JSONISH,
        "image_url": SCALARS,
        "outlet": SCALARS,
        "site_name": SCALARS,
        "html_lang": SCALARS,
    },
)


def _check_item(item: Any) -> None:
    if isinstance(item, Failure):
        assert item.reason in FAILURE_REASONS, item
        assert _clean(item.detail) and _clean(item.url)
        return
    _, a = item
    assert isinstance(a, Article)
    assert is_http_url(a.url) or a.url.startswith("file:///")
    assert a.title or a.text.strip()
    for s in (a.title, a.text, *a.authors, a.site_name or "", a.outlet_id or ""):
        assert _clean(s)
    assert a.language is None or (a.language.isalpha() and 2 <= len(a.language) <= 3)
    assert a.country is None or (len(a.country) == 2 and a.country.isupper())
    assert math.isfinite(a.language_confidence) and 0 <= a.language_confidence <= 1
    for when in (a.published_at, a.fetched_at):
        assert when is None or validate.plausible_datetime(when) is not None
    assert a.image_url is None or is_http_url(a.image_url)


@FAST
@given(RECORD)
def test_any_import_record_is_an_article_or_a_typed_failure(rec: dict[str, Any]) -> None:
    line = json.dumps(rec, allow_nan=True, ensure_ascii=False).encode("utf-8", "surrogatepass")
    _check_item(parse_jsonl_line(line, Facts(), "in.jsonl:1"))


@FAST
@given(st.binary(max_size=300))
def test_any_bytes_line_is_an_article_or_a_typed_failure(line: bytes) -> None:
    _check_item(parse_jsonl_line(line, Facts(), "in.jsonl:1"))


def test_deep_nesting_is_a_typed_failure() -> None:
    for line in (b"[" * 100_000, b'{"a":' * 50_000, b'{"url": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"):
        item = parse_jsonl_line(line, Facts(), "deep.jsonl:1")
        assert isinstance(item, Failure) and item.reason in ("too_deep", "bad_json", "bad_field")


# ------------------------------------------------------------------ feeds and sitemaps

DATES = st.one_of(NASTY_TEXT, st.sampled_from(["Mon, 01 Jan 0001 00:00:00 +1400", "Fri, 31 Dec 9999 23:59:59 -1400",
                                               "2024-05-01T10:00:00Z", "0000-00-00", "99999-01-01"]))
LINKS = st.one_of(NASTY_TEXT, st.sampled_from(["https://ok.test/a", "javascript:x", "//x.test/p", "http://[::1/",
                                               "https://xn--zz.test/", "https://a.test:99999/"]))


def _x(s: str) -> str:
    """Text as XML character data (escaped; characters XML cannot hold written as references, as a hostile
    feed would)."""
    out = []
    for c in s.replace("&", "&amp;").replace("<", "&lt;"):
        cp = ord(c)
        out.append(f"&#x{cp:X};" if (cp < 0x20 and c not in "\t\n\r") or 0xD800 <= cp <= 0xDFFF else c)
    return "".join(out)


def _feed_items_are_sane(items: list[Any]) -> None:
    for it in items:
        assert is_http_url(it.url)
        assert _clean(it.title) and _clean(it.summary) and _clean(it.guid)
        assert it.published_at is None or validate.plausible_datetime(it.published_at) is not None


@FAST
@given(st.lists(st.tuples(NASTY_TEXT, LINKS, DATES, NASTY_TEXT), min_size=1, max_size=4),
       st.sampled_from(["rss", "atom"]))
def test_generated_feeds_parse_or_fail_typed(entries: list[tuple[str, str, str, str]], kind: str) -> None:
    if kind == "rss":
        body = "".join(f"<item><title>{_x(t)}</title><link>{_x(u)}</link><pubDate>{_x(d)}</pubDate>"
                       f"<description>{_x(s)}</description></item>" for t, u, d, s in entries)
        doc = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>{body}</channel></rss>'
    else:
        body = "".join(f'<entry><title>{_x(t)}</title><link href="{_x(u)}"/><updated>{_x(d)}</updated>'
                       f"<summary>{_x(s)}</summary><id>{_x(u)}</id></entry>" for t, u, d, s in entries)
        doc = f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>{body}</feed>'
    try:
        items = parse_feed(doc.encode("utf-8", "surrogatepass"), feed_url="https://feeds.test/f", outlet_id="o")
    except FeedError:
        return
    _feed_items_are_sane(items)


@FAST
@given(st.binary(max_size=400))
def test_feed_bytes_parse_or_fail_typed(body: bytes) -> None:
    try:
        _feed_items_are_sane(parse_feed(b"<rss version='2.0'><channel>" + body, feed_url="https://f.test/",
                                        outlet_id="o"))
    except FeedError:
        pass
    try:
        _feed_items_are_sane(parse_feed(body, feed_url="https://f.test/", outlet_id="o"))
    except FeedError:
        pass


@FAST
@given(st.lists(st.tuples(LINKS, DATES, NASTY_TEXT), min_size=1, max_size=4), st.booleans())
def test_generated_sitemaps_parse_or_fail_typed(urls: list[tuple[str, str, str]], index: bool) -> None:
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
    if index:
        doc = f"<sitemapindex {ns}>" + "".join(f"<sitemap><loc>{_x(u)}</loc></sitemap>" for u, _, _ in urls) + "</sitemapindex>"
    else:
        doc = f"<urlset {ns}>" + "".join(
            f"<url><loc>{_x(u)}</loc><lastmod>{_x(d)}</lastmod><news:news><news:title>{_x(t)}</news:title>"
            f"</news:news></url>" for u, d, t in urls) + "</urlset>"
    for body in (doc.encode("utf-8", "surrogatepass"), "\n".join(u for u, _, _ in urls).encode("utf-8", "surrogatepass")):
        try:
            items, children = parse_sitemap(body, sitemap_url="https://s.test/sitemap.xml", outlet_id="o")
        except FeedError:
            continue
        _feed_items_are_sane(items)
        assert all(is_http_url(c) for c in children)


# ------------------------------------------------------------------ pages (the HTML edge)

PAGE_PARAS = ("Dock workers at the country's largest container port returned to work on Monday after union "
              "leaders accepted a pay offer that had been improved twice during the nine-day stoppage. ") * 3


def _attr(s: str) -> str:
    return _x(s).replace('"', "&quot;")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.fixed_dictionaries({"title": NASTY_TEXT, "canonical": LINKS, "image": LINKS, "date": DATES,
                              "lang": st.one_of(NASTY_TEXT, st.sampled_from(["en", "x" * 500, "de-AT"])),
                              "body": NASTY_TEXT}), st.booleans())
def test_any_page_extracts_to_a_sane_article_or_a_typed_error(page: dict[str, str], local: bool) -> None:
    """Hostile values in the places a page declares facts (canonical URL, image, date, language, title):
    extraction gives a typed error or values as clean as an imported record's, and building the article
    never raises."""
    from globewire.extract import ExtractionError, extract_html
    from globewire.pipeline import PipelineContext, build_article
    from globewire.records import RawDocument
    from globewire.settings import load_settings

    html = (f'<html lang="{_attr(page["lang"])}"><head><title>{_x(page["title"])}</title>'
            f'<link rel="canonical" href="{_attr(page["canonical"])}">'
            f'<meta property="og:image" content="{_attr(page["image"])}">'
            f'<meta property="article:published_time" content="{_attr(page["date"])}"></head>'
            f"<body><article><h1>{_x(page['title'])}</h1><p>{_x(page['body'])} {PAGE_PARAS}</p>"
            f"<p>{PAGE_PARAS}</p></article></body></html>")
    url = "file:///tmp/page.html" if local else "https://site.test/a/page"
    try:
        ex = extract_html(html.encode("utf-8", "surrogatepass"), url)
    except ExtractionError:
        return
    for s in (ex.title, ex.text, *ex.authors, ex.site_name or "", ex.html_lang or ""):
        assert _clean(s)
    assert ex.canonical_url is None or normalise_url(ex.canonical_url)
    assert ex.image_url is None or normalise_url(ex.image_url)
    assert ex.published_at is None or validate.plausible_datetime(ex.published_at) is not None
    assert ex.html_lang is None or len(ex.html_lang) <= 35
    ctx = PipelineContext(settings=load_settings(), store=None)  # type: ignore[arg-type]
    a = build_article(ctx, RawDocument(url=url, content=b""), ex)
    assert a.canonical_url


# ------------------------------------------------------------------ URLs

URLS = st.one_of(
    NASTY_TEXT,
    st.builds(lambda scheme, host, port, path, q: f"{scheme}://{host}{port}/{path}?{q}",
              st.sampled_from(["http", "https", "HTTP", "javascript", "ftp", ""]),
              st.one_of(NASTY_TEXT, st.sampled_from(["example.com", "EXAMPLE.com.", "bücher.de", "[::1]", "127.0.0.1",
                                                      "xn--", "a..b", "m.site.co.uk", "amp.x.test"])),
              st.sampled_from(["", ":80", ":443", ":0", ":65536", ":-1", ":abc"]),
              NASTY_TEXT, NASTY_TEXT),
)


@FAST
@given(URLS, st.one_of(st.none(), URLS))
def test_url_normalisation_is_typed_and_idempotent(url: str, base: str | None) -> None:
    try:
        out = normalise_url(url, base=base)
    except UrlError:
        return
    assert isinstance(out, str)
    url_key(out)
    if not is_http_url(out):
        return
    assert normalise_url(out) == out
    try:
        canon = canonical_variants(out)
    except UrlError:
        return
    assert is_http_url(canon)
    assert canonical_variants(canon) == canon


# ------------------------------------------------------------------ every API, page and feed parameter


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def client(request: pytest.FixtureRequest):
    """The web app over a filled store, on SQLite and on PostgreSQL (which refuses NUL in text outright)."""
    import uuid

    from fastapi.testclient import TestClient

    from globewire.settings import load_settings
    from globewire.store import open_store
    from globewire.web.app import create_app
    from tests.browser.webcorpus import fill_store

    tmp = Path(tempfile.mkdtemp(prefix="gw-props-"))
    schema = None
    if request.param == "sqlite":
        url = str(tmp / "props.db")
    else:
        from tests.test_store_contract import PG_BASE, drop_schema, pg_reachable

        reason = pg_reachable()
        if reason:
            pytest.skip(reason)
        schema = "t_" + uuid.uuid4().hex[:12]
        url = f"{PG_BASE}?schema={schema}"
    store = open_store(url)
    try:
        fill_store(store)
        with TestClient(create_app(store, load_settings(data_dir=tmp)), raise_server_exceptions=False) as c:
            yield c
    finally:
        store.close()
        if schema:
            drop_schema(schema)


def _cursor(data: Any) -> str:
    raw = json.dumps(data, allow_nan=True).encode("utf-8", "surrogatepass")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CURSORS = st.one_of(NASTY_TEXT, JSONISH.map(_cursor),
                    st.fixed_dictionaries({"id": st.integers()}).map(_cursor),
                    st.fixed_dictionaries({"offset": st.integers()}).map(_cursor),
                    st.fixed_dictionaries({"u": st.one_of(NASTY_TEXT, st.integers()), "id": st.integers()}).map(_cursor),
                    st.fixed_dictionaries({"oid": NASTY_TEXT}).map(_cursor))
QDATES = st.one_of(NASTY_TEXT, st.datetimes(timezones=st.sampled_from(
    [dt.timezone(dt.timedelta(hours=14)), dt.timezone(dt.timedelta(hours=-14)), dt.UTC])).map(dt.datetime.isoformat),
    st.dates().map(dt.date.isoformat))
VALUES = st.one_of(NASTY_TEXT, st.integers().map(str), CURSORS, QDATES,
                   st.sampled_from(["", "0", "-1", "101", str(2**63), "1e309", "nan", "true", "de", "ZZ"]))
IDS = st.one_of(st.integers().map(str), NASTY_TEXT,
                st.sampled_from(["1", "0", str(2**62), str(2**63), "1.5", "%00", "de", "ZZ", "rss", "atom"]))


def _get_routes() -> list[tuple[str, list[str], list[str]]]:
    """Every GET route of the web app's routers as (path template, its path parameters, its query parameters),
    read from the routers themselves: a parameter or page added tomorrow is swept without editing this test."""
    from fastapi.routing import APIRoute

    from globewire.web import feeds_out, imageproxy, routes_api, routes_pages
    from globewire.web.app import API_PREFIX

    out = []
    for router, prefix in ((routes_pages.router, ""), (routes_api.router, API_PREFIX), (feeds_out.router, ""),
                           (imageproxy.router, "")):
        for r in router.routes:
            if isinstance(r, APIRoute) and "GET" in r.methods:
                out.append((prefix + r.path, [p.alias for p in r.dependant.path_params],
                            [p.alias for p in r.dependant.query_params]))
    return sorted(out)


ROUTES = _get_routes()


@st.composite
def requests(draw: Any) -> tuple[str, dict[str, str]]:
    path, path_params, query = draw(st.sampled_from(ROUTES))
    from urllib.parse import quote

    for name in path_params:
        value = draw(IDS).encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        path = path.replace("{" + name + "}", quote(value, safe="") or "x")
    names = draw(st.lists(st.sampled_from(query), unique=True, max_size=len(query))) if query else []
    params = {n: draw(VALUES).encode("utf-8", "surrogatepass").decode("utf-8", "replace") for n in names}
    return path, params


def test_the_sweep_sees_the_apps_routes() -> None:
    paths = {p for p, _, _ in ROUTES}
    assert {"/api/v1/search", "/api/v1/articles/{article_id}", "/search", "/feeds/search.{fmt}"} <= paths
    assert len(ROUTES) >= 15


@settings(max_examples=API_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(requests())
def test_no_parameter_makes_a_server_error(client: Any, req: tuple[str, dict[str, str]]) -> None:
    path, params = req
    r = client.get(path, params=params)
    assert r.status_code < 500, (path, params, r.text[:300])
    if path.startswith("/feeds/") and r.status_code == 200:
        etree.fromstring(r.content)  # well-formed XML, whatever went in


def test_out_of_range_values_get_clear_client_errors(client: Any) -> None:
    big = _cursor({"id": 2**63})
    r = client.get("/api/v1/articles", params={"cursor": big})
    assert r.status_code == 400 and "cursor" in r.json()["error"]["message"]
    r = client.get("/api/v1/stories", params={"cursor": _cursor({"u": "x\x00", "id": 1})})
    assert r.status_code == 400
    for since in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        assert client.get("/api/v1/search", params={"q": "the", "since": since}).status_code == 200
        assert client.get("/search", params={"q": "the", "until": since}).status_code == 200
        assert client.get("/feeds/search.rss", params={"q": "the", "since": since}).status_code == 200
    r = client.get("/api/v1/search", params={"q": "the", "since": "2020-13-01"})
    assert r.status_code == 400 and "not a date" in r.json()["error"]["message"]
    r = client.get("/api/v1/articles/" + str(2**63))
    assert r.status_code == 422 and "article_id" in r.json()["error"]["message"]


# ------------------------------------------------------------------ other values from outside


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # dateparser: ~0.1 s a call
@given(st.one_of(DATES, NASTY_TEXT, st.integers().map(str), st.lists(DATES, max_size=2),
                 st.dictionaries(st.sampled_from(["@value", "value"]), DATES, max_size=1)))
def test_page_dates_are_plausible_or_none(value: Any) -> None:
    from globewire.extract.dates import parse_date

    d = parse_date(value)
    assert d is None or validate.plausible_datetime(d) is not None


@FAST
@given(st.one_of(NASTY_TEXT, st.integers().map(str), st.sampled_from(["²", "٣", "9" * 400, "-1", "Fri, 31 Dec 9999 23:59:59 GMT"])))
def test_retry_after_is_a_finite_wait_or_none(value: str) -> None:
    from globewire.fetch.client import parse_retry_after

    wait = parse_retry_after(value)
    assert wait is None or (math.isfinite(wait) and wait >= 0)


def test_search_filters_are_read_alike_by_the_page_its_feed_and_the_api(client: Any) -> None:
    """One reading of a search's filters (``queries.search_filters_of``): an unknown country or language is a
    clear error everywhere (the feed used to drop it silently and answer unfiltered)."""
    for params, message in (({"q": "the", "country": "ZZ"}, "Unknown country code."),
                            ({"q": "the", "language": "e1"}, "Unknown language code."),
                            ({"q": "the", "since": "2020-13-01"}, "not a date")):
        page = client.get("/search", params=params)
        assert page.status_code == 200 and message in page.text
        feed = client.get("/feeds/search.rss", params=params)
        assert feed.status_code == 400 and message in feed.text
        api = client.get("/api/v1/search", params=params)
        assert api.status_code in (400, 422) and api.json()["error"]["message"]
    ok = {"q": "the", "country": "gb", "language": "EN", "since": "2020-01-01"}
    assert all(client.get(p, params=ok).status_code == 200 for p in ("/search", "/feeds/search.rss", "/api/v1/search"))
