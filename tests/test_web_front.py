"""The reader's front (web/front.py): globe windows and their fallback, story cards, the story and article
pages with their JSON twins, and where a non-English article's English stands — over a real SQLite store
filled through the store's methods (tests/browser/frontcorpus.py)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from globewire.settings import load_settings
from globewire.store import open_store
from globewire.web.app import create_app
from globewire.web.front import ArticleTranslation, article_translation, flag, source_name
from tests.browser.frontcorpus import UNAVAILABLE, fill_front_store

PLACEHOLDER = re.compile(r"\b(Story|Article) \d+\b")


def _client(path: Path, *, shift_to_now: bool = True, **translate: Any) -> tuple[TestClient, Any, dict[str, Any]]:
    store = open_store(str(path / "front.db"))
    info = fill_front_store(store, picture_base="https://pictures.example", shift_to_now=shift_to_now)
    settings = load_settings(data_dir=path)
    if translate:
        settings.translate = settings.translate.model_copy(update=translate)
    return TestClient(create_app(store, settings), raise_server_exceptions=False), store, info


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Any, dict[str, Any]]]:
    client, store, info = _client(tmp_path_factory.mktemp("front"))
    with client:
        yield client, store, info
    store.close()


def _main(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


def test_flags_are_regional_indicators_of_real_codes() -> None:
    assert flag("DE") == "\U0001F1E9\U0001F1EA" and flag("de") == flag("DE")
    assert flag("XK") == "\U0001F1FD\U0001F1F0"  # Kosovo's user-assigned code has a flag too
    assert flag("ZZ") == flag("") == flag(None) == flag("DEU") == flag("1A") == ""


def test_source_is_named_from_the_row_else_its_host() -> None:
    assert source_name({"outlet_name": "El País", "site_name": "EL PAÍS", "url": "https://elpais.com/x"}) == "El País"
    assert source_name({"outlet_name": None, "site_name": "junge Welt", "url": "https://www.jungewelt.de/a"}) == "junge Welt"
    assert source_name({"url": "https://www.mdr.de/nachrichten/x.html"}) == "mdr.de"


def test_default_window_is_the_smallest_with_news_and_the_page_says_so(site: Any) -> None:
    client, _, _ = site
    page = client.get("/").text
    assert 'aria-current="true" class="on">24 hours<' in page
    assert "Showing the last 24 hours: 6 articles from 6 countries." in page
    api = client.get("/api/v1/front").json()
    assert (api["window_key"], api["fallback"]) == ("24h", False)
    assert sum(c["articles"] for c in api["items"]) == 6


def test_window_changes_the_counts_in_page_and_api(site: Any) -> None:
    client, _, _ = site
    day = {c["cc"]: c["articles"] for c in client.get("/api/v1/countries?window=24h").json()["items"]}
    ever = {c["cc"]: c["articles"] for c in client.get("/api/v1/countries?window=all").json()["items"]}
    assert day["TZ"] == 0 and ever["TZ"] >= 1 and sum(ever.values()) > sum(day.values())
    page = client.get("/?window=all").text
    assert f"Showing all time: {sum(ever.values())} articles from" in page
    assert re.search(r'href="/country/TZ"><span class="flag" aria-hidden="true">[^<]+</span> Tanzania</a> '
                     rf'<span class="n">{ever["TZ"]}</span>', page)
    assert client.get("/?window=week").status_code == 400
    assert client.get("/api/v1/countries?window=week").status_code == 422
    assert client.get("/api/v1/front?window=1d").status_code == 422


def test_old_archive_falls_back_to_all_time(tmp_path: Path) -> None:
    client, store, _ = _client(tmp_path, shift_to_now=False)  # every article is from 2025
    with client:
        api = client.get("/api/v1/front").json()
        assert (api["window_key"], api["window"], api["fallback"]) == ("all", "all time", True)
        assert sum(c["articles"] for c in api["items"]) > 30
        page = client.get("/").text
        assert "nothing was published in the last 30 days" in page
        assert 'class="on">All time<' in page
        # asked for explicitly, an empty window stays empty (and says so by its counts)
        assert sum(c["articles"] for c in client.get("/api/v1/countries?window=7d").json()["items"]) == 0
    store.close()


def test_home_cards_match_the_api_twin(site: Any) -> None:
    client, _, info = site
    html = _main(client.get("/").text)
    top = html.split('id="top-h"', 1)[1].split('id="blind-h"', 1)[0]
    page_ids = [int(i) for i in re.findall(r'<h3 class="card-h"><a class="headline" href="/story/(\d+)"', top)]
    api = client.get("/api/v1/front").json()
    assert page_ids == [c["id"] for c in api["top"]] and len(page_ids) == 7
    for c in api["top"]:
        assert c["date"]["at"] and c["date"]["kind"] == "published"
        assert c["sources"] and all(o["name"] and o["flag"] for o in c["sources"])
        assert abs(sum(seg["share"] for seg in c["coverage"]) - 100) < 0.1
        assert c["summary_line"]
    pictured = [c for c in api["top"] if c["image"]]
    assert len(pictured) == 5 and all(c["image"].startswith("/img?u=https%3A%2F%2Fpictures.example") for c in pictured)
    flood = next(c for c in api["top"] if c["id"] == info["flood_story"])
    assert flood["english"]["state"] == "unavailable" and flood["english"]["articles"] == 2
    assert not PLACEHOLDER.search(html) and "unknown outlet" not in html.lower()
    assert html.count("<time datetime=") >= len(page_ids)


def test_story_page_and_api_share_one_read(site: Any) -> None:
    client, _, info = site
    sid = info["stories"][1]
    html = _main(client.get(f"/story/{sid}").text)
    api = client.get(f"/api/v1/stories/{sid}").json()
    timeline = html.split('id="tl-h"', 1)[1].split("</section>", 1)[0]
    page_pubs = [int(i) for i in re.findall(r'href="/article/(\d+)"', timeline)]
    assert page_pubs == [p["article_id"] for p in api["publications"]]
    assert [p["at"] for p in api["publications"]] == sorted(p["at"] for p in api["publications"])
    assert {a["id"] for a in api["articles"]} == set(page_pubs)
    assert all(a["source_name"] for a in api["articles"])
    for o in api["sources"]:
        assert o["name"] in html
    assert api["related"] and all(r["date"]["at"] for r in api["related"])
    assert api["image"] and api["image"] in html.replace("&amp;", "&")
    assert not PLACEHOLDER.search(html)


def test_untranslated_story_and_articles_say_why_and_what_fixes_it(site: Any) -> None:
    client, _, info = site
    html = _main(client.get(f"/story/{info['flood_story']}").text)
    assert "Not in English yet" in html and UNAVAILABLE.replace("'", "&#39;") in html
    assert "globewire translate --lang pl" in html and "not tried yet" in html
    cz = client.get(f"/api/v1/articles/{info['flood'][1]}").json()
    assert cz["english"]["state"] == "pending" and "`globewire translate`" in cz["english"]["fix"]
    assert cz["source_name"] == "ČT24" and cz["published_at"] is None
    pl = client.get(f"/article/{info['flood'][0]}").text
    assert "No English translation yet" in pl and "Gazeta Wrocławska" in pl
    # translated and English articles say nothing
    assert client.get(f"/api/v1/articles/{info['articles'][6]}").json()["english"] is None
    assert "tr-status" not in client.get(f"/article/{info['articles'][2]}").text


def test_translation_states_from_the_store(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "t.db"))
    info = fill_front_store(store)
    aid = info["flood"][1]
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)

    def state(backend: str = "ctranslate2") -> ArticleTranslation | None:
        return article_translation(store.translation_states([aid])[aid], "cs", backend)

    assert state().state == "pending"
    assert state("none").state == "off" and "GLOBEWIRE_TRANSLATE__BACKEND" in state("none").fix
    store.mark_translation_failed(aid, "HTTP 502 from the translator", soon)
    s = state()
    assert s.state == "failed" and "HTTP 502" in s.reason and "Retried automatically after" in s.fix
    store.mark_translation_failed(aid, "HTTP 502 again", None)
    s = state()
    assert s.attempts == 2 and "Given up after 2 attempts" in s.fix and "--redo --lang cs" in s.fix
    store.save_translation(aid, "The Oder falls", "The Oder falls in Ostrava.", [], "fixture", "hand")
    assert state() is None
    store.save_translation(aid, "The Oder falls", "Old text.", [], "fixture", "hand", content_hash="older")
    s = state()
    assert s.state == "pending" and "changed since" in s.reason
    store.close()


def test_a_story_without_headline_shows_a_title_never_a_placeholder(tmp_path: Path) -> None:
    client, store, info = _client(tmp_path)
    sid = store.create_story([info["articles"][22]], at=dt.datetime.now(dt.UTC))  # no synthesis: no headline
    with client:
        html = client.get(f"/story/{sid}").text
        assert "Ferry capsizes on Lake Victoria near Bukoba" in html and not PLACEHOLDER.search(_main(html))
    store.close()


def test_same_event_elsewhere_is_shown_apart_from_related(tmp_path: Path) -> None:
    client, store, info = _client(tmp_path)
    quake, ecb = info["stories"][1], info["stories"][3]
    data = store.get_story(quake).data
    data["coverage_elsewhere"] = [{"story_id": ecb, "score": 0.61, "headline": "", "countries": [], "languages": []}]
    store.save_story_synthesis(quake, data)
    with client:
        api = client.get(f"/api/v1/stories/{quake}").json()
        assert [c["id"] for c in api["elsewhere"]] == [ecb] and ecb not in [c["id"] for c in api["related"]]
        html = client.get(f"/story/{quake}").text
        section = html.split('id="else-h"', 1)[1].split("</section>", 1)[0]
        assert f'href="/story/{ecb}"' in section and "European Central Bank" in section
    store.close()


def test_countries_and_takes_of_the_second_tier_are_counted_apart_and_marked(tmp_path: Path) -> None:
    """Countries only a "coverage elsewhere" story adds are counted beside the story's own ("+2 countries likely
    the same event"), never in them; their takes are listed under the story's, each marked and linked to its
    story; the API says the same."""
    client, store, info = _client(tmp_path)
    quake, ecb = info["stories"][1], info["stories"][3]
    data = store.get_story(quake).data
    own = list(data["countries_covering"])
    data["countries_elsewhere"] = ["CL", "NZ"]
    data["alternative_takes_elsewhere"] = {"CL": [{"text": "Chile's navy ruled out a tsunami on its coast.",
                                                   "article_id": info["flood"][1], "story_id": ecb,
                                                   "likely_same_event": True}]}
    store.save_story_synthesis(quake, data)
    with client:
        api = client.get(f"/api/v1/stories/{quake}").json()
        assert api["countries_elsewhere"] == ["CL", "NZ"] and api["countries_covering"] == own
        assert api["country_count"] == len(own)
        assert api["alternative_takes_elsewhere"]["CL"] == [{"text": "Chile's navy ruled out a tsunami on its coast.",
                                                             "article_id": info["flood"][1], "story_id": ecb,
                                                             "likely_same_event": True}]
        html = client.get(f"/story/{quake}").text
        head = html.split('class="sub"', 1)[1].split("</p>", 1)[0]
        assert "+2 countries likely the same event" in " ".join(head.split())
        takes = html.split('id="takes-h"', 1)[1].split("</section>", 1)[0]
        assert "Chile's navy ruled out a tsunami" in takes.replace("&#39;", "'")
        assert "likely the same event" in takes and f'href="/story/{ecb}"' in takes
    # a story without a second tier shows neither
    with client:
        other = client.get(f"/api/v1/stories/{ecb}").json()
        assert other["countries_elsewhere"] == [] and other["alternative_takes_elsewhere"] == {}
        assert "likely the same event" not in client.get(f"/story/{ecb}").text
    store.close()


def test_a_broken_translations_table_leaves_pages_up_and_silent_about_english(tmp_path: Path) -> None:
    client, store, info = _client(tmp_path)
    store.execute("ALTER TABLE translations RENAME COLUMN status TO status_gone")  # a half-restored backup
    with client:
        for path in ("/", f"/story/{info['flood_story']}", f"/article/{info['flood'][1]}",
                     f"/api/v1/articles/{info['flood'][1]}"):
            r = client.get(path)
            assert r.status_code == 200, path
            assert "tr-status" not in r.text and "Not in English yet" not in r.text
    store.close()


def test_story_counts_leave_out_an_unknown_country_count() -> None:
    """Stories whose articles have no known country (pasted texts, local files) read "1 article", not
    "0 countries · 1 article"; the same macro serves cards, story pages, search and the blindspot."""
    from globewire.web.app import make_templates

    counts = make_templates().env.get_template("macros.html").module.counts  # type: ignore[attr-defined]
    assert " ".join(str(counts({"country_count": 0, "article_count": 1})).split()) == "1 article"
    assert "2 countries</span> · 3 articles" in str(counts({"country_count": 2, "article_count": 3}))
    assert "1 country</span> · 1 article" in str(counts({"country_count": 1, "article_count": 1}))
