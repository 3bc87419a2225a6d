"""The read side never shows a placeholder, an unnamed source or an undated story (issue 13 items 3-5):
rows stored before the checks existed (junk titles, no outlet, a placeholder headline) are presented right
on the pages, the JSON API, the feeds and the export. Real SQLite file, real app."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from globewire.headline import is_good_headline
from globewire.records import Article
from globewire.settings import load_settings
from globewire.store import open_store
from globewire.stories.export import export_stories
from globewire.web.app import create_app

PUB = dt.datetime(2024, 11, 5, 9, 10, tzinfo=dt.UTC)
LEAD_DE = ("Die Landesregierung in Dresden hat am Dienstag ein Programm für den Ausbau der Radwege beschlossen. "
           "Bis 2030 sollen 500 Kilometer neue Wege entstehen.")
LEAD_EN = ("The state government in Dresden on Tuesday approved a programme to expand cycle paths across Saxony. "
           "By 2030, 500 kilometres of new paths are to be built.")


def _art(url: str, title: str, text: str, **kw: Any) -> Article:
    return Article(url=url, canonical_url=url, title=title, text=text, content_hash=str(hash(url + text)), **kw)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Any, dict[str, int]]]:
    path = tmp_path_factory.mktemp("reader") / "reader.db"
    store = open_store(str(path))
    # stored as an old ingest would have: junk titles, no outlet, no site name for one
    a = store.upsert_article(_art("https://www.mdr.de/nachrichten/sachsen/radwege-100.html", "- Get link", LEAD_DE,
                                  language="de", country="DE", site_name="MDR.DE", published_at=PUB))[0]
    b = store.upsert_article(_art("https://www.business-standard.com/world-news/saxony-cycle-paths.html",
                                  "Tuesday, November 5, 2024 | 09:10 AM IST", LEAD_EN, language="en"))[0]
    c = store.upsert_article(_art("https://www.jungewelt.de/artikel/1234.html", "", LEAD_DE + " Kritik kam von "
                                  "Umweltverbänden.", language="de", country="DE", site_name="junge Welt",
                                  published_at=PUB + dt.timedelta(hours=3)))[0]
    sid = store.create_story([a, b, c], at=PUB)
    store.save_story_synthesis(sid, {"headline": f"Story {sid}", "headline_language": "en",
                                     "summary": [{"text": LEAD_EN.split(". ")[0] + ".", "article_id": b}],
                                     "countries_covering": ["DE"], "outlets": []})
    app = create_app(store, load_settings(data_dir=path.parent))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, store, {"a": a, "b": b, "c": c, "story": sid}
    store.close()


def test_story_page_has_a_real_headline_named_sources_and_no_placeholder(site) -> None:
    client, _, ids = site
    html = client.get(f"/story/{ids['story']}").text
    assert f"Story {ids['story']}" not in html and "unknown outlet" not in html
    h1 = re.search(r"<h1>(.*?)</h1>", html, re.DOTALL).group(1).strip()
    assert h1.startswith("The state government in Dresden") and is_good_headline(h1, "en")
    for name in ("MDR.DE", "business-standard.com", "junge Welt"):
        assert name in html
    assert "Get link" not in html and "09:10 AM IST" not in html


def test_api_story_and_articles(site) -> None:
    client, _, ids = site
    s = client.get(f"/api/v1/stories/{ids['story']}").json()
    assert is_good_headline(s["headline"], "en")
    assert s["first_seen"].startswith("2024-11-05T09:10") and s["last_updated"].startswith("2024-11-05T12:10")
    assert s["date_source"] == "published"
    items = client.get("/api/v1/articles?limit=10").json()["items"]
    assert len(items) == 3
    for it in items:
        assert it["outlet_name"], it
        assert is_good_headline(it["title"], it["language"]), it["title"]
    art = client.get(f"/api/v1/articles/{ids['b']}").json()
    assert art["outlet_name"] == "business-standard.com"
    assert art["title"].startswith("The state government in Dresden")


def test_feeds_and_export_carry_no_placeholder(site) -> None:
    client, store, ids = site
    rss = client.get("/feeds/world.rss").text
    assert f"Story {ids['story']}" not in rss and "<title></title>" not in rss
    buf = io.StringIO()
    export_stories(store, buf)
    rec = json.loads(buf.getvalue().splitlines()[0])
    assert rec["date_source"] == "published"
    assert rec["id"] == ids["story"] and is_good_headline(rec["headline"], "en")
    assert rec["headline"].startswith("The state government in Dresden")
