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


def open_backend(backend: str, folder: Path) -> tuple[Any, Callable[[], None]]:
    """A fresh store of ``backend`` ("sqlite": a file in ``folder``; "postgresql": a new schema on the test
    server) and the function that closes and removes it. Skips when PostgreSQL is not reachable."""
    if backend == "sqlite":
        store = open_store(str(folder / "site.db"))
        return store, store.close
    from tests.test_store_contract import PG_BASE, drop_schema, pg_reachable

    reason = pg_reachable()
    if reason:
        pytest.skip(reason)
    schema = "t_" + uuid.uuid4().hex[:12]
    store = open_store(f"{PG_BASE}?schema={schema}")

    def done() -> None:
        store.close()
        drop_schema(schema)

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
    # No-JS fallback: countries with articles link to their page, with their counts.
    assert 'href="/country/DE"' in html and 'href="/country/TZ"' in html
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
    assert "Deutsche Welle" in html and "not fetched" in html
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
