"""The pairwise same-story similarity: its cheap multilingual signals and the calibrated combination."""

from __future__ import annotations

import numpy as np

from globewire.stories import similarity as sim
from globewire.stories.cluster import JOIN_THRESHOLD


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
