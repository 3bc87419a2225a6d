"""Repair (merge converging stories, split drifting ones) and the bounded candidate search, on a real store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from globewire.store import open_store
from globewire.clustering import similarity as sim
from globewire.clustering.cluster import CANDIDATES, WindowState
from globewire.clustering.embed import normalise_rows
from globewire.clustering.index import EXACT_MAX, VectorIndex
from globewire.stories.stage import update_stories
from tests.test_cluster_corpus import EXPECTED, load_corpus, settings_for


def _event_ids(ids: dict[str, int], event: str) -> list[int]:
    return sorted(ids[u] for u in EXPECTED["events"][event]["urls"])


def test_converging_stories_merge_and_the_older_keeps_its_id(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "gw.db"))
    ids = load_corpus(store)
    quake = _event_ids(ids, "earthquake-peru")
    at = dt.datetime(2025, 5, 14, 12, tzinfo=dt.UTC)
    # the same event found twice, e.g. first reported in two languages: two stories of two articles each
    first = store.create_story(quake[:2], at=at)
    second = store.create_story(quake[2:4], at=at)
    report = update_stories(store, quake[4:], settings_for(tmp_path))
    assert report.merged >= 1
    assert store.story_of_article(quake[0]) == first
    assert all(store.story_of_article(a) == first for a in quake)
    gone = store.get_story(second)
    assert gone is not None and gone.merged_into == first
    assert "merged" in [u.kind for u in store.story_timeline(first)]
    assert second not in store.all_story_ids()
    store.close()


def test_a_story_holding_two_events_is_split(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "gw.db"))
    ids = load_corpus(store)
    ecb = _event_ids(ids, "ecb-rate-cut")
    ferry = _event_ids(ids, "ferry-lake-victoria")
    at = dt.datetime(2025, 6, 5, 12, tzinfo=dt.UTC)
    # a chained story: the ECB decision and the ferry disaster, wrongly together (as single link could do)
    mixed = store.create_story(ecb[:3] + ferry[:3], at=at)
    # the rest arrives and joins it; repair of the touched story finds the two groups and splits them
    report = update_stories(store, ecb[3:] + ferry[3:], settings_for(tmp_path))
    assert report.split == 1
    ecb_story = store.story_of_article(ecb[0])
    ferry_story = store.story_of_article(ferry[0])
    assert ecb_story != ferry_story
    assert all(store.story_of_article(a) == ecb_story for a in ecb)
    assert all(store.story_of_article(a) == ferry_story for a in ferry)
    assert mixed in (ecb_story, ferry_story)  # the main group keeps the id
    assert "split" in [u.kind for u in store.story_timeline(mixed)]
    store.close()


def test_candidate_count_is_bounded_whatever_the_window_size() -> None:
    rng = np.random.default_rng(3)
    dim = 64
    topics = normalise_rows(rng.standard_normal((50, dim)))
    sizes = (500, EXACT_MAX + 1500)
    for n in sizes:
        state = WindowState(window_hours=72.0, dim=dim)
        t = rng.integers(0, 50, n)
        vecs = normalise_rows(topics[t] + 0.05 * rng.standard_normal((n, dim)))
        for i in range(n):
            state.add(i + 1, int(t[i]) + 1, 100.0, sim.DocSignals(lead=vecs[i]))
        q = normalise_rows(topics[7] + 0.05 * rng.standard_normal(dim))[0]
        d = state.decide(10**6, 100.0, sim.DocSignals(lead=q), None, None)
        assert 0 < d.candidates <= CANDIDATES
        assert d.story_id == 8  # the topic's story wins


def test_index_search_is_exact_when_small_and_finds_neighbours_when_large() -> None:
    rng = np.random.default_rng(5)
    dim = 32
    vecs = normalise_rows(rng.standard_normal((EXACT_MAX + 500, dim)))
    ix = VectorIndex(dim)
    ix.add(np.arange(1, 101), vecs[:100])
    keys, sims = ix.search(vecs[10], k=5)
    assert keys[0] == 11 and abs(sims[0] - 1.0) < 1e-5
    ix.add(np.arange(101, len(vecs) + 1), vecs[100:])
    keys, sims = ix.search(vecs[2000], k=5)
    assert keys[0] == 2001 and sims[0] > 0.95
    ix.remove([2001])
    keys, _ = ix.search(vecs[2000], k=5)
    assert 2001 not in keys and len(ix) == len(vecs) - 1


def test_index_compacts_after_many_removals_and_still_finds_the_rest() -> None:
    rng = np.random.default_rng(9)
    dim = 32
    vecs = normalise_rows(rng.standard_normal((EXACT_MAX + 1000, dim)))
    ix = VectorIndex(dim)
    ix.add(np.arange(len(vecs)), vecs)
    ix.remove(list(range(EXACT_MAX + 500)))  # more tombstones than live entries: the graph is rebuilt
    assert len(ix) == 500
    keys, sims = ix.search(vecs[-3], k=3)
    assert keys[0] == len(vecs) - 3 and sims[0] > 0.95
    assert all(k >= EXACT_MAX + 500 for k in keys)
