"""Alternative takes: what one country's coverage says that the other countries' coverage does not.

For each covering country, its English sentences are compared (TF-IDF cosine) with every sentence from the
other countries' articles; sentences whose best match elsewhere stays below ``TAKE_MAX_SIM`` are candidates,
ranked by novelty, informativeness (content words) and relevance to the story (cosine to the story centroid,
so an off-topic aside does not win). Up to ``MAX_TAKES_PER_COUNTRY`` per country, mutually non-redundant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from globewire.log import get_logger
from globewire.stories.summarise import (
    TermWeights,
    analyse,
    content_words,
    story_sentences,
    tfidf,
)

if TYPE_CHECKING:
    from globewire.stories.views import ArticleView

log = get_logger(__name__)

MAX_TAKES_PER_COUNTRY = 3
# A sentence is "covered elsewhere" when some other country's sentence reaches TAKE_MAX_SIM cosine, or when
# TAKE_MAX_COVERAGE of its content words (idf-weighted, stemmed) occur in the other countries' sentences
# (a re-wording of shared facts). Calibrated on tests/corpus/stories (all 6 events, logged per sentence):
# paraphrases of shared facts sit at cosine 0.3-0.65 or coverage 0.6-1.0; country-specific sentences
# (local reactions, national angles) at cosine < 0.25 with coverage < 0.5.
TAKE_MAX_SIM = 0.3
TAKE_MAX_COVERAGE = 0.55
# Sentences with fewer content (non-stop) words say too little to stand on their own.
TAKE_MIN_CONTENT_WORDS = 6
# Cosine to the story centroid below this is an aside unrelated to the story (calibrated on the corpus:
# on-topic sentences 0.08-0.5; datelines and asides < 0.05).
TAKE_MIN_RELEVANCE = 0.05
# Two takes of the same country closer than this are the same point said twice.
TAKE_REDUNDANT_SIM = 0.4


def alternative_takes(
    articles: Sequence[ArticleView],
) -> dict[str, list[dict[str, Any]]]:
    """{country: [{"text", "article_id"}]} — empty unless the story has at least two covering countries."""
    countries = sorted({a.country for a in articles if a.country})
    if len(countries) < 2:
        return {}
    sents = [s for s in story_sentences(articles) if s.country]
    if not sents:
        return {}
    x = tfidf([s.text for s in sents])
    terms = [set(analyse(s.text)) for s in sents]
    weights = TermWeights(terms)
    centroid = x.sum(axis=0)
    norm = float(np.linalg.norm(centroid))
    relevance = x @ (centroid / norm) if norm > 0 else np.zeros(len(sents))
    by_country: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(sents):
        by_country[s.country or ""].append(i)
    out: dict[str, list[dict[str, Any]]] = {}
    for cc in countries:
        own = by_country.get(cc, [])
        rest = [i for i, s in enumerate(sents) if s.country != cc]
        if not own or not rest:
            continue
        sim_rest = x[own] @ x[rest].T
        pool: set[str] = set().union(*(terms[i] for i in rest))
        cands: list[tuple[float, int]] = []
        seen_text: set[str] = set()
        for row, i in enumerate(own):
            s = sents[i]
            n_content = len(content_words(s.text))
            if (
                n_content < TAKE_MIN_CONTENT_WORDS
                or relevance[i] < TAKE_MIN_RELEVANCE
                or s.text in seen_text
            ):
                continue
            seen_text.add(s.text)
            novelty = 1.0 - float(sim_rest[row].max())
            covered = weights.coverage(terms[i], pool)
            log.debug(
                "take_candidate",
                country=cc,
                sim=round(1 - novelty, 3),
                covered=round(covered, 3),
                text=s.text[:60],
            )
            if novelty <= 1.0 - TAKE_MAX_SIM or covered >= TAKE_MAX_COVERAGE:
                continue
            novelty = min(novelty, 1.0 - covered)
            score = novelty * (0.5 + 0.5 * min(1.0, n_content / 15)) + 0.5 * float(
                relevance[i]
            )
            cands.append((-round(score, 9), i))
        cands.sort()
        picked: list[int] = []
        for _, i in cands:
            if len(picked) >= MAX_TAKES_PER_COUNTRY:
                break
            if any(float(x[i] @ x[j]) >= TAKE_REDUNDANT_SIM for j in picked):
                continue
            picked.append(i)
        if picked:
            picked.sort(key=lambda i: (sents[i].article_id, sents[i].index))
            out[cc] = [
                {"text": sents[i].text, "article_id": sents[i].article_id}
                for i in picked
            ]
    return out
