"""Extractive headline and summary (the default ``extractive`` summariser backend).

* Headline: the English title (or short lead sentence) that agrees most with the rest of the story —
  TF-IDF cosine of the title against every *other* article's title + lead, plus agreement on capitalised
  names — minus penalties for loaded language (opinion/clickbait markers, question or exclamation headlines,
  quote-only headlines, shouting). Outlet suffixes/prefixes are stripped; trimmed to 90 characters.
* Summary: LexRank-style centrality over the TF-IDF sentence graph of the story's English sentences (with a
  small lead-position prior, since news leads carry the event), then MMR for diversity; 3–5 sentences each
  keeping the id of the article it came from, ordered by position in their article, then time.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from globewire.headline import strip_dateline, without_title
from globewire.log import get_logger
from globewire.stories.sentences import split_sentences, words

if TYPE_CHECKING:
    from globewire.config.stories import StorySettings
    from globewire.stories.views import ArticleView

log = get_logger(__name__)

HEADLINE_MAX_CHARS = 90
SUMMARY_MIN_SENTENCES = 3
SUMMARY_MAX_SENTENCES = 5

# Sentence filters: shorter sentences are datelines/captions, longer ones run-ons or lists (checked on the
# fixture corpus and on extracted pages: real summary-worthy sentences are 8-45 words).
MIN_SENTENCE_WORDS = 6
MAX_SENTENCE_WORDS = 60
# LexRank: edges below this cosine are noise between unrelated sentences (0.1 is the usual LexRank choice and
# gave the same top sentences as 0.05-0.15 on the fixture corpus).
LEXRANK_EDGE_MIN = 0.1
LEXRANK_DAMPING = 0.85
# Lead prior: news leads state the event. Multiplier on centrality for the 1st/2nd sentence of an article.
LEAD_BONUS = (0.3, 0.1)
# MMR trade-off between centrality and novelty (novelty = 1 - max(cosine, word coverage) vs chosen sentences); sentences closer than REDUNDANT_SIM to a chosen one are skipped
# (paraphrases of the same fact across outlets sit at 0.45-0.8 TF-IDF cosine on the corpus).
MMR_LAMBDA = 0.6
REDUNDANT_SIM = 0.4
# A candidate whose content words (idf-weighted) are mostly already in the chosen sentences adds nothing even
# when no single chosen sentence is close to it (the corpus' re-worded leads are 0.6-0.8 covered; sentences
# adding a new fact 0.2-0.5).
REDUNDANT_COVERAGE = 0.6

# Headline penalties (subtracted from a centrality score in [0, 1]); a loaded title loses to a plain one
# whose centrality is up to ~0.4 lower.
LOADED_PENALTY = 0.4
QUESTION_PENALTY = 0.35
EXCLAMATION_PENALTY = 0.3
QUOTE_ONLY_PENALTY = 0.35
SHOUTING_PENALTY = 0.2
OVERLONG_PENALTY = (
    0.3  # a trimmed headline (with …) loses to a complete one of similar centrality
)
SHORT_PENALTY = 0.2
LEAD_CANDIDATE_PENALTY = (
    0.12  # a lead sentence is used as headline only when titles are worse
)
ENTITY_WEIGHT = 0.3
ORIGINAL_ENGLISH_BONUS = (
    0.02  # tie-break towards a title written in English over a translation
)

# Opinion / clickbait markers (lower case, matched on word boundaries).
LOADED_TERMS: tuple[str, ...] = (
    "slams",
    "slammed",
    "blasts",
    "blasted",
    "rips",
    "destroys",
    "eviscerates",
    "crushes",
    "savages",
    "torches",
    "shocking",
    "shock",
    "stunning",
    "stuns",
    "outrage",
    "outrageous",
    "furious",
    "fury",
    "chaos",
    "chaotic",
    "horror",
    "horrific",
    "bombshell",
    "meltdown",
    "humiliating",
    "humiliation",
    "humiliated",
    "brutal",
    "epic",
    "jaw-dropping",
    "unbelievable",
    "incredible",
    "insane",
    "disgrace",
    "disgraceful",
    "shameful",
    "catastrophe",
    "fiasco",
    "debacle",
    "you won't believe",
    "here's why",
    "here is why",
    "what you need to know",
    "must see",
    "must-see",
    "goes viral",
    "breaks the internet",
    "finally",
    "totally",
    "absolutely",
    "massive",
    "nightmare",
    "scandalous",
    "triumph",
    "glorious",
    "heroic",
    "cowardly",
    "sham",
    "farce",
)
LOADED_RE = re.compile(
    r"(?<![\w])(?:" + "|".join(re.escape(t) for t in LOADED_TERMS) + r")(?![\w])",
    re.IGNORECASE,
)
_PREFIX_RE = re.compile(
    r"^\s*(?:(?:live|watch|breaking|exclusive|update(?:\s*\d+)?|updated|opinion|analysis|video|photos?|"
    r"explainer|factbox|live updates|en direct|eilmeldung|último minuto|urgente)\s*[:\-–—|]\s*)+",
    re.IGNORECASE,
)
_BRAND_WORDS = re.compile(
    r"\b(?:news|times|post|reuters|ap|afp|dpa|efe|ansa|kyodo|bbc|cnn|guardian|journal|herald|tribune|press|"
    r"daily|tv|radio|online|today|telegraph|gazette|monde|país|pais|zeitung|nhk|yonhap|dw|rfi|aktuell)\b",
    re.IGNORECASE,
)
_SUFFIX_SEP = re.compile(r"\s+[|–—\-:]\s+(?P<suffix>[^|–—\-:]{2,40})$")
_BOILERPLATE = re.compile(
    r"(?:subscribe|sign up|newsletter|cookies?|all rights reserved|click here|read more|follow us|"
    r"(?:contributed|additional) reporting|©|copyright|this (?:article|story) (?:was|has been) (?:updated|"
    r"corrected)|photo:|image:|foto:|bild:|getty images|share this|advertisement|terms of use|privacy policy|"
    r"\b(?:gallery|galerie|galería|galeria)\s*:\s*\d+|fixture translation)",
    re.IGNORECASE,
)
# Furniture that copy-paste and extraction leave inside a sentence (the whole-line rows are in
# extract/furniture.py): reading time, update stamps, related-story prompts, share-menu labels, gallery
# counters repeated by the page ("2 Bilder 2 Bilder"), caption credits ("Photo: AFP").
_FURNITURE_INLINE = re.compile(
    r"\b\d+\s*(?:-\s*)?min(?:ute)?s?\.?\s+read\b|\blast updated\b|(?:^|\|\s*|\bread\s+)first published\b"
    r"|\b(?:see also|read more|also read|read also|related)\s*:|\b(?:get link|other apps)\b"
    r"|\b(\d+\s+\w+)\s+\1\b|\((?:photo|foto|image|bild)\s*:[^)]*\)|\b(?:photo|image) credit\b",
    re.IGNORECASE,
)
# Two sentences whose word sets reach this token-set Jaccard are one sentence said twice. Calibrated on the
# English pairs of ../shared/benchmarks/story-pairs-semeval2022: distinct sentences of one article reach 0.6
# in 0.29% of pairs (most of those are verbatim repeats), while a one-word edit of a 20-word sentence is
# ~0.82, a dateline added ~0.87 and an update ("will vote" -> "voted" plus a 5-word clause) ~0.7.
NEAR_DUPLICATE_JACCARD = 0.6
_WS = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Sentence:
    article_id: int
    index: int  # position in the article's English text (0 = lead)
    n_in_article: int
    text: str
    country: str | None
    outlet_id: str | None
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class StorySummary:
    headline: str
    headline_language: str
    summary: list[dict[str, Any]]
    backend: str
    extra: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- text access


def is_english(a: ArticleView) -> bool:
    return (a.language or "").lower().split("-")[0] == "en"


def english_title(a: ArticleView) -> str | None:
    if is_english(a):
        return a.title or None
    return a.title_en or None


def english_text(a: ArticleView) -> str | None:
    if is_english(a):
        return a.text or None
    return a.text_en or None


def unique_articles(articles: Sequence[ArticleView]) -> list[ArticleView]:
    """Articles that are not duplicates of another article of the same story (syndicated copies)."""
    ids = {a.id for a in articles}
    return [a for a in articles if a.duplicate_of is None or a.duplicate_of not in ids]


def is_boilerplate(sentence: str) -> bool:
    """Boilerplate or page furniture: a sentence no summary or take should quote (subscription and cookie
    prompts, a whole-line furniture row of ``extract.furniture``, reading-time and "last updated" lines,
    "see also" blocks, repeated gallery counters such as "2 Bilder 2 Bilder", caption credits)."""
    from globewire.extract.furniture import classify

    return bool(_BOILERPLATE.search(sentence) or _FURNITURE_INLINE.search(sentence)
                or classify(sentence) is not None)


def _token_set(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in words(text) if len(w) > 1 or w.isdigit())


def drop_near_duplicates(sentences: Sequence[Sentence], threshold: float = NEAR_DUPLICATE_JACCARD) -> list[Sentence]:
    """``sentences`` without those whose word set is within ``threshold`` token-set Jaccard of an earlier
    kept one (the same lead in several copies, an update's reworded sentence); the first one (earliest
    article, earliest position) is kept. Overlaps are counted through an inverted index, not pair by pair."""
    kept: list[Sentence] = []
    kept_sets: list[frozenset[str]] = []
    index: dict[str, list[int]] = {}
    for s in sentences:
        toks = _token_set(s.text)
        if not toks:
            continue
        overlap: Counter[int] = Counter()
        for t in toks:
            for k in index.get(t, ()):
                overlap[k] += 1
        if any(n / (len(toks) + len(kept_sets[k]) - n) >= threshold for k, n in overlap.items()):
            continue
        for t in toks:
            index.setdefault(t, []).append(len(kept))
        kept.append(s)
        kept_sets.append(toks)
    return kept


def content_words(text: str) -> list[str]:
    return [
        w.lower()
        for w in words(text)
        if w.lower() not in ENGLISH_STOP_WORDS and len(w) > 1
    ]


def story_sentences(
    articles: Sequence[ArticleView], *, filtered: bool = True
) -> list[Sentence]:
    """English sentences of the articles in order; ``filtered`` drops boilerplate and too short/long ones."""
    out: list[Sentence] = []
    for a in articles:
        text = english_text(a)
        if not text:
            continue
        sents = split_sentences(text, "en")
        title = english_title(a) or ""
        for i, s in enumerate(sents):
            if i == 0:
                s = strip_dateline(without_title(s, title))
            if not s:
                continue
            if filtered:
                n = len(words(s))
                if (
                    n < MIN_SENTENCE_WORDS
                    or n > MAX_SENTENCE_WORDS
                    or is_boilerplate(s)
                ):
                    continue
            out.append(
                Sentence(a.id, i, len(sents), s, a.country, a.outlet_id, a.published_at)
            )
    return out


# US -> UK spellings folded together so "center"/"centre" and "favor"/"favour" match across outlets.
_SPELLING = {
    "center": "centre",
    "defense": "defence",
    "favor": "favour",
    "labor": "labour",
    "program": "programme",
    "neighbor": "neighbour",
    "neighbors": "neighbours",
    "honor": "honour",
    "meter": "metre",
    "kilometer": "kilometre",
    "kilometers": "kilometres",
    "percent": "%",
    "semifinal": "semi-final",
}


def stem(word: str) -> str:
    """A light English suffix stripper (plurals, -ing, -ed, possessives): enough for lexical overlap."""
    w = _SPELLING.get(word, word)
    if w.endswith(("'s", "’s")):
        w = w[:-2]
    for suffix, repl, min_len in (
        ("ies", "y", 5),
        ("sses", "ss", 6),
        ("ing", "", 6),
        ("ed", "", 5),
        ("es", "e", 5),
        ("s", "", 4),
    ):
        if (
            w.endswith(suffix)
            and len(w) >= min_len
            and not w.endswith(("ss", "us", "is"))
        ):
            base = w[: len(w) - len(suffix)] + repl
            if (
                suffix in ("ing", "ed")
                and len(base) > 3
                and base[-1] == base[-2]
                and base[-1] not in "lsz"
            ):
                base = base[:-1]  # running -> run, planned -> plan
            return base
    return w


class TermWeights:
    """IDF weights of stemmed terms over a set of sentences, for idf-weighted word coverage."""

    def __init__(self, term_sets: Sequence[set[str]]) -> None:
        n = len(term_sets)
        df: dict[str, int] = {}
        for ts in term_sets:
            for t in ts:
                df[t] = df.get(t, 0) + 1
        self._idf = {t: float(np.log((1 + n) / (1 + d)) + 1.0) for t, d in df.items()}
        self._default = float(np.log(1 + n) + 1.0)

    def coverage(self, terms: set[str], pool: set[str]) -> float:
        """Share (idf-weighted) of ``terms`` that also occur in ``pool``; 0 for an empty sentence."""
        total = sum(self._idf.get(t, self._default) for t in terms)
        if total <= 0:
            return 0.0
        return sum(self._idf.get(t, self._default) for t in terms if t in pool) / total


def analyse(text: str) -> list[str]:
    """Lower-cased, stop-word-free, stemmed tokens (the TF-IDF analyser)."""
    return [
        stem(w)
        for w in (t.lower() for t in words(text))
        if w not in ENGLISH_STOP_WORDS and (len(w) > 1 or w.isdigit())
    ]


def tfidf(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised TF-IDF rows (dense; stories are small). All-zero rows for texts with no content words."""
    if not texts:
        return np.zeros((0, 0))
    vec = TfidfVectorizer(analyzer=analyse, sublinear_tf=True)
    try:
        return np.asarray(vec.fit_transform(texts).toarray(), dtype=np.float64)
    except ValueError:  # empty vocabulary: nothing but stop words
        return np.zeros((len(texts), 1))


