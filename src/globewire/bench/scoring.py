"""Scoring functions shared by the extraction/language benchmarks and their tests.

Body scores follow the article-extraction-benchmark definition (see ``shared/README.md``):
text is split into ``\\w+`` tokens, 4-token shingles are counted as multisets, true/false
positives and false negatives are normalised per page so that they sum to 1, precision and
recall are each averaged over pages, and F1 is the harmonic mean of the two averages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_WORD = re.compile(r"\w+", re.UNICODE)
_SPACE = re.compile(r"\s+")

SHINGLE_SIZE = 4


def tokens(text: str | None) -> list[str]:
    return _WORD.findall(text or "")


def shingles(text: str | None, n: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """Multiset of n-token shingles; a text shorter than ``n`` tokens is one shorter shingle."""
    toks = tokens(text)
    size = min(n, len(toks))
    if size == 0:
        return Counter()
    return Counter(tuple(toks[i : i + size]) for i in range(len(toks) - size + 1))


@dataclass(frozen=True, slots=True)
class PageCounts:
    """True positives, false positives, false negatives of one page, normalised to sum 1."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float:
        if self.fp == 0.0 and self.fn == 0.0:
            return 1.0  # both empty, or a perfect match
        if self.tp + self.fp == 0.0:
            return 0.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.fp == 0.0 and self.fn == 0.0:
            return 1.0
        if self.tp + self.fn == 0.0:
            return 0.0
        return self.tp / (self.tp + self.fn)


def shingle_counts(expected: str | None, predicted: str | None, n: int = SHINGLE_SIZE) -> PageCounts:
    want = shingles(expected, n)
    got = shingles(predicted, n)
    tp = fp = fn = 0
    for key in want.keys() | got.keys():
        w, g = want.get(key, 0), got.get(key, 0)
        tp += min(w, g)
        fp += max(0, g - w)
        fn += max(0, w - g)
    total = tp + fp + fn
    if total == 0:
        return PageCounts(0.0, 0.0, 0.0)
    return PageCounts(tp / total, fp / total, fn / total)


@dataclass(frozen=True, slots=True)
class CorpusScore:
    precision: float
    recall: float
    f1: float
    pages: int


def corpus_score(pages: Iterable[PageCounts]) -> CorpusScore:
    """Mean precision and recall over pages, F1 of the two means."""
    items = list(pages)
    if not items:
        return CorpusScore(0.0, 0.0, 0.0, 0)
    p = sum(c.precision for c in items) / len(items)
    r = sum(c.recall for c in items) / len(items)
    f1 = 2 * p * r / (p + r) if p + r > 0 else 0.0
    return CorpusScore(p, r, f1, len(items))


def token_f1(expected: str | None, predicted: str | None) -> float:
    """Bag-of-tokens F1 (case-folded ``\\w+`` tokens) between two texts; 1.0 when both are empty."""
    want = Counter(t.casefold() for t in tokens(expected))
    got = Counter(t.casefold() for t in tokens(predicted))
    if not want and not got:
        return 1.0
    common = sum((want & got).values())
    if common == 0:
        return 0.0
    p = common / sum(got.values())
    r = common / sum(want.values())
    return 2 * p * r / (p + r)


def normalise_space(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


def title_exact(expected: str | None, predicted: str | None) -> bool:
    return normalise_space(expected) == normalise_space(predicted)


def parse_iso_datetime(value: str | None) -> dt.datetime | None:
    """Parse an ISO-8601-ish timestamp; naive values are taken as UTC."""
    if not value:
        return None
    try:
        d = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


def date_within(expected: dt.datetime | None, predicted: dt.datetime | None, hours: float = 24.0) -> bool:
    if expected is None or predicted is None:
        return False
    e = expected if expected.tzinfo else expected.replace(tzinfo=dt.UTC)
    p = predicted if predicted.tzinfo else predicted.replace(tzinfo=dt.UTC)
    return abs((e - p).total_seconds()) <= hours * 3600


def primary_subtag(tag: str | None) -> str | None:
    """``de-AT`` -> ``de``; ``nb``/``nn``/``no`` collapse to ``no`` (Norwegian); None stays None."""
    if not tag:
        return None
    primary = re.split(r"[-_]", tag.strip().lower(), maxsplit=1)[0]
    if primary in {"nb", "nn", "no"}:
        return "no"
    return primary or None


def accuracy(pairs: Sequence[tuple[str | None, str | None]]) -> float:
    if not pairs:
        return 0.0
    return sum(1 for want, got in pairs if want == got) / len(pairs)
