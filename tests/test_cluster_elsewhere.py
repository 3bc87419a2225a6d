"""Second tier, "coverage elsewhere" (clustering/cluster.py step 5): below the join, an article is linked to
stories that probably report the same event — across languages only when the two name a place in common,
never when they name different places — and stays out of them."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from globewire.clustering import similarity as sim
from globewire.clustering.cluster import (
    CROSS_ELSEWHERE_THRESHOLD,
    CROSS_JOIN_THRESHOLD,
    WindowState,
    elsewhere_ok,
)
from globewire.clustering.signature import agreement, names, places, signature


def unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def pair_at(cos: float, dim: int = 32, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = unit(rng.standard_normal(dim))
    r = rng.standard_normal(dim)
    ortho = unit(r - (r @ a) * a)
    return a, unit(cos * a + np.sqrt(1 - cos * cos) * ortho)


def doc(lead: np.ndarray, lang: str, where: set[str]) -> sim.DocSignals:
    return sim.DocSignals(lead=lead, views={lang: Counter({"wort": 1})}, places=frozenset(where))


def cross_probability(cos: float) -> float:
    a, b = pair_at(cos)
    return sim.similarity(doc(a, "de", set()), doc(b, "en", set()), sim.DocFreq())


def test_cross_lingual_pair_below_the_join_is_linked_when_places_agree() -> None:
    a, b = pair_at(0.57)
    p = cross_probability(0.57)
    assert CROSS_ELSEWHERE_THRESHOLD <= p < CROSS_JOIN_THRESHOLD  # the test sits in the second tier
    state = WindowState(window_hours=72.0, dim=32)
    state.add(1, 100, 10.0, doc(a, "de", {"C:FR", "G:2988507"}))
    d = state.decide(2, 10.0, doc(b, "en", {"C:FR"}), None, None)
    assert d.story_id is None and d.via == "new"  # not merged ...
    assert [x for x, _ in d.elsewhere] == [1]  # ... but linked
    assert d.elsewhere[0][1] == pytest.approx(p, abs=1e-3)


@pytest.mark.parametrize(("here", "there"), [({"C:FR"}, {"C:PE"}), (set(), set()), ({"C:FR"}, set())])
def test_cross_lingual_pair_without_a_common_place_is_not_linked(here: set[str], there: set[str]) -> None:
    a, b = pair_at(0.57)
    state = WindowState(window_hours=72.0, dim=32)
    state.add(1, 100, 10.0, doc(a, "de", here))
    d = state.decide(2, 10.0, doc(b, "en", there), None, None)
    assert d.story_id is None and d.elsewhere == ()


def test_a_place_conflict_vetoes_a_same_language_link() -> None:
    a, b = pair_at(0.9)
    assert elsewhere_ok(doc(a, "en", set()), doc(b, "en", set()), 0.7)
    assert not elsewhere_ok(doc(a, "en", {"C:FR"}), doc(b, "en", {"C:PE"}), 0.7)
    assert not elsewhere_ok(doc(a, "en", set()), doc(b, "en", set()), 0.3)


def test_joined_story_is_not_also_listed_elsewhere() -> None:
    a, b = pair_at(0.95)
    state = WindowState(window_hours=72.0, dim=32)
    state.add(1, 100, 10.0, doc(a, "de", {"C:FR"}))
    d = state.decide(2, 10.0, doc(b, "en", {"C:FR"}), None, None)
    assert d.story_id == 100 and d.elsewhere == ()


def test_signatures_meet_across_languages_and_scripts() -> None:
    de = signature("Die Regierung in Frankreich kündigte am Dienstag in Paris neue Maßnahmen an.")
    en = signature("The government of France announced new measures in Paris on Tuesday.")
    ja = signature("フランス政府はパリで新たな措置を発表した。")
    ru = signature("В Москве заявили, что Россия не согласна.")
    assert {"C:FR"} <= de.places & en.places & ja.places
    assert "C:RU" in ru.places and any(p.startswith("G:") for p in ru.places)  # "Москве" -> Moscow
    assert agreement(de, en).places > 0 and not agreement(de, en).place_conflict
    assert agreement(de, ru).place_conflict
    assert "putin" in names("Gestern sagte Wladimir Putin in Moskau") | names("Вчера Путин сказал")
    assert "putin" in names("Вчера президент Путин сказал")
    assert not places("the mobile phone market is in reading mode")  # lowercase words are no places
    assert "tuesday" not in names("It happened, he said on Tuesday in Lima")


def test_a_citys_other_names_count_only_where_its_country_is_named() -> None:
    """GeoNames' alternate names collide with common words once capitalised ("The" is a name of Teresina, BR;
    German nouns and sentence-initial "Ein", "Und"): they count only in a text naming the city's country."""
    assert not places("The government said. The minister agreed. For now, She declined.")
    assert not places("Ein Termin, und die Kosten? Wie teuer die Marke ist, bleibt klar.")
    # the main name of a big city is enough; an exonym needs its country
    assert {"C:DE"} <= places("Berlin antwortete am Abend.")
    assert "C:RU" not in places("Moskau antwortete am Abend.")
    assert "C:RU" in places("Moskau antwortete: Russland werde nicht nachgeben.")
    assert any(p.startswith("G:") for p in places("В Москве заявили, что Россия не согласна."))


