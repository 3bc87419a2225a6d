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
