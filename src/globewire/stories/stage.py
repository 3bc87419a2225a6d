"""The story stage of the pipeline: embed, assign to stories, repair, synthesise.

``update_stories(store, article_ids, settings)`` is what ``globewire.pipeline`` calls after storing a batch;
``globewire cluster`` calls it with every unclustered article. After the translation stage,
``refresh_stories`` (``reconsider_translated``) lets the new English text re-cluster: an article that was a
story of its own because its language could not be compared (or only by the weaker cross-lingual model) joins
the story its English matches, and the repair pass can merge stories that became comparable.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from globewire.log import get_logger
from globewire.naming import source_name
from globewire.validate import clamp_hours, plausible_datetime
from globewire.store.db import parse_iso
from globewire.clustering import boilerplate
from globewire.clustering.calibration import Calibration
from globewire.clustering.calibration import load as load_calibration
from globewire.clustering.cluster import Decision, WindowState, make_input
from globewire.clustering.embed import (
    EmbedderError,
    english_of,
    ensure_embeddings,
    make_embedder,
)
from globewire.clustering.repair import plan_merges, plan_repairs

if TYPE_CHECKING:
    from globewire.settings import Settings
    from globewire.store.base import Store
    from globewire.store.types import StoryRow

log = get_logger(__name__)

BATCH = 500  # articles read, embedded and assigned per step (memory stays flat on a full rebuild)
# A long-running process (``globewire run``) keeps the window state between stage runs, so the members of
# the window are read and tokenised once, not on every crawl round. The state is reused only while the
# store's story tables are exactly as this process left them (fingerprint below); any other writer (a CLI
# `cluster --rebuild`, another worker) makes the next run read the window afresh.
_STATES: dict[tuple[str, str, float], tuple[tuple[int, int, int], WindowState]] = {}
_STATES_LOCK = threading.Lock()
RELATED_CANDIDATES = 200  # recent stories offered to related_stories()
ELSEWHERE_SHOWN = 8  # "coverage elsewhere" stories kept in a story's synthesis
# Alternative takes from the second tier: the articles of at most ELSEWHERE_TAKE_STORIES linked stories (those
# adding countries, best linked first), at most ELSEWHERE_TAKE_ARTICLES per added country, are compared with the
# story's own articles; takes are kept for the countries they add, marked "likely the same event". Bounds the
# cost per synthesis to a handful of extra article reads.
ELSEWHERE_TAKE_STORIES = 3
ELSEWHERE_TAKE_ARTICLES = 2


@dataclass
class StoryUpdateReport:
    articles_in: int = 0
    already_clustered: int = 0
    embedded_or_cached: int = 0
    joined: int = 0
    created: int = 0
    duplicates: int = 0
    merged: int = 0
    split: int = 0
    synthesised: int = 0
    synthesis_failures: int = 0
    recluster_skipped: bool = False  # refresh_stories: the embedder failed, stories only re-synthesised
    touched_story_ids: list[int] = field(default_factory=list)
    seconds: float = 0.0
    assign_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _when(hours: float) -> dt.datetime:
    # Clamped: a window edge computed from an extreme stored date (9999-12-31 + window) must not overflow.
    return dt.datetime.fromtimestamp(clamp_hours(hours) * 3600.0, tz=dt.UTC)


def _stored_time(value: Any) -> dt.datetime | None:
    """A stored publication time as synthesis sees it: None when it is not plausible (a row stored before
    dates were validated, e.g. 9999-12-31), so story dates and windows never rest on it."""
    try:
        d = parse_iso(value) if isinstance(value, str) else value
    except ValueError:
        return None
    return plausible_datetime(d) if isinstance(d, dt.datetime) else None


def ensure_window(store: Store, state: WindowState, lo: float, hi: float, embedder: Any, batch: int) -> int:
    """Read into ``state`` the stored story members with article time in [lo - window, hi + window] that
    are not in memory yet; returns how many were added."""
    w = state.window_hours
    want = (lo - w, hi + w)
    ranges: list[tuple[float, float]] = []
    if state.loaded is None:
        ranges.append(want)
    else:
        a, b = state.loaded
        if want[0] < a:
            ranges.append((want[0], a))
        if want[1] > b:
            ranges.append((b, want[1]))
    state.loaded = want if state.loaded is None else (min(want[0], state.loaded[0]), max(want[1], state.loaded[1]))
    story: dict[int, int] = {}
    for r0, r1 in ranges:
        for r in store.window_members(_when(r0), _when(r1)):
            if int(r["article_id"]) not in state.members:
                story[int(r["article_id"])] = int(r["story_id"])
    ids = sorted(story)
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        arts = boilerplate.clustering_rows(store, chunk)
        english = english_of(store, chunk)
        vecs = ensure_embeddings(store, arts, embedder, batch=batch, english=english)
        for r in arts:
            inp = make_input(r, vecs[int(r["id"])], english.get(int(r["id"])), getattr(embedder, "languages", None))
            state.add(inp.id, story[inp.id], inp.hours, inp.signals)
    return len(ids)


def _fingerprint(store: Store) -> tuple[int, int, int]:
    return store.stories_fingerprint()


def _state_key(store: Store, model: str, window_hours: float) -> tuple[str, str, float]:
    return (str(getattr(store, "path", id(store))), model, float(window_hours))


def _take_state(store: Store, embedder_name: str, settings: Settings) -> tuple[
        tuple[str, str, float], WindowState | None, Calibration]:
    """The key of this store's kept window state, the state itself if it is still valid (taken out of the cache
    while in use; put back under its key when done), and the calibration of the embedder."""
    key = _state_key(store, embedder_name, settings.stories.window_hours)
    with _STATES_LOCK:
        cached = _STATES.pop(key, None)
    state = cached[1] if cached and cached[0] == _fingerprint(store) else None
    calibration = load_calibration(settings.data_dir, embedder_name)
    if state is not None:
        state.calibration = calibration
    return key, state, calibration


def forget_window_states() -> None:
    """Drop the window states kept between runs (tests, or after changing the store behind our back)."""
    with _STATES_LOCK:
        _STATES.clear()


def repair(store: Store, state: WindowState, touched: set[int], report: StoryUpdateReport) -> set[int]:
    """Merge converging and split drifting stories among ``touched``; returns the stories touched now."""
    plan = plan_repairs(state, touched)
    out = set(touched)
    now = _when(state.clock) if state.clock != float("-inf") else dt.datetime.now(dt.UTC)
    with store.tx():
        for keep, gone in plan.merges:
            store.merge_stories(keep, gone, at=now)
            out.discard(gone)
            out.add(keep)
            report.merged += 1
        for sid, moved in plan.splits:
            new_id = store.split_story(sid, moved, at=now)
            for aid in moved:
                state.move(aid, new_id)
            out.add(new_id)
            report.split += 1
        if plan.splits:
            # the separated groups may now merge with the stories of their own events, and an article that
            # the story-level check kept out of the chained story may now join what is left of it
            merges = plan_merges(state, out)
            for sid in sorted(out):
                ids = state.stories.get(sid, [])
                if len(ids) == 1:
                    got = rejoin_single(store, state, ids[0], reason="after split")
                    if got is not None:
                        out.discard(got[1])
                        out.add(got[0])
                        report.merged += 1
            for keep, gone in merges:
                store.merge_stories(keep, gone, at=now)
                out.discard(gone)
                out.add(keep)
                report.merged += 1
    return out


def refresh_vectors(store: Store, article_ids: Sequence[int], embedder: Any, batch: int) -> int:
    """Re-embed the articles whose stored vector is older than their last version (a new version of an article
    already in a story); returns how many. Their story keeps them: the repair pass judges them anew."""
    fresh = store.get_embeddings(list(article_ids), embedder.name, fresh_only=True)
    stale = [i for i in article_ids if i not in fresh]
    if stale:
        ensure_embeddings(store, boilerplate.clustering_rows(store, stale), embedder, batch=batch)
    return len(stale)


def update_stories(store: Store, article_ids: Sequence[int], settings: Settings) -> StoryUpdateReport:
    """Embed what is missing, assign the articles to stories, repair touched stories, synthesise them."""
    t0 = time.perf_counter()
    ss = settings.stories
    report = StoryUpdateReport(articles_in=len(article_ids))
    ids = sorted({int(i) for i in article_ids})
    done = store.stories_of_articles(ids)
    report.already_clustered = len(done)
    ids = [i for i in ids if i not in done]
    embedder = make_embedder(ss) if ids or done else None
    if done and embedder is not None:
        # articles already in stories may carry a new version: their vectors follow their new text
        refresh_vectors(store, sorted(done), embedder, ss.embed_batch)
    if not ids:
        # nothing to assign: re-synthesise the stories of the re-sent articles
        report.touched_story_ids = sorted(set(done.values()))
        _resynthesise(store, report.touched_story_ids, settings, report)
        report.seconds = time.perf_counter() - t0
        return report
    assert embedder is not None
    touched: set[int] = set()
    key, state, calibration = _take_state(store, embedder.name, settings)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        rows = boilerplate.clustering_rows(store, chunk)
        english = english_of(store, chunk)
        vecs = ensure_embeddings(store, rows, embedder, batch=ss.embed_batch, english=english)
        report.embedded_or_cached += len(vecs)
        langs = getattr(embedder, "languages", None)
        inputs = [make_input(r, vecs[int(r["id"])], english.get(int(r["id"])), langs) for r in rows]
        if not inputs:
            continue
        if state is None:
            state = WindowState(window_hours=ss.window_hours, dim=int(inputs[0].signals.lead.shape[0]),
                                calibration=calibration)
        lo, hi = min(i.hours for i in inputs), max(i.hours for i in inputs)
        state.evict_before(lo)
        ensure_window(store, state, lo, hi, embedder, ss.embed_batch)
        ta = time.perf_counter()
        chunk_touched: set[int] = set()
        with store.tx():
            for inp in inputs:
                dup_story = None
                if inp.duplicate_of is not None and inp.duplicate_of not in state.members:
                    dup_story = store.story_of_article(inp.duplicate_of)
                d = state.decide(inp.id, inp.hours, inp.signals, inp.duplicate_of, dup_story)
                at = _when(inp.hours)
                if d.story_id is None:
                    sid = store.create_story([inp.id], at=at, scores={inp.id: 1.0})
                    report.created += 1
                else:
                    sid = d.story_id
                    store.add_to_story(sid, inp.id, score=d.score, at=at)
                    if d.via == "duplicate":
                        report.duplicates += 1
                    else:
                        report.joined += 1
                state.add(inp.id, sid, inp.hours, inp.signals)
                chunk_touched.add(sid)
                if d.elsewhere:
                    store.link_articles(inp.id, d.elsewhere)
                    chunk_touched.update(state.members[a].story_id for a, _ in d.elsewhere if a in state.members)
        report.assign_seconds += time.perf_counter() - ta
        # repair the stories this chunk touched while their members are still in memory
        touched |= repair(store, state, chunk_touched, report)
    if state is None:
        report.seconds = time.perf_counter() - t0
        return report
    touched |= set(done.values())  # stories of re-sent (updated) articles are re-synthesised too
    report.touched_story_ids = sorted(touched)
    synthesise(store, report.touched_story_ids, settings, report)
    with _STATES_LOCK:
        _STATES[key] = (_fingerprint(store), state)
    report.seconds = time.perf_counter() - t0
    log.info("stories_updated", **{k: v for k, v in report.as_dict().items() if k != "touched_story_ids"})
    return report


# --------------------------------------------------------------------------- synthesis


def article_views(store: Store, story_id: int,
                  boilerplate_cache: dict[tuple[str, int], Any] | None = None) -> list[Any]:
    from globewire.stories.views import ArticleView

    # the outlets' boilerplate (cookie notices, templates) is kept out of headlines, summaries and takes too
    rows = boilerplate.clean_rows(store, [m.as_row() for m in store.story_articles(story_id, with_text=True)],
                                  latest=True, cache=boilerplate_cache)
    english = english_of(store, [int(r["id"]) for r in rows])
    out = []
    for r in rows:
        en = english.get(int(r["id"]))
        out.append(ArticleView(
            id=int(r["id"]), outlet_id=r.get("outlet_id"), country=r.get("country"),
            # every source is named: catalogue, else the page's site name, else the registrable domain
            outlet_name=source_name(r.get("outlet_name"), r.get("site_name"), r.get("canonical_url") or r.get("url")),
            language=r.get("language"), title=r.get("title") or "", text=r.get("text") or "",
            title_en=en[0] if en else None, text_en=en[1] if en else None,
            published_at=_stored_time(r.get("published_at")), duplicate_of=r.get("duplicate_of"),
        ))
    return out


def fallback_synthesis(story: StoryRow, views: Sequence[Any]) -> dict[str, Any]:
    """A minimal synthesis (headline = the earliest original's title) when the synthesis module fails."""
    first = min(views, key=lambda v: (v.published_at or dt.datetime.max.replace(tzinfo=dt.UTC), v.id))
    return {
        "headline": first.title_en or first.title,
        "summary": [],
        "countries_covering": sorted({v.country for v in views if v.country}),
        "countries_mentioned": [],
        "languages": sorted({v.language for v in views if v.language}),
        "outlets": sorted({v.outlet_id for v in views if v.outlet_id}),
        "alternative_takes": {},
        "blindspot": {"flag": False, "status": "unknown", "reason": "synthesis unavailable"},
        "first_seen": story.first_seen,
        "last_updated": story.last_updated,
    }


def coverage_elsewhere(store: Store, story_id: int, data: dict[str, Any],
                       limit: int = ELSEWHERE_SHOWN) -> tuple[list[dict[str, Any]], list[str]]:
    """The second tier: other stories that probably report the same event (``cluster.py`` step 5), with
    their headline, countries and languages, and the countries they add to this story's coverage."""
    out: list[dict[str, Any]] = []
    own = set(data.get("countries_covering") or [])
    added: set[str] = set()
    for other, score in store.coverage_elsewhere(story_id, limit=limit):
        row = store.get_story(other)
        if row is None or row.merged_into:
            continue
        # from its members, not its synthesis: two linked stories are synthesised in one pass, and the one done
        # second has no synthesis yet when the first asks
        countries = sorted({m.country.upper() for m in store.story_articles(other) if m.country})
        out.append({"story_id": other, "score": round(score, 3),
                    "headline": row.headline or str(row.data.get("headline") or ""),
                    "countries": countries, "languages": list(row.data.get("languages") or []),
                    "articles": row.article_count or len(row.article_ids)})
        added.update(c for c in countries if c not in own)
    return out, sorted(added)


def elsewhere_takes(store: Store, views: Sequence[Any], elsewhere: Sequence[dict[str, Any]],
                    boilerplate_cache: dict[tuple[str, int], Any] | None = None) -> dict[str, list[dict[str, Any]]]:
    """What the countries that only the second tier adds ("coverage elsewhere") say that this story's own
    coverage does not: ``{country: [{"text", "article_id", "story_id", "likely_same_event": True}]}``. The
    stories are kept apart because the match is not certain, so every take says where it comes from."""
    from globewire.stories.takes import alternative_takes

    own = {v.country for v in views if v.country}
    extra: list[Any] = []
    story_of: dict[int, int] = {}
    used = 0
    for item in elsewhere:
        if used >= ELSEWHERE_TAKE_STORIES:
            break
        adds = [c for c in item.get("countries") or [] if c not in own]
        if not adds:
            continue
        per: dict[str, int] = {}
        for v in article_views(store, int(item["story_id"]), boilerplate_cache):
            if v.country in adds and per.get(v.country, 0) < ELSEWHERE_TAKE_ARTICLES and v.id not in story_of:
                per[v.country] = per.get(v.country, 0) + 1
                extra.append(v)
                story_of[v.id] = int(item["story_id"])
        used += 1
    if not extra or not own:
        return {}
    takes = alternative_takes([*views, *extra])
    return {cc: [dict(t, story_id=story_of.get(int(t["article_id"])), likely_same_event=True) for t in items]
            for cc, items in takes.items() if cc not in own}


def synthesise(store: Store, story_ids: Sequence[int], settings: Settings, report: StoryUpdateReport) -> None:
    try:
        from globewire.stories import synthesis
    except ImportError:  # pragma: no cover - the module ships with globewire
        synthesis = None  # type: ignore[assignment]
    ss = settings.stories
    reference = store.reference_outlet_count(ss.reference_country)
    recent = store.list_stories(limit=RELATED_CANDIDATES)
    learned: dict[tuple[str, int], Any] = {}  # outlets' boilerplate, learned once for all these stories
    for sid in story_ids:
        story = store.get_story(sid)
        if story is None or story.merged_into or not story.article_ids:
            continue
        views = article_views(store, sid, learned)
        data: dict[str, Any]
        try:
            if synthesis is None:
                raise RuntimeError("synthesis module missing")
            data = dict(synthesis.synthesise_story(
                sid, views, settings=ss, reference_outlets=reference,
                reference_crawled=functools.partial(store.outlets_crawled, ss.reference_country)))
        except Exception as e:  # noqa: BLE001 - one story's synthesis must not stop the stage
            log.warning("synthesis_failed", story_id=sid, error=f"{type(e).__name__}: {e}")
            report.synthesis_failures += 1
            data = fallback_synthesis(story, views)
        data.setdefault("first_seen", story.first_seen)
        data.setdefault("last_updated", story.last_updated)
        try:
            if synthesis is not None:
                cands = [dict(c.data, id=c.id) for c in recent if c.id != sid and c.data]
                data["related_story_ids"] = list(synthesis.related_stories(dict(data, id=sid), cands, limit=5))
        except Exception as e:  # noqa: BLE001
            log.debug("related_failed", story_id=sid, error=f"{type(e).__name__}: {e}")
            data.setdefault("related_story_ids", [])
        data["coverage_elsewhere"], data["countries_elsewhere"] = coverage_elsewhere(store, sid, data)
        try:
            data["alternative_takes_elsewhere"] = elsewhere_takes(store, views, data["coverage_elsewhere"], learned)
        except Exception as e:  # noqa: BLE001 - an extra; the story is synthesised without it
            log.warning("elsewhere_takes_failed", story_id=sid, error=f"{type(e).__name__}: {e}")
            data["alternative_takes_elsewhere"] = {}
        store.save_story_synthesis(sid, data)
        report.synthesised += 1


def refresh_stories(store: Store, article_ids: Sequence[int], settings: Settings) -> StoryUpdateReport:
    """After the translation stage gave ``article_ids`` English text: re-cluster them with it and
    re-synthesise their stories (headlines and summaries switch to English). See ``reconsider_translated``.
    If the embedder fails, the stories are only re-synthesised (membership unchanged; the kept window state
    is dropped, so the next run reads it afresh)."""
    try:
        return reconsider_translated(store, article_ids, settings)
    except EmbedderError as e:
        log.warning("recluster_skipped", error=f"{type(e).__name__}: {e}")
    t0 = time.perf_counter()
    report = StoryUpdateReport(articles_in=len(article_ids), recluster_skipped=True)
    report.touched_story_ids = sorted(set(store.stories_of_articles([int(i) for i in article_ids]).values()))
    _resynthesise(store, report.touched_story_ids, settings, report)
    report.seconds = time.perf_counter() - t0
    return report


def synthesise_stories(store: Store, story_ids: Sequence[int], settings: Settings) -> StoryUpdateReport:
    """Synthesise ``story_ids`` as they are (membership unchanged), e.g. the stories a killed run left without
    a synthesis of their current members (``Store.stories_due_synthesis``)."""
    t0 = time.perf_counter()
    report = StoryUpdateReport()
    report.touched_story_ids = sorted({int(i) for i in story_ids})
    _resynthesise(store, report.touched_story_ids, settings, report)
    report.seconds = time.perf_counter() - t0
    return report


def rejoin_single(store: Store, state: WindowState, article_id: int, duplicate_of: int | None = None, *,
                  reason: str) -> tuple[int, int, Decision] | None:
    """If ``article_id`` is the only member of its story, take the decision a new article would get (itself
    left out of the window, never its own story); when that joins another story, merge its story into that
    one (a story of 2+ articles keeps its id; between two single-article stories the older one does).
    Returns (keep, gone, decision) when it merged, else None."""
    m = state.members.get(article_id)
    if m is None:
        return None
    own = m.story_id
    if len(store.story_member_ids(own)) != 1:
        return None
    state.detach(article_id)
    dup_story = None
    if duplicate_of is not None and duplicate_of not in state.members:
        dup_story = store.story_of_article(duplicate_of)
    d = state.decide(article_id, m.hours, m.signals, duplicate_of, dup_story)
    state.add(article_id, own, m.hours, m.signals)
    if d.story_id is None or d.story_id == own:
        return None
    target = d.story_id
    if len(store.story_member_ids(target)) > 1:
        keep, gone = target, own  # a running story keeps its id
    else:
        keep, gone = min(target, own), max(target, own)  # the older one, as the repair pass does
    store.merge_stories(keep, gone, at=_when(m.hours), detail={
        "reason": reason, "article_id": article_id, "score": round(d.score, 4), "via": d.via})
    state.rename_story(gone, keep)
    return keep, gone, d


def reconsider_translated(store: Store, article_ids: Sequence[int], settings: Settings) -> StoryUpdateReport:
    """Re-cluster articles that just gained English text (the translation stage's ``article_ids``).

    Their stories were decided on the originals: an article in a language the embedder does not know, or a
    cross-lingual pair judged by the weaker cross-lingual model, often stays a story of its own. For each
    article (in id order) this: re-embeds it (original + English lead; the stored vector predates the
    translation) and rebuilds its signals with the English view in the window state; if it is the only member
    of its story, takes the decision a new article would get (never its own story) and, when it joins another
    story, merges its story into that one (the bigger story keeps its id; between two single-article stories
    the older one does); members of bigger stories stay where they are. Then the repair pass runs over the
    touched stories (stories whose members became comparable in English can merge) and they are synthesised.
    Articles in no story yet are left to ``update_stories`` (their vector is refreshed all the same)."""
    t0 = time.perf_counter()
    ss = settings.stories
    report = StoryUpdateReport(articles_in=len(article_ids))
    ids = sorted({int(i) for i in article_ids})
    if not ids:
        return report
    embedder = make_embedder(ss)
    langs = getattr(embedder, "languages", None)
    key, state, calibration = _take_state(store, embedder.name, settings)
    touched: set[int] = set()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        english = english_of(store, chunk)
        rows = [r for r in boilerplate.clustering_rows(store, chunk) if int(r["id"]) in english]
        if not rows:
            continue
        vecs = ensure_embeddings(store, rows, embedder, batch=ss.embed_batch, english=english,
                                 stale=[int(r["id"]) for r in rows])
        report.embedded_or_cached += len(vecs)
        story_of = store.stories_of_articles([int(r["id"]) for r in rows])
        inputs = [make_input(r, vecs[int(r["id"])], english[int(r["id"])], langs)
                  for r in rows if int(r["id"]) in story_of]
        report.already_clustered += len(inputs)
        if not inputs:
            continue
        if state is None:
            state = WindowState(window_hours=ss.window_hours, dim=int(inputs[0].signals.lead.shape[0]),
                                calibration=calibration)
        ensure_window(store, state, min(i.hours for i in inputs), max(i.hours for i in inputs), embedder,
                      ss.embed_batch)
        # 1. every translated member gets its English signals first, so that two articles translated in the
        #    same run are compared with each other in English too
        for inp in inputs:
            state.detach(inp.id)
            state.add(inp.id, story_of[inp.id], inp.hours, inp.signals)
        # 2. single-article stories: the decision of a new article (the article itself left out of the window)
        ta = time.perf_counter()
        chunk_touched: set[int] = set()
        with store.tx():
            for inp in inputs:
                own = state.members[inp.id].story_id
                got = rejoin_single(store, state, inp.id, inp.duplicate_of, reason="translated")
                if got is None:
                    chunk_touched.add(own)
                    continue
                keep, gone, d = got
                chunk_touched.discard(gone)
                chunk_touched.add(keep)
                if d.via == "duplicate":
                    report.duplicates += 1
                else:
                    report.joined += 1
        report.assign_seconds += time.perf_counter() - ta
        # 3. repair: stories whose members are now comparable in English can merge (or a drifting one split)
        touched |= repair(store, state, chunk_touched, report)
    touched = _follow_merges(store, touched)  # a later chunk may have merged a story an earlier one touched
    report.touched_story_ids = sorted(touched)
    synthesise(store, report.touched_story_ids, settings, report)
    if state is not None:
        with _STATES_LOCK:
            _STATES[key] = (_fingerprint(store), state)
    report.seconds = time.perf_counter() - t0
    log.info("stories_reconsidered", **{k: v for k, v in report.as_dict().items() if k != "touched_story_ids"})
    return report


def _follow_merges(store: Store, story_ids: set[int]) -> set[int]:
    """The live stories that ``story_ids`` are now (a story merged away by a later step points to its keeper)."""
    return {store.live_story_id(sid) for sid in story_ids}


def _resynthesise(store: Store, story_ids: Sequence[int], settings: Settings, report: StoryUpdateReport) -> None:
    """Synthesise stories whose membership did not change; a kept window state stays valid."""
    if not story_ids:
        return
    before = _fingerprint(store)
    synthesise(store, story_ids, settings, report)
    with _STATES_LOCK:
        for key, (fp, state) in list(_STATES.items()):
            if key[0] == str(getattr(store, "path", id(store))) and fp == before:
                _STATES[key] = (_fingerprint(store), state)
