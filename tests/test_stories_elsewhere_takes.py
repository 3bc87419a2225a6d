"""Alternative takes from the second tier ("coverage elsewhere"): the countries that only a linked story adds
get their takes on the story, each marked "likely the same event" with the story it comes from; the story's own
takes are untouched and a story with no links gets none. Through a real SQLite store and the story stage."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from globewire.records import Article, Outlet
from globewire.settings import Settings
from globewire.stories.stage import StoryUpdateReport, synthesise
from globewire.store import open_store
from tests.test_synthesis_corpus import EXPECTED, latest_by_url


def _store_event(tmp_path: Path, event: str):
    store = open_store(str(tmp_path / "gw.db"))
    store.sync_outlets([Outlet(o, m["name"], f"https://{o}.example", m["country"], (m["language"],))
                        for o, m in EXPECTED["outlets"].items()])
    recs = latest_by_url()
    ids: dict[str, int] = {}
    for url in EXPECTED["events"][event]["urls"]:
        r = recs[url]
        aid, _ = store.upsert_article(Article(
            url=url, canonical_url=url, title=r["title"], text=r["text"], outlet_id=r["outlet"], country=r["country"],
            language=r["language"], published_at=datetime.fromisoformat(r["published_at"]),
            content_hash=hashlib.sha256(r["text"].encode()).hexdigest()))
        if r.get("title_en"):
            store.save_translation(aid, r["title_en"], r["text_en"], [], "fixture", "hand-written")
        ids[r["country"]] = aid
    return store, ids


def test_countries_only_the_second_tier_adds_get_marked_takes(tmp_path: Path) -> None:
    store, ids = _store_event(tmp_path, "earthquake-peru")
    here = [ids["PE"], ids["ES"], ids["US"]]
    there = [ids["CL"], ids["FR"]]
    at = datetime(2025, 9, 30, tzinfo=UTC)
    sid = store.create_story(here, at=at)
    other = store.create_story(there, at=at)
    store.link_articles(ids["PE"], [(ids["CL"], 0.61)])  # the clusterer's second-tier link
    report = StoryUpdateReport()
    synthesise(store, [other, sid], Settings(), report)
    assert report.synthesised == 2 and report.synthesis_failures == 0

    data = store.get_story(sid).data
    assert [e["story_id"] for e in data["coverage_elsewhere"]] == [other]
    assert data["countries_elsewhere"] == ["CL", "FR"]
    extra = data["alternative_takes_elsewhere"]
    assert extra, "the linked story's countries say things this story's coverage does not"
    assert set(extra) <= {"CL", "FR"}
    texts_there = {aid: (store.get_articles([aid])[0]) for aid in there}
    for cc, items in extra.items():
        for t in items:
            assert t["likely_same_event"] is True and t["story_id"] == other
            assert t["article_id"] in texts_there and texts_there[t["article_id"]].country == cc
    # the story's own takes come from its own articles only
    assert set(data["alternative_takes"]) <= {"PE", "ES", "US"}
    for items in data["alternative_takes"].values():
        assert all(t["article_id"] in here for t in items)

    # the other side: its link back brings PE/ES/US takes, all marked
    back = store.get_story(other).data
    assert set(back["alternative_takes_elsewhere"]) <= {"PE", "ES", "US"}
    assert all(t["story_id"] == sid for items in back["alternative_takes_elsewhere"].values() for t in items)


def test_a_story_without_second_tier_links_gets_no_extra_takes(tmp_path: Path) -> None:
    store, ids = _store_event(tmp_path, "earthquake-peru")
    sid = store.create_story(list(ids.values()), at=datetime(2025, 9, 30, tzinfo=UTC))
    synthesise(store, [sid], Settings(), StoryUpdateReport())
    data = store.get_story(sid).data
    assert data["coverage_elsewhere"] == [] and data["alternative_takes_elsewhere"] == {}
    assert data["alternative_takes"]  # five countries: its own takes are there
