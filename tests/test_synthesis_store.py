"""Synthesis round trip through a real SQLite store: corpus in, stories out, queries by country/blindspot."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from globewire.records import Article, FetchResult, Outlet
from globewire.store import open_store
from globewire.config.stories import StorySettings
from globewire.stories.synthesis import ArticleView, related_stories, synthesise_story
from tests.test_synthesis_corpus import EXPECTED, load_records


def test_corpus_through_sqlite(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "gw.db"))
    outlets = [Outlet(o, m["name"], f"https://{o}.example", m["country"], (m["language"],))
               for o, m in EXPECTED["outlets"].items()]  # fmt: skip
    store.sync_outlets(outlets)
    ids: dict[str, int] = {}
    for r in (
        load_records()
    ):  # the updated NYT article arrives twice: the store keeps one row, latest text
        a = Article(url=r["url"], canonical_url=r["url"], title=r["title"], text=r["text"], outlet_id=r["outlet"],
                    country=r["country"], language=r["language"], published_at=datetime.fromisoformat(r["published_at"]),
                    content_hash=hashlib.sha256(r["text"].encode()).hexdigest())  # fmt: skip
        aid, _ = store.upsert_article(a)
        ids[r["url"]] = aid
        if r.get("title_en"):
            store.save_translation(
                aid, r["title_en"], r["text_en"], [], "fixture", "hand-written"
            )
    syn = EXPECTED["syndicated"]
    store.set_duplicate(ids[syn["copy"]], ids[syn["original"]], 1.0)

    settings = StorySettings()
    ref = store.reference_outlet_count(settings.reference_country)
    assert ref == 3
    story_of: dict[str, int] = {}
    views_of: dict[str, list[ArticleView]] = {}
    for event, exp in EXPECTED["events"].items():
        art_ids = [ids[u] for u in exp["urls"]]
        sid = store.create_story(art_ids, at=datetime(2025, 9, 30, tzinfo=UTC))
        english = store.english_texts(art_ids)
        views = []
        for a in store.get_articles(art_ids):
            assert a.id is not None
            t_en, x_en = english.get(a.id, (None, None))
            views.append(ArticleView(a.id, a.outlet_id, EXPECTED["outlets"][a.outlet_id or ""]["name"], a.country,
                                     a.language, a.title, a.text, t_en, x_en, a.published_at, a.duplicate_of))  # fmt: skip
        data = synthesise_story(sid, views, settings=settings, reference_outlets=ref)
        store.save_story_synthesis(sid, data)
        story_of[event] = sid
        views_of[event] = views

    # nothing was crawled (an imported store): no story is called overlooked, the ferry's US coverage is unknown
    assert store.list_stories(blindspot=True) == []
    got = store.get_story(story_of["ferry-lake-victoria"])
    assert got is not None and got.data["blindspot"]["status"] == "unknown"
    assert "US coverage unknown" in got.data["blindspot"]["reason"]
    # the three US outlets' feeds answered during the ferry story: now it is a blindspot, with that evidence
    ferry_at = min(datetime.fromisoformat(r["published_at"]) for r in load_records()
                   if r["url"] in EXPECTED["events"]["ferry-lake-victoria"]["urls"])
    for o, m in EXPECTED["outlets"].items():
        if m["country"] == "US":
            store.record_fetch(FetchResult(url=f"https://{o}.example/rss", final_url=f"https://{o}.example/rss",
                                           status=200, kind="feed", fetched_at=ferry_at + timedelta(hours=2)),
                               outlet_id=o)
    for event, sid in story_of.items():
        views = views_of[event]
        store.save_story_synthesis(sid, synthesise_story(
            sid, views, settings=settings, reference_outlets=ref,
            reference_crawled=lambda a, b: store.outlets_crawled(settings.reference_country, a, b)))
    blind = store.list_stories(blindspot=True)
    assert [s.id for s in blind] == [story_of["ferry-lake-victoria"]]
    got = store.get_story(story_of["ferry-lake-victoria"])
    assert got is not None
    assert "none of the 3 US outlets crawled in that period covered it" in got.data["blindspot"]["reason"]
    assert sorted(got.countries_covering) == sorted(
        EXPECTED["events"]["ferry-lake-victoria"]["countries_covering"]
    )
    chile = {s.id for s in store.list_stories(mentioned="CL")}
    assert chile == {story_of["earthquake-peru"]}
    india = {s.id for s in store.list_stories(country="IN")}
    assert india == {story_of["ecb-rate-cut"]}  # the syndicated copy is Indian coverage
    quake = store.get_story(story_of["earthquake-peru"])
    assert quake is not None
    assert "at least nine" not in " ".join(
        s["text"] for s in quake.data["summary"]
    )  # latest version used

    # as the story stage offers them: each story's synthesis with its id
    stories = [dict(s.data, id=s.id) for sid in story_of.values() if (s := store.get_story(sid))]
    rel = related_stories(stories[0], stories)
    assert stories[0]["id"] not in rel
    store.close()
