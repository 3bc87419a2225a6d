"""Pages and JSON API of the web layer against each store backend — a real SQLite file and the real
PostgreSQL server (a fresh schema per module, dropped afterwards) — filled through the store's methods."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from globewire.settings import load_settings
from globewire.store import open_store
from globewire.web.app import create_app
from tests.browser.webcorpus import fill_store

BACKENDS = ["sqlite", "postgresql"]
# What no page may show: a placeholder headline/title, an unnamed outlet, an empty link.
PLACEHOLDER = re.compile(r">\s*(Story|Article) \d+\s*<|unknown outlet|<a\b[^>]*>\s*</a>")


def backend_url(backend: str, folder: Path) -> tuple[str, Callable[[], None]]:
    """The URL of a fresh store of ``backend`` ("sqlite": a file in ``folder``; "postgresql": a new schema on
    the test server) and the function that removes it. Skips when PostgreSQL is not reachable."""
    if backend == "sqlite":
        return f"sqlite:///{folder / 'site.db'}", lambda: None
    from tests.test_store_contract import PG_BASE, drop_schema, pg_reachable

    reason = pg_reachable()
    if reason:
        pytest.skip(reason)
    schema = "t_" + uuid.uuid4().hex[:12]
    return f"{PG_BASE}?schema={schema}", lambda: drop_schema(schema)


def open_backend(backend: str, folder: Path) -> tuple[Any, Callable[[], None]]:
    """A fresh, open store of ``backend`` and the function that closes and removes it."""
    url, remove = backend_url(backend, folder)
    store = open_store(url)

    def done() -> None:
        store.close()
        remove()

    return store, done


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def site(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("web")
    store, done = open_backend(backend, folder)
    try:
        info = fill_store(store, shift_to_now=True, archive=40)
        app = create_app(store, load_settings(data_dir=folder))
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client, {**info, "store": store}
    finally:
        done()


def test_home_has_one_row_per_country_and_story_lists(site: tuple[TestClient, dict[str, Any]]) -> None:
    client, _ = site
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    # No-JS fallback: countries with articles in the window link to their page, with their counts.
    assert 'href="/country/DE"' in html and 'href="/country/TZ"' not in html.split('id="ct-h"')[1]
    assert 'href="/country/TZ"' in client.get("/?window=all").text.split('id="ct-h"')[1]
    assert "Top world stories" in html
    assert "Overlooked by United States media" in html
    assert "Ferry capsizes on Lake Victoria" in html  # the blindspot story
    # Globe data is JSON in a non-executable script element read by a static script.
    m = re.search(r'<script type="application/json" id="globe-data">(.*?)</script>', html, re.DOTALL)
    assert m is not None
    import json

    data = json.loads(m.group(1))
    # Only the EuroBasket day (DE, ES, FR, US: one article each) is within the last 24 hours.
    assert data["window"] == "last 24 hours"
    assert {cc: v[1] for cc, v in data["countries"].items() if v[1]} == {"DE": 1, "ES": 1, "FR": 1, "US": 1}
    assert data["ids"]["276"] == "DE"
    assert '<script src="/static/js/globe.js"' in html
    assert not re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))[^>]*>", html)  # no inline scripts


def test_reference_country_follows_setting(tmp_path: Any) -> None:
    store = open_store(str(tmp_path / "ref.db"))
    fill_store(store)
    settings = load_settings(data_dir=tmp_path)
    settings.stories.reference_country = "GB"
    with TestClient(create_app(store, settings)) as client:
        assert "Overlooked by United Kingdom media" in client.get("/").text
    store.close()


def test_country_page(site: tuple[TestClient, dict[str, Any]]) -> None:
    client, _ = site
    r = client.get("/country/de")
    assert r.status_code == 200
    html = r.text
    assert "Germany" in html and "Deutsche Welle" in html
    # English headline with the original one click away.
    assert "ECB cuts key rate again by 0.25 percentage points" in html
    assert '<span class="orig" lang="de">EZB' in html  # the original under the English headline
    assert "What the world says about Germany" in html
    assert client.get("/country/ZZ").status_code == 404
    assert client.get("/country?cc=fr", follow_redirects=False).headers["location"] == "/country/FR"


def test_story_page(site: tuple[TestClient, dict[str, Any]]) -> None:
    client, info = site
    sid = info["stories"][1]  # the Peru earthquake
    html = client.get(f"/story/{sid}").text
    assert "Alternative takes" in html and "Coverage by country" in html
    for cc in ("PE", "CL", "ES", "FR", "US"):
        assert f'data-cc="{cc}" class="cov"' in html  # the static map draws covering countries on top
    assert html.count('<sup><a href="/article/') == 3  # a source link per summary sentence
    assert "Related stories" in html and "Timeline" in html
    blind = client.get(f"/story/{info['stories'][4]}").text
    assert "Blindspot" in blind and "none of the 3 US outlets crawled in that period covered it" in blind
    assert client.get("/story/999999").status_code == 404
    assert client.get("/story/abc").status_code == 400


def test_article_page_aligned_and_source_link(site: tuple[TestClient, dict[str, Any]]) -> None:
    client, info = site
    aid = info["articles"][0]  # NHK, Japanese, with a translation
    html = client.get(f"/article/{aid}").text
    assert "sentence by sentence" in html
    assert html.count('class="pair"') >= 3
    assert 'rel="noopener noreferrer nofollow"' in html and "www3.nhk.or.jp" in html
    assert "Ownership" in html
    eng = client.get(f"/article/{info['articles'][1]}").text  # English original: no alignment table
    assert "sentence by sentence" not in eng and "Yonhap" in eng


def test_outlets_page_and_health(site: tuple[TestClient, dict[str, Any]]) -> None:
    client, _ = site
    html = client.get("/outlets").text
    assert "Deutsche Welle" in html and "failing (2 in a row)" in html and '<span class="health ok">ok</span>' in html
    api = client.get("/api/v1/outlets", params={"limit": 5}).json()
    assert len(api["items"]) == 5 and api["next_cursor"]
    nxt = client.get("/api/v1/outlets", params={"limit": 5, "cursor": api["next_cursor"]}).json()
    assert {o["id"] for o in api["items"]}.isdisjoint({o["id"] for o in nxt["items"]})


def test_search_page_and_api(site: tuple[TestClient, dict[str, Any]]) -> None:
    client, _ = site
    html = client.get("/search", params={"q": "earthquake"}).text
    assert "Peru" in html and "/feeds/search.rss?q=earthquake" in html
    # An English word finds a non-English article through its translation.
    hits = client.get("/api/v1/search", params={"q": "ferry", "language": "de"}).json()["items"]
    assert hits and all(h["language"] == "de" for h in hits)
    only_fr = client.get("/api/v1/search", params={"q": "Peru", "country": "FR"}).json()["items"]
    assert only_fr and {h["country"] for h in only_fr} == {"FR"}
    none = client.get("/api/v1/search", params={"q": "Peru", "until": "2000-01-01"}).json()["items"]
    assert none == []
    assert client.get("/api/v1/search", params={"q": "Peru", "since": "yesterday"}).status_code == 400


@pytest.mark.parametrize("q", ['"', 'NEAR(', "title:", "*", "OR", "-", "AND OR NOT", '"unterminated', "a*b*",
                               "col:val NEAR/2 x", "^", "(((", "\x00", "' OR 1=1 --", "<script>alert(1)</script>"])
def test_hostile_search_strings(site: tuple[TestClient, dict[str, Any]], q: str) -> None:
    client, _ = site
    page = client.get("/search", params={"q": q})
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    api = client.get("/api/v1/search", params={"q": q})
    assert api.status_code in (200, 422)
    assert "Traceback" not in api.text


def test_api_story_and_pagination(site: tuple[TestClient, dict[str, Any]]) -> None:
    client, info = site
    first = client.get("/api/v1/stories", params={"limit": 4}).json()
    assert len(first["items"]) == 4 and first["next_cursor"]
    rest = client.get("/api/v1/stories", params={"limit": 4, "cursor": first["next_cursor"]}).json()
    ids = [s["id"] for s in first["items"]] + [s["id"] for s in rest["items"]]
    assert sorted(ids) == sorted(info["stories"]) and rest["next_cursor"] is None
    detail = client.get(f"/api/v1/stories/{info['stories'][1]}").json()
    assert len({a["country"] for a in detail["articles"]}) >= 2
    assert detail["alternative_takes"] and detail["summary"][0]["article_id"]
    blind = client.get("/api/v1/blindspot").json()["items"]
    assert [s["id"] for s in blind] == [info["stories"][4]]
    assert client.get("/api/v1/stories", params={"cursor": "not-a-cursor"}).status_code == 400
    assert client.get("/api/v1/stories", params={"country": "FR"}).json()["items"]
    arts = client.get("/api/v1/articles", params={"limit": 10}).json()
    more = client.get("/api/v1/articles", params={"limit": 10, "cursor": arts["next_cursor"]}).json()
    assert max(a["id"] for a in more["items"]) < min(a["id"] for a in arts["items"])
    a = client.get(f"/api/v1/articles/{info['articles'][3]}").json()
    assert a["title_en"] and a["alignment"] and a["outlet"]["country"] == "DE"
    c = client.get("/api/v1/countries").json()
    assert {x["cc"] for x in c["items"]} >= {"DE", "US", "JP"}
    assert client.get("/api/v1/countries/jp").json()["name"] == "Japan"
    err = client.get("/api/v1/articles/999999")
    assert err.status_code == 404 and err.json() == {"error": {"status": 404, "message": "no such article"}}


def test_feeds_and_opml(site: tuple[TestClient, dict[str, Any]]) -> None:
    client, _ = site
    import feedparser

    for path in ("/feeds/world.rss", "/feeds/world.atom", "/feeds/country/DE.rss", "/feeds/country/DE.atom",
                 "/feeds/search.rss?q=ferry", "/feeds/search.atom?q=ferry", "/feeds/blindspot.rss"):
        r = client.get(path)
        assert r.status_code == 200, path
        parsed = feedparser.parse(r.content)
        assert not parsed.bozo, (path, parsed.bozo_exception)
        assert parsed.entries, path
    assert "Ferry" in client.get("/feeds/blindspot.atom").text
    assert client.get("/feeds/country/XX.rss").status_code == 404
    opml = client.get("/opml")
    assert opml.status_code == 200 and opml.headers["content-type"].startswith("text/x-opml")
    import defusedxml.ElementTree as ET

    root = ET.fromstring(opml.content)
    assert root.tag == "opml" and root.find("body") is not None


def test_openapi_schema_served_without_cdn_docs(site: tuple[TestClient, dict[str, Any]]) -> None:
    client, _ = site
    schema = client.get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    for p in ("/api/v1/stories", "/api/v1/stories/{story_id}", "/api/v1/articles", "/api/v1/articles/{article_id}",
              "/api/v1/countries", "/api/v1/countries/{cc}", "/api/v1/outlets", "/api/v1/search",
              "/api/v1/blindspot"):
        assert p in paths
    assert not any(p.startswith("/story") for p in paths)  # pages are not part of the API schema
    assert client.get("/docs").status_code == 404  # Swagger UI would load from a CDN


@pytest.mark.parametrize("q", ['"', "NEAR(", "\x01\x02", "<b>&amp;", "title:*"])
def test_search_feed_with_hostile_queries(site: tuple[TestClient, dict[str, Any]], q: str) -> None:
    import feedparser

    client, _ = site
    r = client.get("/feeds/search.atom", params={"q": q})
    assert r.status_code == 200
    assert not feedparser.parse(r.content).bozo


def test_head_answers_like_get(site: tuple[TestClient, dict[str, Any]]) -> None:
    client, _ = site
    r = client.head("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")


def test_story_page_of_an_untranslated_story_shows_its_original_summary(tmp_path: Any) -> None:
    """A story with no English yet gets the opening of its first report as summary, marked with its language
    (so screen readers and browsers use the right one) and a note that it is not translated."""
    import datetime as dt
    import hashlib

    from globewire.records import Article
    from globewire.stories.stage import update_stories
    from tests.test_synthesis_headline import DE_BODY

    store = open_store(str(tmp_path / "de.db"))
    at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    ids = []
    for i, (title, body) in enumerate([("Lyon beschließt neue Straßenbahn", DE_BODY),
                                       ("Neue Tramlinie für Lyon", DE_BODY.replace("Montag", "Montagabend"))]):
        url = f"https://zeitung{i}.example.de/lyon-tram"
        ids.append(store.upsert_article(Article(
            url=url, canonical_url=url, title=title, text=body, language="de", published_at=at,
            content_hash=hashlib.sha256(body.encode()).hexdigest()))[0])
    settings = load_settings(data_dir=tmp_path)
    update_stories(store, ids, settings)
    sid = store.story_of_article(ids[0])
    assert sid == store.story_of_article(ids[1])
    with TestClient(create_app(store, settings)) as client:
        html = client.get(f"/story/{sid}").text
    assert "Not translated yet" in html
    assert '<span lang="de">Der Stadtrat von Lyon' in html
    store.close()


# --------------------------------------------------------------------------- blindspot


def _texts(html: str, cls: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(rf'<a class="{cls}"[^>]*>(.*?)</a>', html, re.S)]


def test_blindspot_page_feeds_and_api_share_one_list(site: tuple[TestClient, dict[str, Any]]) -> None:
    client, info = site
    ferry = info["stories"][4]
    html = client.get("/blindspot").text
    assert "Overlooked by United States media" in html and '<a href="/blindspot">Blindspot</a>' in html
    assert f'href="/story/{ferry}"' in html and "Ferry capsizes on Lake Victoria" in html
    # the evidence: the US outlets crawled during the story, not the catalogue's count
    assert "none of the 3 US outlets crawled in that period covered it" in html
    assert "3 United States outlets in the catalogue, 3 crawled successfully so far" in html
    assert 'id="unknown-h"' not in html  # every story's US coverage is known here
    api = client.get("/api/v1/blindspot").json()["items"]
    assert [s["id"] for s in api] == [ferry]
    assert api[0]["blindspot_status"] == "overlooked" and "crawled in that period" in api[0]["blindspot_reason"]
    for fmt in ("rss", "atom"):
        feed = client.get(f"/feeds/blindspot.{fmt}").text
        assert feed.count("/story/") >= 1 and "Ferry capsizes" in feed
    assert client.get("/blindspot", params={"cursor": "nope"}).status_code == 400
    detail = client.get(f"/api/v1/stories/{ferry}").json()["blindspot_detail"]
    assert detail["status"] == "overlooked" and detail["reference_crawled"] == 3


def test_import_only_store_never_claims_a_blindspot(backend: str, tmp_path: Path) -> None:
    """No crawl records (everything imported): nothing is called overlooked, the ferry story says its US
    coverage is unknown, and no page says "none of the N US outlets"."""
    store, done = open_backend(backend, tmp_path)
    try:
        info = fill_store(store, shift_to_now=True, crawled=False)
        with TestClient(create_app(store, load_settings(data_dir=tmp_path))) as client:
            page = client.get("/blindspot").text
            assert "No United States outlet has been crawled successfully yet" in page
            assert "0 crawled successfully so far" in page
            listed = page.split("<main", 1)[1].split('id="unknown-h"', 1)
            assert "/story/" not in listed[0]  # nothing claimed overlooked...
            unknown = listed[1]  # ...the ferry is listed apart, its US coverage unknown
            assert f'href="/story/{info["stories"][4]}"' in unknown and "US coverage unknown" in unknown
            assert client.get("/api/v1/blindspot").json()["items"] == []
            story = client.get(f"/story/{info['stories'][4]}").text
            assert "US coverage unknown: no US outlet was crawled between" in story
            assert 'class="badge blind"' not in story
            for path in ("/", "/blindspot", f"/story/{info['stories'][4]}", f"/api/v1/stories/{info['stories'][4]}",
                         "/feeds/blindspot.rss"):
                assert "none of the" not in client.get(path).text, path
    finally:
        done()


def test_legacy_blindspot_flags_are_not_shown_as_claims(backend: str, tmp_path: Path) -> None:
    """A story synthesised before crawl evidence was required (data without ``status``) is not shown as
    overlooked, whatever its stored reason says."""
    store, done = open_backend(backend, tmp_path)
    try:
        info = fill_store(store, shift_to_now=True)
        ferry = info["stories"][4]
        data = dict(store.get_story(ferry).data)
        data["blindspot"] = {"flag": True, "reason": "none of the 24 US outlets covered it", "countries": ["TZ"]}
        store.save_story_synthesis(ferry, data)
        with TestClient(create_app(store, load_settings(data_dir=tmp_path))) as client:
            assert "24 US outlets" not in client.get(f"/story/{ferry}").text
            assert "24 US outlets" not in client.get("/blindspot").text
            assert client.get(f"/api/v1/stories/{ferry}").json()["blindspot"] is False
    finally:
        done()


# --------------------------------------------------------------------------- search by story


def test_search_groups_hits_by_story(site: tuple[TestClient, dict[str, Any]]) -> None:
    client, info = site
    ferry = info["stories"][4]
    html = client.get("/search", params={"q": "ferry"}).text
    titles = _texts(html, "pg-title")
    assert html.count(f'href="/story/{ferry}"') == 1  # the story once, not once per article
    assert titles[0] == "Ferry capsizes on Lake Victoria near Bukoba, 23 confirmed dead"  # best match first
    hits = re.findall(r'<a class="hl" href="/article/(\d+)"', html)
    assert len(hits) >= 4 and len(set(hits)) == len(hits)  # its matching articles listed under it
    # the untitled article in no story: shown, clickable, with a title made from its own words
    lone = f'<a class="pg-title" href="/article/{info["untitled"]}">'
    assert lone in html
    derived = html.split(lone, 1)[1].split("</a>", 1)[0]
    assert derived.startswith("Survivors of the ferry that capsized") and len(derived) <= 91
    assert "Article, in no story yet" in html
    assert not PLACEHOLDER.search(html)
    api = client.get("/api/v1/search/stories", params={"q": "ferry"}).json()
    assert [g["title"] for g in api["items"]] == titles  # the same query function behind both
    assert api["items"][0]["story"]["id"] == ferry and api["items"][0]["url"] == f"/story/{ferry}"
    assert all(h["display_title"] for g in api["items"] for h in g["hits"])
    assert api["items"][-1]["story"] is None and api["items"][-1]["hits"][0]["id"] == info["untitled"]


def test_search_groups_page_with_a_cursor(site: tuple[TestClient, dict[str, Any]]) -> None:
    client, _ = site
    everything = [g["url"] for g in client.get("/api/v1/search/stories", params={"q": "the"}).json()["items"]]
    assert len(everything) >= 3
    seen, cursor = [], None
    while True:
        params = {"q": "the", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/search/stories", params=params).json()
        seen += [g["url"] for g in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == everything
    html = client.get("/search", params={"q": "the"}).text
    assert len(_texts(html, "pg-title")) == len(everything)
    bad = client.get("/api/v1/search/stories", params={"q": "the", "cursor": "eyJpZCI6MX0"})
    assert bad.status_code == 400


# --------------------------------------------------------------------------- country pages


def test_country_page_pages_on_by_publication_time(site: tuple[TestClient, dict[str, Any]]) -> None:
    client, info = site
    store = info["store"]
    de_ids = {int(r.id) for r in store.country_articles("DE", limit=1000)}
    assert len(de_ids) == sum(r["country"] == "DE" for r in info["rows"]) + 40  # the corpus's and the archive
    html = client.get("/country/DE").text
    assert "More articles" in html
    pages, path, times = [], "/country/DE", []
    while path:
        html = client.get(path).text
        section = html.split('id="articles"', 1)[1].split("</section>", 1)[0]
        pages.append([int(i) for i in re.findall(r'<a class="hl" href="/article/(\d+)"', section)])
        m = re.search(r'href="(/country/DE\?cursor=[^"#]+)#articles"', html)
        path = m.group(1).replace("&amp;", "&") if m else ""
    order = [i for p in pages for i in p]
    assert len(pages) == 2 and len(pages[0]) == 30
    assert len(order) == len(set(order)) and set(order) == de_ids
    by_id = {int(r.id): r for r in store.article_rows(order)}
    times = [by_id[i].published_at or by_id[i].fetched_at for i in order]
    assert times == sorted(times, reverse=True)  # newest publication first, undated by fetch time
    assert any(by_id[i].published_at is None for i in order)  # the archive has undated articles...
    assert "(no publication date)" in client.get("/country/DE").text  # ...shown with their fetch time, marked
    api = client.get("/api/v1/countries/DE").json()
    assert [a["id"] for a in api["articles"]] == pages[0] and api["next_cursor"]
    more = client.get("/api/v1/countries/DE", params={"cursor": api["next_cursor"]}).json()
    assert [a["id"] for a in more["articles"]] == pages[1] and more["next_cursor"] is None
    assert client.get("/country/DE", params={"cursor": "garbage"}).status_code == 400


# --------------------------------------------------------------------------- outlets


def _outlet_names(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(r'<th scope="row" class="pg-name">(.*?)</th>', html, re.S)]


def test_outlets_page_filters_without_script(site: tuple[TestClient, dict[str, Any]]) -> None:
    client, info = site
    page = client.get("/outlets").text
    every = _outlet_names(page)
    assert len(every) >= 20
    shown = re.findall(r'<td data-label="Country"><a href="/country/[A-Z]{2}">([^<]+)</a>', page)
    assert len(shown) == len(every) and shown == sorted(shown)  # by country name, as a reader scans it
    html = client.get("/outlets", params={"country": "DE"}).text
    de = {r.get("outlet_name") or r["outlet"] for r in info["rows"] if r["country"] == "DE"}
    assert len(de) >= 3 and sorted(_outlet_names(html)) == sorted(de)
    assert '<form class="pg-filters" action="/outlets" method="get"' in html
    assert '<option value="DE" selected>' in html
    german = _outlet_names(client.get("/outlets", params={"language": "de"}).text)
    assert german and set(german) <= set(every)
    failing = _outlet_names(client.get("/outlets", params={"health": "failing"}).text)
    assert failing == ["Marca"]
    ok = _outlet_names(client.get("/outlets", params={"health": "ok"}).text)
    assert "Marca" not in ok and len(ok) == len(every) - 1
    none = client.get("/outlets", params={"country": "DE", "health": "failing"}).text
    assert "No outlet matches these filters." in none
    api = client.get("/api/v1/outlets", params={"health": "failing"}).json()["items"]
    assert [o["name"] for o in api] == ["Marca"] and api[0]["health"] == "failing"
    api_de = client.get("/api/v1/outlets", params={"country": "DE", "language": "de"}).json()["items"]
    assert {o["country"] for o in api_de} == {"DE"} and all("de" in o["languages"] for o in api_de)
    assert "Unknown health state." in client.get("/outlets", params={"health": "great"}).text
    assert client.get("/api/v1/outlets", params={"health": "great"}).status_code == 422


# --------------------------------------------------------------------------- every page


def test_no_page_shows_a_placeholder_or_an_empty_link(site: tuple[TestClient, dict[str, Any]]) -> None:
    client, info = site
    paths = ["/", "/blindspot", "/outlets", "/search?q=ferry", "/search?q=earthquake", "/search?q=the",
             "/country/DE", "/country/TZ", *[f"/story/{s}" for s in info["stories"]]]
    for path in paths:
        html = client.get(path).text
        assert not PLACEHOLDER.search(html), (path, PLACEHOLDER.search(html))


def test_read_errors_are_caught_on_either_backend(backend: str, tmp_path: Path) -> None:
    """A broken translations table (a half-restored backup) must not take the search or article pages down:
    the read model catches the backend's own database errors (sqlite3.Error, psycopg.Error)."""
    store, done = open_backend(backend, tmp_path)
    try:
        info = fill_store(store, shift_to_now=True)
        # a renamed column rather than a dropped table: PostgreSQL would find a dropped table again in public
        store.execute("ALTER TABLE translations RENAME COLUMN title_en TO title_en_gone")
        with pytest.raises(store.error_types):  # the break is real on this backend...
            store.english_texts([info["articles"][3]])
        with TestClient(create_app(store, load_settings(data_dir=tmp_path)), raise_server_exceptions=False) as client:
            r = client.get("/search", params={"q": "ferry"})
            assert r.status_code == 200 and "Ferry capsizes" in r.text
            a = client.get(f"/article/{info['articles'][3]}")  # ...and the pages survive it
            assert a.status_code == 200 and "Japan, China und Südkorea vereinbaren" in a.text
    finally:
        done()
