"""Press-release templates: one sender's boilerplate around different facts does not make one story; the same
sender's report and its follow-up (same facts) still join."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from globewire.records import Article, Outlet
from globewire.settings import Settings
from globewire.store import open_store
from globewire.clustering import similarity as sim
from globewire.clustering.boilerplate import Boilerplate, clustering_rows
from globewire.stories.stage import update_stories

DOCS = json.loads((Path(__file__).parent / "fixtures" / "nonarticles" / "press_templates.json").read_text(encoding="utf-8"))


def test_template_phrases_are_cut_down_to_the_facts() -> None:
    german = [d["text"] for d in DOCS if d["outlet"] == "pp-musterland" and "followup" not in d["id"]]
    bp = Boilerplate.learn(german)
    assert bp.phrases and bp.keys  # template phrases learned, and whole recurring sentences (the contact block)
    reduced = bp.strip(german[0], phrases=True)
    assert "Nordheim" in reduced and "Lindenstraße" in reduced and "Terrassentür" in reduced
    assert "durchsuchten mehrere Räume" not in reduced and "Pressestelle" not in reduced
    assert bp.strip(german[0]) != reduced  # without phrases only whole recurring sentences go
    facts = [bp.facts(bp.strip(t, phrases=True)) for t in german]
    assert {"nordheim", "lindenstrasse"} <= facts[0] and "euro" not in facts[0]  # everyday words are no facts
    assert all(len(facts[0] & f) / min(len(facts[0]), len(f)) < sim.SAME_SENDER_FACT_AGREEMENT for f in facts[1:])


def test_facts_agree_only_matters_within_one_sender() -> None:
    a = sim.DocSignals(lead=None, sender="s", facts=frozenset({"nordheim", "lindenstrasse", "14", "3"}))  # type: ignore[arg-type]
    b = sim.DocSignals(lead=None, sender="s", facts=frozenset({"waldbrunn", "schillerplatz", "9", "25"}))  # type: ignore[arg-type]
    c = sim.DocSignals(lead=None, sender="other", facts=b.facts)  # type: ignore[arg-type]
    assert not sim.facts_agree(a, b) and sim.facts_agree(a, c) and sim.facts_agree(a, a)
    assert not sim.facts_match(a, a)  # four shared facts are too few to call it the same event
    d = sim.DocSignals(lead=None, sender="s", facts=a.facts | {"terrassentuer", "500"})  # type: ignore[arg-type]
    assert sim.facts_match(d, d) and not sim.facts_match(d, b)


def test_one_senders_reports_about_different_towns_stay_apart(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "gw.db"))
    store.sync_outlets([Outlet("pp-musterland", "Polizeipräsidium Musterland", "https://pp.example", "DE", ("de",)),
                        Outlet("metro-county-sheriff", "Metro County Sheriff", "https://mcso.example", "US", ("en",))])
    event: dict[int, str] = {}
    for d in DOCS:
        url = f"https://press.example/{d['id']}"
        aid, _ = store.upsert_article(Article(
            url=url, canonical_url=url, title=d["title"], text=d["text"], outlet_id=d["outlet"],
            language=d["language"], published_at=dt.datetime.fromisoformat(d["published_at"]),
            content_hash=hashlib.sha256(d["text"].encode()).hexdigest()))
        event[aid] = d["event"]
    update_stories(store, sorted(event), Settings(data_dir=tmp_path))
    got = {frozenset(event[a] for a in members) for members in store.membership().values()}
    # 12 events (6 German towns, 6 English towns): each its own story, the Nordheim follow-up with its report.
    assert len(got) == 12 and all(len(g) == 1 for g in got)
    sizes = sorted(len(m) for m in store.membership().values())
    assert sizes == [1] * 11 + [2]
    rows = clustering_rows(store, sorted(event))
    assert all("facts" in r for r in rows)
    store.close()


def _cluster_only(tmp_path: Path, ids: list[str]) -> set[frozenset[str]]:
    """The stories of a store holding only the given releases, imported without a catalogue outlet (the
    sender is their site, and it has too few texts for its template to be learned)."""
    store = open_store(str(tmp_path / "gw.db"))
    docs = {d["id"]: d for d in DOCS}
    event: dict[int, str] = {}
    for i in ids:
        d = docs[i]
        url = f"https://presse.polizei.example/{d['id']}"
        aid, _ = store.upsert_article(Article(
            url=url, canonical_url=url, title=d["title"], text=d["text"], language=d["language"],
            published_at=dt.datetime.fromisoformat(d["published_at"]),
            content_hash=hashlib.sha256(d["text"].encode()).hexdigest()))
        event[aid] = i
    update_stories(store, sorted(event), Settings(data_dir=tmp_path))
    got = {frozenset(event[a] for a in members) for members in store.membership().values()}
    rows = clustering_rows(store, sorted(event))
    store.close()
    assert all(r.get("pair_text") for r in rows)  # the sender's template is thin: the pair is its own sample
    return got


def test_two_releases_of_a_sender_with_no_learned_template_stay_apart(tmp_path: Path) -> None:
    # Before pair_facts, the template's own capitalised words counted as shared facts and these joined.
    assert _cluster_only(tmp_path, ["de-0", "de-1"]) == {frozenset({"de-0"}), frozenset({"de-1"})}


def test_a_release_and_its_follow_up_still_join_without_a_learned_template(tmp_path: Path) -> None:
    assert _cluster_only(tmp_path, ["de-0", "de-0-followup"]) == {frozenset({"de-0", "de-0-followup"})}


def test_pair_facts_are_the_values_in_the_templates_slots() -> None:
    from globewire.clustering.boilerplate import pair_facts

    docs = {d["id"]: d["text"] for d in DOCS}
    a, b = pair_facts(docs["de-0"], docs["de-1"])
    assert {"nordheim", "lindenstrasse"} <= a and {"kreuzau", "mühlbach"} <= b
    assert "kriminalpolizei" not in a | b  # a word of the template, not a slot
    assert len(a & b) / min(len(a), len(b)) < sim.SAME_SENDER_FACT_AGREEMENT
    a, b = pair_facts(docs["de-0"], docs["de-0-followup"])
    assert min(len(a), len(b)) < sim.SENDER_MIN_FACTS  # the same slots filled alike: nothing to decide on