def test_a_report_naming_no_place_meets_others_on_its_outlets_country_but_never_conflicts() -> None:
    from globewire.clustering.cluster import make_input

    a, b = pair_at(0.57)
    p = cross_probability(0.57)
    home = make_input({"id": 1, "title": "Wybuch w zakładach", "text": "Cztery osoby zginęły w wybuchu.",
                       "language": "pl", "country": "PL", "t": None}, a, None)
    assert home.signals.places == frozenset() and home.signals.home == frozenset({"C:PL"})
    assert elsewhere_ok(home.signals, doc(b, "en", {"C:PL"}), p)  # the place in common
    assert not elsewhere_ok(home.signals, doc(b, "en", {"C:CZ"}), p)  # no place in common: not linked
    # ... and a report naming its event's country only by an adjective names it (not its outlet's country)
    other = make_input({"id": 2, "title": "Explosion", "text": "Vier Tote in der polnischen Stadt.", "language": "de",
                        "country": "DE", "t": None}, b, None)
    assert other.signals.places == frozenset({"C:PL"}) and other.signals.home == frozenset()
    assert elsewhere_ok(home.signals, other.signals, p)
    unknown = make_input({"id": 3, "title": "Wybuch", "text": "Cztery osoby zginęły.", "language": "pl", "t": None},
                         a, None)
    assert unknown.signals.home == frozenset()  # no outlet country known: nothing assumed


def test_adjectives_of_nationality_name_their_country_in_the_texts_own_language() -> None:
    """CLDR's language names stand for the adjective of the language's one home country (signature.py)."""
    from globewire.clustering.signature import adjective_places

    assert places("Vier Tote in der polnischen Stadt.", "de") == frozenset({"C:PL"})
    assert adjective_places("Strajk w słowackiej fabryce samochodów", "pl") == frozenset({"C:SK"})
    assert adjective_places("Árvíz a romániai Temes megyében", "hu") == frozenset({"C:RO"})
    assert adjective_places("Взрыв на польском заводе", "ru") == frozenset({"C:PL"})
    assert adjective_places("Sciopero nello stabilimento slovacco", "it") == frozenset({"C:SK"})
    # English capitalises them; its lowercase words collide ("polish", "persist")
    assert adjective_places("Polish workers", "en") == frozenset({"C:PL"})
    assert not adjective_places("they polish and persist", "en")
    # languages of many countries name none (English, Spanish, German, French, Arabic, Portuguese)
    assert not adjective_places("der englische und der spanische Text, deutsche Sprache", "de")
    # only the text's own language's names; no language, no adjectives
    assert not adjective_places("in der polnischen Stadt", "pl") and not adjective_places("polnischen", None)
    assert not adjective_places("polnischen", "xx-unknown")
