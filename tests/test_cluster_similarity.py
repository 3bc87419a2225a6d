"""The pairwise same-story similarity: its cheap multilingual signals and the calibrated combination."""

from __future__ import annotations

import numpy as np

from globewire.clustering import similarity as sim
from globewire.clustering.cluster import JOIN_THRESHOLD


def _unit(seed: int, dim: int = 16) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


def test_entities_skip_sentence_starts_and_fold_accents() -> None:
    ents = sim.entities("Officials said. The quake hit Arequipa and Camaná on Tuesday, said José Pérez of INDECI.")
    assert {"arequipa", "camana", "jose", "perez", "indeci"} <= ents
    assert "officia" not in ents  # first word of the text
    assert "the" not in ents


def test_numbers_are_language_independent() -> None:
    a = sim.numbers("A magnitude 6,8 quake killed 17 people in 2025.")
    b = sim.numbers("Un séisme de magnitude 6.8 a fait 17 morts en 2025.")
    assert a == b == {"6.8", "17", "2025"}


def test_untranslated_article_meets_a_translated_one_in_their_shared_language() -> None:
    df = sim.DocFreq()
    lead = _unit(1)
    es = "El terremoto de magnitud 6,8 sacudió Arequipa y dejó 17 muertos"
    a = sim.make_signals(es, lead, "es", english="The magnitude 6.8 earthquake shook Arequipa, leaving 17 dead")
    b = sim.make_signals(es + " según el gobierno", lead, "es")
    for d in (a, b):
        df.add(d.tf)
    f = sim.features(a, b, df)
    assert f["same_language"] == 1.0 and f["lexical"] > 0.7


def test_time_distance_lowers_the_probability() -> None:
    df = sim.DocFreq()
    lead = _unit(2)
    text = "Ferry capsizes on Lake Victoria near Bukoba, 23 confirmed dead"
    a = sim.make_signals(text, lead, "en", hours=0.0)
    near = sim.make_signals(text, lead, "en", hours=6.0)
    far = sim.make_signals(text, lead, "en", hours=24.0 * 5)
    for d in (a, near, far):
        df.add(d.tf)
    assert sim.similarity(a, near, df) > JOIN_THRESHOLD
    assert sim.similarity(a, far, df) < sim.similarity(a, near, df)


def test_unrelated_texts_score_low_and_the_weights_cover_every_feature() -> None:
    assert set(sim.WEIGHTS) == set(sim.FEATURES)
    df = sim.DocFreq()
    a = sim.make_signals("The central bank cut interest rates by a quarter point", _unit(3), "en")
    b = sim.make_signals("Spain beat Germany in the EuroBasket final in Riga", _unit(4), "en")
    for d in (a, b):
        df.add(d.tf)
    assert sim.similarity(a, b, df) < 0.2


def _at_cosine(v: np.ndarray, cos: float, seed: int) -> np.ndarray:
    """A unit vector whose cosine with the unit vector ``v`` is exactly ``cos``."""
    u = np.random.default_rng(seed).standard_normal(v.shape[0]).astype(np.float32)
    u -= float(u @ v) * v
    u /= np.linalg.norm(u)
    return (cos * v + np.sqrt(1.0 - cos * cos) * u).astype(np.float32)


def test_numbers_in_unspaced_scripts_and_full_width_digits() -> None:
    ja = sim.numbers("代表団は61か国から集まり、批准には４０か国の議会の承認が必要だ。水位は35センチ。")
    en = sim.numbers("Delegates from 61 countries; 40 parliaments must ratify it. The level is 35 cm.")
    assert ja == en == {"61", "40", "35"}
    assert sim.numbers("COVID19 and 5G rollout") == frozenset()  # digits glued to Latin letters are not numbers


def test_cross_lingual_means_no_common_language_and_known_languages() -> None:
    lead = _unit(5)
    en = sim.make_signals("Rhine at record low", lead, "en")
    ja = sim.make_signals("ライン川が記録的な低水位", lead, "ja")
    ja_en = sim.make_signals("ライン川が記録的な低水位", lead, "ja", english="Rhine at a record low")
    unknown = sim.make_signals("Rhine at record low", lead, None)
    assert sim.cross_lingual(en, ja) and sim.cross_lingual(ja, en)
    assert not sim.cross_lingual(en, ja_en)  # the translation gives them a common language
    assert not sim.cross_lingual(en, unknown)


def test_cross_lingual_pairs_use_their_own_model_and_threshold() -> None:
    from globewire.clustering.cluster import CROSS_JOIN_THRESHOLD, WindowState

    v = _unit(6, dim=32)
    en = sim.make_signals("Nations agree first protected zones on the high seas after talks in Lisbon", v, "en",
                          hours=100.0)
    close = sim.make_signals("公海に初の保護区、リスボンで各国が合意", _at_cosine(v, 0.70, 7), "ja", hours=102.0)
    far = sim.make_signals("市電の新路線が開業、通勤客に好評", _at_cosine(v, 0.45, 8), "ja", hours=102.0)
    df = sim.DocFreq()
    for d in (en, close, far):
        df.add(d.tf)
    # The same-language model would leave the close pair well below its threshold (lexical evidence is 0).
    assert sim.sigmoid(sim.logit(sim.features(en, close, df))) < JOIN_THRESHOLD
    assert sim.similarity(en, close, df) >= CROSS_JOIN_THRESHOLD
    assert sim.similarity(en, far, df) < CROSS_JOIN_THRESHOLD
    # The clusterer judges each pair against its own threshold.
    state = WindowState(window_hours=72.0, dim=32)
    state.add(1, 10, 100.0, en)
    joined = state.decide(2, 102.0, close, None, None)
    assert joined.story_id == 10 and joined.via == "similar"
    assert state.decide(3, 102.0, far, None, None).story_id is None


def test_languages_the_embedder_does_not_know_need_overwhelming_evidence() -> None:
    import numpy as np

    from globewire.clustering import cluster
    from globewire.clustering.embed import USEM3Embedder

    vec = np.ones(8, dtype=np.float32) / np.sqrt(8)
    langs = USEM3Embedder.languages

    def inp(i: int, lang: str, english: tuple[str, str] | None = None) -> cluster.ArticleInput:
        row = {"id": i, "title": "Tittel", "text": "Noe tekst om saken her.", "language": lang,
               "t": "2026-11-20T10:00:00+00:00", "duplicate_of": None}
        return cluster.make_input(row, vec, english, langs)

    nb1, nb2, sv, de, en = inp(1, "nb"), inp(2, "nb"), inp(3, "sv"), inp(4, "de"), inp(5, "en")
    assert not nb1.signals.dense_ok and de.signals.dense_ok
    assert cluster.join_threshold(nb1.signals, nb2.signals) == cluster.UNKNOWN_LANGUAGE_JOIN_THRESHOLD
    assert cluster.join_threshold(nb1.signals, sv.signals) == float("inf")
    assert cluster.join_threshold(de.signals, en.signals) == cluster.CROSS_JOIN_THRESHOLD
    # An English translation makes the vector meaningful again.
    assert inp(6, "nb", ("Title", "Some text about the matter here.")).signals.dense_ok
    # Without a declared language list (other embedders) every language is trusted.
    row = {"id": 7, "title": "T", "text": "x", "language": "nb", "t": None, "duplicate_of": None}
    assert cluster.make_input(row, vec, None).signals.dense_ok