def _sort_time(t: datetime | None) -> float:
    if t is None:
        return float("inf")
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.timestamp()


# --------------------------------------------------------------------------- headline


def clean_title(title: str, outlet_name: str | None = None) -> str:
    t = _WS.sub(" ", title).strip()
    t = _PREFIX_RE.sub("", t).strip()
    for _ in range(2):
        m = _SUFFIX_SEP.search(t)
        if not m:
            break
        suffix = m.group("suffix").strip()
        brand = outlet_name and suffix.lower() == outlet_name.strip().lower()
        if brand or (len(suffix.split()) <= 4 and _BRAND_WORDS.search(suffix)):
            t = t[: m.start()].rstrip()
        else:
            break
    return t


def trim_headline(text: str, limit: int = HEADLINE_MAX_CHARS) -> str:
    t = _WS.sub(" ", text).strip()
    if len(t) <= limit:
        return t
    cut = t[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-–—") + "…"


def _caps_names(text: str) -> set[str]:
    """Capitalised words not at the start of the text (a cheap stand-in for named entities)."""
    toks = words(text)
    return {
        w.lower()
        for w in toks[1:]
        if w[:1].isupper() and w.lower() not in ENGLISH_STOP_WORDS
    }


def headline_penalty(title: str) -> float:
    p = LOADED_PENALTY * len(LOADED_RE.findall(title))
    s = title.strip()
    if s.endswith("?"):
        p += QUESTION_PENALTY
    if "!" in s:
        p += EXCLAMATION_PENALTY
    if re.fullmatch(r"""[“"'‘«].+[”"'’»]\s*(?:[:,–—-]\s*\S.{0,30})?""", s):
        p += QUOTE_ONLY_PENALTY
    if sum(1 for w in words(s) if len(w) >= 4 and w.isupper()) >= 2:
        p += SHOUTING_PENALTY
    n = len(words(s))
    if n < 4:
        p += SHORT_PENALTY
    if len(s) > HEADLINE_MAX_CHARS:
        p += OVERLONG_PENALTY
    return p


@dataclass(frozen=True, slots=True)
class _Candidate:
    text: str
    article_id: int
    original_english: bool
    lead: bool


def _site_names(articles: Sequence[ArticleView]) -> tuple[str, ...]:
    return tuple(sorted({a.outlet_name for a in articles if a.outlet_name}))


def _fit(text: str) -> str:
    """A title within HEADLINE_MAX_CHARS: cut at a clause boundary (``headline.compress``) when longer."""
    from globewire.headline import compress

    t = _WS.sub(" ", text).strip()
    return t if len(t) <= HEADLINE_MAX_CHARS else compress(t)


def _derived(articles: Sequence[ArticleView], lang: str, english: bool) -> tuple[str, int | None]:
    """A headline derived from the lead of the most central article (``headline.derive_headline``), trying
    the others in order of centrality; ("", None) when no article has a usable lead."""
    from globewire.headline import derive_headline

    texts: list[tuple[ArticleView, str]] = []
    for a in articles:
        t = english_text(a) if english else a.text
        if t:
            texts.append((a, t))
    if not texts:
        return "", None
    order = list(range(len(texts)))
    if len(texts) > 1:
        x = tfidf([t[:2000] for _, t in texts])
        sim = x @ x.T
        central = sim.sum(axis=1) - np.diag(sim)
        order.sort(key=lambda i: (-round(float(central[i]), 9), i))
    names = _site_names(articles)
    for i in order:
        a, t = texts[i]
        h = derive_headline(t, lang, site_names=names)
        if h:
            return h, a.id
    return "", None


def neutral_headline(articles: Sequence[ArticleView]) -> tuple[str, str, int | None]:
    """(headline, language, article id it came from). Language is "en" unless no English title exists.
    Only candidates that pass the headline quality check (``globewire.headline``) are considered; when none
    does, the headline is derived from the lead of the story's most central article."""
    from globewire.headline import is_good_headline, strip_sentence

    arts = unique_articles(articles)
    if not arts:
        return "", "en", None
    names = _site_names(arts)
    cands: list[_Candidate] = []
    docs: dict[int, str] = {}
    for a in arts:
        t = english_title(a)
        body = english_text(a) or ""
        lead = split_sentences(body, "en")[:2]
        docs[a.id] = " ".join([t or "", *lead])
        if t:
            cands.append(
                _Candidate(_fit(clean_title(t, a.outlet_name)), a.id, is_english(a), False)
            )
        if lead:
            first = strip_sentence(lead[0])  # no dateline ("BERLIN (Reuters) -") nor trailing attribution
            if len(first) <= HEADLINE_MAX_CHARS and len(words(first)) >= 5:
                cands.append(_Candidate(first, a.id, is_english(a), True))
    cands = [c for c in cands if c.text and is_good_headline(c.text, "en", site_names=names)]
    if not cands:
        if any(english_text(a) for a in arts):
            h, src = _derived(arts, "en", True)
            if h:
                return h, "en", src
        # no English anywhere: the most common language's first usable title, else a headline derived from
        # that language's leads, marked with the language
        langs = sorted({(a.language or "und") for a in arts})
        lang = max(
            langs,
            key=lambda lg: (sum(1 for a in arts if (a.language or "und") == lg), lg),
        )
        same = sorted((a for a in arts if (a.language or "und") == lang),
                      key=lambda a: (_sort_time(a.published_at), a.id))
        for a in same:
            t = _fit(clean_title(a.title, a.outlet_name))
            if is_good_headline(t, lang, site_names=names):
                return t, lang, a.id
        h, src = _derived(same, lang, False)
        if h:
            return h, lang, src
        a0 = same[0]
        return trim_headline(clean_title(a0.title, a0.outlet_name)), lang, a0.id

    doc_ids = sorted(docs)
    matrix = tfidf([c.text for c in cands] + [docs[i] for i in doc_ids])
    cvec, dvec = matrix[: len(cands)], matrix[len(cands) :]
    doc_names = {i: _caps_names(docs[i]) for i in doc_ids}
    scored: list[tuple[float, int, int, str, _Candidate]] = []
    for k, c in enumerate(cands):
        others = [j for j, i in enumerate(doc_ids) if i != c.article_id]
        if others:
            centrality = float(np.mean(dvec[others] @ cvec[k]))
            names_c = _caps_names(c.text)
            agree = (
                float(
                    np.mean(
                        [
                            sum(1 for o in others if n in doc_names[doc_ids[o]])
                            / len(others)
                            for n in names_c
                        ]
                    )
                )
                if names_c
                else 0.0
            )
        else:
            centrality, agree = 1.0, 0.0
        score = centrality + ENTITY_WEIGHT * agree - headline_penalty(c.text)
        score += ORIGINAL_ENGLISH_BONUS if c.original_english else 0.0
        score -= LEAD_CANDIDATE_PENALTY if c.lead else 0.0
        scored.append((-round(score, 9), len(c.text), c.article_id, c.text, c))
    scored.sort()
    best = scored[0][4]
    log.debug(
        "headline_chosen",
        article_id=best.article_id,
        score=-scored[0][0],
        candidates=len(cands),
    )
    return trim_headline(best.text), "en", best.article_id


# --------------------------------------------------------------------------- summary


def lexrank(
    sim: np.ndarray,
    *,
    edge_min: float = LEXRANK_EDGE_MIN,
    damping: float = LEXRANK_DAMPING,
) -> np.ndarray:
    n = sim.shape[0]
    if n == 0:
        return np.zeros(0)
    w = np.where(sim >= edge_min, sim, 0.0)
    np.fill_diagonal(w, 0.0)
    rows = w.sum(axis=1, keepdims=True)
    trans = np.divide(w, rows, out=np.full_like(w, 1.0 / n), where=rows > 0)
    p = np.full(n, 1.0 / n)
    for _ in range(200):
        nxt = (1 - damping) / n + damping * (trans.T @ p)
        if np.abs(nxt - p).sum() < 1e-10:
            p = nxt
            break
        p = nxt
    return p


def summary_length(n_articles: int) -> int:
    """3 sentences for small stories, 4 from 4 articles, 5 from 7."""
    if n_articles >= 7:
        return 5
    if n_articles >= 4:
        return 4
    return SUMMARY_MIN_SENTENCES


def extractive_summary(
    articles: Sequence[ArticleView], *, max_sentences: int | None = None
) -> list[dict[str, Any]]:
    arts = unique_articles(articles)
    uniq = drop_near_duplicates(story_sentences(arts))
    if not uniq:
        return []
    k = min(
        max_sentences or summary_length(len(arts)), SUMMARY_MAX_SENTENCES, len(uniq)
    )
    terms = [set(analyse(s.text)) for s in uniq]
    weights = TermWeights(terms)
    x = tfidf([s.text for s in uniq])
    sim = x @ x.T
    rank = lexrank(sim)
    prior = np.array(
        [
            1.0 + (LEAD_BONUS[s.index] if s.index < len(LEAD_BONUS) else 0.0)
            for s in uniq
        ]
    )
    rel = rank * prior
    rel = rel / rel.max() if rel.max() > 0 else rel
    chosen: list[int] = []
    order = sorted(range(len(uniq)), key=lambda i: (-rel[i], i))
    while len(chosen) < k:
        best_i, best_v = -1, -np.inf
        for i in order:
            if i in chosen:
                continue
            red = max((sim[i, j] for j in chosen), default=0.0)
            cov = (
                weights.coverage(terms[i], set().union(*(terms[j] for j in chosen)))
                if chosen
                else 0.0
            )
            if red >= REDUNDANT_SIM or cov >= REDUNDANT_COVERAGE:
                continue
            red = max(red, cov)
            v = MMR_LAMBDA * rel[i] - (1 - MMR_LAMBDA) * red
            if v > best_v + 1e-12:
                best_i, best_v = i, v
        if best_i < 0:
            break
        chosen.append(best_i)
    picked = sorted(
        (uniq[i] for i in chosen),
        key=lambda s: (
            s.index / max(s.n_in_article, 1),
            _sort_time(s.published_at),
            s.article_id,
            s.index,
        ),
    )
    return [{"text": s.text, "article_id": s.article_id} for s in picked]


# Untranslated stories: sentences of at least this many characters (words cannot be counted the same way in
# every script) make the fallback summary.
ORIGINAL_MIN_SENTENCE_CHARS = 40


def original_language_summary(articles: Sequence[ArticleView], *, max_sentences: int = SUMMARY_MIN_SENTENCES
                              ) -> list[dict[str, Any]]:
    """A summary for a story with no English text yet (nothing translated, no English source): the opening
    sentences of the earliest article in the story's most common language, each marked with its language.
    Replaced by the English extractive summary once translations arrive (the story is re-synthesised)."""
    arts = unique_articles(articles)
    langs = Counter((a.language or "").lower() for a in arts if a.language and a.text)
    if not langs:
        return []
    top = max(langs.values())
    first_lang: dict[str, ArticleView] = {}
    for a in arts:  # arts are in time order: ties between languages go to the one reported first
        first_lang.setdefault((a.language or "").lower(), a)
    lang = min((lg for lg, n in langs.items() if n == top), key=lambda lg: arts.index(first_lang[lg]))
    source = first_lang[lang]
    opening = split_sentences(source.text, lang)
    if opening:  # the title glued to the text, a dateline: not the summary's words
        opening[0] = strip_dateline(without_title(opening[0], source.title or ""))
    sents = [Sentence(source.id, i, 0, sent, source.country, source.outlet_id, source.published_at)
             for i, sent in enumerate(opening)
             if len(sent) >= ORIGINAL_MIN_SENTENCE_CHARS and not is_boilerplate(sent)]
    # a page that repeats its teaser as the first paragraph says its lead twice: said once here
    return [{"text": s.text, "article_id": source.id, "language": lang}
            for s in drop_near_duplicates(sents)[:max_sentences]]


# --------------------------------------------------------------------------- backend


class ExtractiveSummariser:
    """The default summariser backend (entry point ``globewire.summarisers: extractive``)."""

    name = "extractive"

    def __init__(self, settings: StorySettings | None = None) -> None:
        self.settings = settings

    def summarise(self, articles: Sequence[ArticleView]) -> StorySummary:
        headline, lang, _ = neutral_headline(articles)
        summary = extractive_summary(articles) or original_language_summary(articles)
        return StorySummary(headline, lang, summary, self.name)
