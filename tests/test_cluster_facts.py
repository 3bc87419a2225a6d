"""Step 6 of clustering/cluster.py: an article in a language the embedder does not know (its lead vector means
nothing) is linked in the second tier — never merged — to another story's article, in any language and script,
when the two share rare names (``signature.name_keys``), were published close together and name no places in
conflict."""

from __future__ import annotations

from collections import Counter

import numpy as np

from globewire.clustering import similarity as sim
from globewire.clustering.cluster import FACTS_MAX_HOURS, FACTS_RARE_FLOOR, WindowState
from globewire.clustering.signature import name_key, name_keys

BG = ("Партията „Съюз за обновление“ на Иван Търнев печели изборите с 27,8 на сто, съобщи ЦИК. "
      "Второ място за коалицията на Стоян Ивелинов.")
DE = ("Die Partei Union für Erneuerung von Iwan Tarnew hat die Wahl in Bulgarien gewonnen. Zweiter wurde das "
      "Bündnis von Stojan Iwelinow mit 21,4 Prozent.")
UNRELATED_DE = "Bundeskanzler Olaf Scholz traf in Berlin den französischen Präsidenten Emmanuel Macron."


def test_names_meet_across_scripts_and_transliterations() -> None:
    assert name_key("tarnev") == name_key("tarnew") == "trnv"
    assert name_key("khemodra") == "hmdr" and name_key("kedzierzynkozle") == "kdzrznkzl"
    bg, de = name_keys(BG), name_keys(DE)
    assert {"trnv", "ivlnv"} <= bg & de, (bg, de)
    assert not name_keys(UNRELATED_DE) & bg


def test_places_in_the_gazetteer_and_sentence_starts_are_not_names() -> None:
    keys = name_keys("Protesters marched in Athens and Thessaloniki. Workers of ADEDY joined them at Syntagma.")
    assert name_key("athens") not in keys and name_key("thessaloniki") not in keys  # places: their own signal
    assert name_key("workers") not in keys  # a sentence's first word
    assert {name_key("adedy"), name_key("syntagma")} <= keys
    # a closing quote in mid-sentence does not start one; an opening quote does
    assert name_key("tarnev") in name_keys("партията «Съюз» на Иван Търнев печели")


def doc(lang: str, text: str, dense: bool, hours: float = 10.0, where: frozenset[str] = frozenset(),
        seed: int = 0) -> sim.DocSignals:
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(16)
    return sim.DocSignals(lead=(v / np.linalg.norm(v)).astype(np.float32), views={lang: Counter({"wort": 1})},
                          hours=hours, places=where, names=name_keys(text), nums=sim.numbers(text),
                          dense_ok=dense)


def window(*docs: sim.DocSignals) -> WindowState:
    state = WindowState(window_hours=72.0, dim=16)
    for i, d in enumerate(docs, start=1):
        state.add(i, 100 + i, d.hours or 0.0, d)
    return state


def test_an_article_the_embedder_cannot_read_is_linked_on_shared_rare_names() -> None:
    state = window(doc("de", DE, True, seed=1), doc("de", UNRELATED_DE, True, seed=2))
    d = state.decide(9, 12.0, doc("bg", BG, False, hours=12.0, seed=3), None, None)
    assert d.story_id is None  # never merged on facts
    assert [a for a, _ in d.elsewhere] == [1]


def test_and_the_other_way_round() -> None:
    state = window(doc("bg", BG, False, seed=3))
    d = state.decide(9, 12.0, doc("de", DE, True, hours=12.0, seed=1), None, None)
    assert [a for a, _ in d.elsewhere] == [1]


def test_one_shared_name_is_not_enough() -> None:
    state = window(doc("de", "Der Sieger Iwan Tarnew sprach in der Hauptstadt.", True, seed=1))
    d = state.decide(9, 12.0, doc("bg", BG, False, hours=12.0, seed=3), None, None)
    assert d.elsewhere == ()


def test_names_every_article_carries_say_nothing() -> None:
    common = [doc("de", DE, True, seed=10 + i) for i in range(FACTS_RARE_FLOOR + 1)]
    state = window(*common)
    d = state.decide(99, 12.0, doc("bg", BG, False, hours=12.0, seed=3), None, None)
    assert d.elsewhere == ()


def test_days_apart_or_places_in_conflict_are_not_linked() -> None:
    state = window(doc("de", DE, True, seed=1))
    late = 10.0 + FACTS_MAX_HOURS + 1
    assert state.decide(9, late, doc("bg", BG, False, hours=late, seed=3), None, None).elsewhere == ()
    state = window(doc("de", DE, True, where=frozenset({"C:BG"}), seed=1))
    far = doc("bg", BG, False, hours=12.0, where=frozenset({"C:AR"}), seed=3)
    assert state.decide(9, 12.0, far, None, None).elsewhere == ()


def test_articles_the_embedder_reads_are_left_to_it() -> None:
    state = window(doc("de", DE, True, seed=1))
    d = state.decide(9, 12.0, doc("ru", BG, True, hours=12.0, seed=3), None, None)
    assert d.elsewhere == ()  # random leads: the embedding says "different", and it is trusted


def test_a_name_and_a_specific_figure_suffice_but_figures_alone_do_not() -> None:
    de = "Wahlsieger Iwan Tarnew kam auf 27,8 Prozent der Stimmen."
    state = window(doc("de", de, True, seed=1))
    d = state.decide(9, 12.0, doc("bg", BG, False, hours=12.0, seed=3), None, None)
    assert [a for a, _ in d.elsewhere] == [1]
    state = window(doc("de", "Die Inflation lag bei 27,8 Prozent, die Arbeitslosigkeit bei 21,4.", True, seed=1))
    d = state.decide(9, 12.0, doc("bg", BG, False, hours=12.0, seed=3), None, None)
    assert d.elsewhere == ()


def test_counts_and_years_are_not_specific_figures() -> None:
    from globewire.clustering.cluster import specific_number

    assert specific_number("27.8") and specific_number("210.000") and specific_number("4800")
    assert not specific_number("18") and not specific_number("2026") and not specific_number("1999")
