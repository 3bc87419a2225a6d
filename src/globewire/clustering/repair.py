"""Periodic repair of the stories touched by a clustering run.

- **split**: single-link joining can chain two events together through one ambiguous article. The members
  of a touched story are re-grouped by average-link agglomeration over the pairwise same-story
  probabilities; if that yields two or more groups of at least ``SPLIT_MIN_GROUP`` articles whose average
  link is below ``SPLIT_LINK``, every group but the main one (the largest; ties: the one holding the oldest
  article) becomes a new story. The main group keeps the story's id, so a running story keeps its id.
- **merge**: two stories that converge (same event found separately, e.g. first reported in two languages)
  are merged when the average pairwise probability between their (newest) members is >= ``MERGE_LINK``. The older
  story (lower id) survives; the other one points to it (``merged_into``).

``MERGE_LINK`` > ``SPLIT_LINK`` leaves a band where nothing happens, so repairs never flip-flop. Both are
set on the calibrated probability scale of ``similarity.py`` (hand-set, not fitted: the SemEval pairs have
no story structure). On the fixture corpus, each event split in two stories of two articles (different
languages) has a merge link of 0.84–0.92; 0.70 asks for clearly more than "likely". Below 0.35 a typical
cross pair is more likely a different story than the same one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from globewire.log import get_logger
from globewire.clustering.cluster import CANDIDATES, WindowState

log = get_logger(__name__)

MERGE_LINK = 0.70
SPLIT_LINK = 0.35
SPLIT_MIN_MEMBERS = 4  # stories smaller than this are never split
SPLIT_MIN_GROUP = 2  # a split-off group has at least this many articles (singletons stay where they are)
MAX_MEMBERS = 60  # at most this many (newest) members take part in a split check (cost is quadratic)
MERGE_SAMPLE = 8  # members per story compared for a merge (newest first): at most 64 pair scores
MERGE_MIN_MEMBERS = 2
MERGE_CANDIDATES = 3  # other stories examined per touched story (nearest to its centroid)
# Stories whose nearest member is below this lead cosine to the centroid are not examined: on the SemEval
# pairs no pair with a lead cosine below 0.40 reaches the join threshold.
MERGE_MIN_COS = 0.40


@dataclass
class RepairPlan:
    merges: list[tuple[int, int]] = field(default_factory=list)  # (keep, gone)
    splits: list[tuple[int, list[int]]] = field(default_factory=list)  # (story, article ids moved out)


def _prob_matrix(state: WindowState, ids: list[int]) -> np.ndarray:
    n = len(ids)
    p = np.eye(n)
    sigs = [state.members[i].signals for i in ids]
    for i in range(n):
        for j in range(i + 1, n):
            p[i, j] = p[j, i] = state.pair_score(sigs[i], sigs[j])
    return p


def average_link_groups(p: np.ndarray, threshold: float) -> list[list[int]]:
    """Agglomerate indexes while the best average link is >= threshold (deterministic: ties -> lowest)."""
    groups: list[list[int]] = [[i] for i in range(p.shape[0])]
    while len(groups) > 1:
        best, pair = -1.0, (0, 0)
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                link = float(p[np.ix_(groups[a], groups[b])].mean())
                if link > best + 1e-12:
                    best, pair = link, (a, b)
        if best < threshold:
            break
        a, b = pair
        groups[a] = sorted(groups[a] + groups[b])
        del groups[b]
    return groups


def plan_split(state: WindowState, story_id: int) -> list[int] | None:
    """Article ids to move out of ``story_id`` (one split per call), or None."""
    ids = sorted(state.stories.get(story_id, []))
    if len(ids) < SPLIT_MIN_MEMBERS:
        return None
    ids = ids[-MAX_MEMBERS:]
    p = _prob_matrix(state, ids)
    groups = [g for g in average_link_groups(p, SPLIT_LINK) if len(g) >= SPLIT_MIN_GROUP]
    if len(groups) < 2:
        return None
    main = max(groups, key=lambda g: (len(g), -min(g)))
    moved = sorted(ids[i] for g in groups if g is not main for i in g)
    return moved or None


def merge_link(state: WindowState, a: int, b: int) -> float:
    ia = sorted(state.stories.get(a, []))[-MERGE_SAMPLE:]
    ib = sorted(state.stories.get(b, []))[-MERGE_SAMPLE:]
    if not ia or not ib:
        return 0.0
    total = 0.0
    for x in ia:
        for y in ib:
            total += state.pair_score(state.members[x].signals, state.members[y].signals)
    return total / (len(ia) * len(ib))


def plan_merge(state: WindowState, story_id: int) -> int | None:
    """The story ``story_id`` should merge with, or None. Only stories of >= 2 articles on both sides: a
    single article that did not join was already judged by the calibrated join threshold."""
    ids = state.stories.get(story_id, [])
    if len(ids) < MERGE_MIN_MEMBERS or state.index is None:
        return None
    centroid = np.mean([state.members[i].signals.lead for i in ids], axis=0)
    keys, cos = state.index.search(centroid, CANDIDATES)
    last = state.story_last.get(story_id, 0.0)
    nearest: dict[int, float] = {}
    for k, c in zip(keys, cos, strict=True):
        m = state.members.get(k)
        if m is None or m.story_id == story_id or c < MERGE_MIN_COS:
            continue
        if len(state.stories.get(m.story_id, [])) < MERGE_MIN_MEMBERS:
            continue
        if abs(state.story_last.get(m.story_id, float("-inf")) - last) > state.window_hours:
            continue
        nearest[m.story_id] = max(nearest.get(m.story_id, -1.0), c)
    shortlist = sorted(nearest, key=lambda sid: (-nearest[sid], sid))[:MERGE_CANDIDATES]
    best, best_link = None, -1.0
    for other in sorted(shortlist):
        link = merge_link(state, story_id, other)
        if link > best_link + 1e-12:
            best, best_link = other, link
    return best if best is not None and best_link >= MERGE_LINK else None


def plan_merges(state: WindowState, stories: Iterable[int]) -> list[tuple[int, int]]:
    """(keep, gone) merges among ``stories`` (the older id is kept); applied to ``state`` as planned. Also run
    after splits: a group split off a chained story often belongs to a story of its own event that could not
    merge with the chained one before the split (its average link to the mixed story was too low)."""
    merges: list[tuple[int, int]] = []
    for sid in sorted(set(stories)):
        if sid not in state.stories:
            continue
        other = plan_merge(state, sid)
        if other is not None:
            keep, gone = min(sid, other), max(sid, other)
            state.rename_story(gone, keep)
            merges.append((keep, gone))
    return merges


def plan_repairs(state: WindowState, touched: Iterable[int]) -> RepairPlan:
    """What to merge and split among the touched stories (and the stories the clusterer found suspect since
    the last pass, ``state.suspects``); applies the merges to ``state`` as it plans."""
    plan = RepairPlan()
    touched = set(touched) | state.suspects
    state.suspects = set()
    plan.merges = plan_merges(state, touched)
    for sid in sorted({keep for keep, _ in plan.merges} | set(touched)):
        if sid not in state.stories:
            continue
        moved = plan_split(state, sid)
        if moved:
            plan.splits.append((sid, moved))
    return plan
