"""Duplicates and versions: exact content hash plus MinHash-LSH near-duplicates.

A syndicated wire copy published by two outlets, or an updated version of an article under a new
URL, is linked to the earliest article with ``duplicate_of`` + a similarity instead of being
counted twice. (Updated versions under the *same* canonical URL are handled by the store, which keeps
their history in ``article_versions``.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
from datasketch import MinHash, MinHashLSH

from globewire.records import Article

NUM_PERM = 128
# Stored signatures are only comparable under the scheme that made them: pin it.
MINHASH_SCHEME = "affine32"
SHINGLE_WORDS = 5
# Jaccard similarity (estimated over word 5-shingles) above which two texts are the same article.
# Calibration: wire copies re-published with a different headline, byline and a trailing
# "(Reporting by ...)" line score 0.75-0.95 on our fixtures; an updated wire story pasted from apps and sites
# ("will vote on Tuesday" -> "voted on Tuesday", the dateline day, one paragraph reworded, one added: 230 words)
# scores 0.62-0.63 against its first version (tests/fixtures/pasted); different articles on the same story
# score < 0.2 (0.05 for the two Shrewsbury flood stories there). 0.5 keeps all the former with a margin and
# none of the latter (see tests/test_dedup.py, tests/test_pasted_dedup.py).
NEAR_DUP_THRESHOLD = 0.5
# The LSH index retrieves candidates from this lower similarity, so that a pair near NEAR_DUP_THRESHOLD is not
# lost to the banding's false negatives; every candidate is then checked against NEAR_DUP_THRESHOLD.
LSH_THRESHOLD = 0.4
# Texts shorter than this many words are only matched exactly: short texts share shingles by chance.
# (Words of unspaced scripts are character pairs: see match_tokens.)
MIN_WORDS_FOR_NEAR_DUP = 40
# How far back the near-duplicate index reaches when it is (re)built from the store.
INDEX_WINDOW = dt.timedelta(days=30)

_WORD = re.compile(r"\w+", re.UNICODE)
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\u0e00-\u0e7f\u1000-\u109f]")


def normalise_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(text))


def content_hash(title: str, text: str) -> str:
    """Exact identity of an article's content (whitespace, case and punctuation insensitive)."""
    return hashlib.sha256(normalise_text(text or title).encode("utf-8")).hexdigest()


def _shingles(words: list[str]) -> set[bytes]:
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words).encode("utf-8")}
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode("utf-8") for i in range(len(words) - SHINGLE_WORDS + 1)}


def match_tokens(text: str) -> list[str]:
    """Words for near-duplicate matching; a run of an unspaced script (Chinese, Japanese, Thai...) is one "word"
    to ``\\w+``, so it is cut into overlapping character pairs instead."""
    out: list[str] = []
    for word in normalise_text(text).split():
        if len(word) >= 3 and len(_UNSPACED.findall(word)) * 2 >= len(word):
            out.extend(word[i : i + 2] for i in range(len(word) - 1))
        else:
            out.append(word)
    return out


def minhash_of(text: str) -> MinHash | None:
    words = match_tokens(text)
    if len(words) < MIN_WORDS_FOR_NEAR_DUP:
        return None
    m = MinHash(num_perm=NUM_PERM, scheme=MINHASH_SCHEME)
    m.update_batch(list(_shingles(words)))
    return m


def minhash_to_bytes(m: MinHash) -> bytes:
    return np.asarray(m.hashvalues, dtype=np.uint64).tobytes()


def minhash_from_bytes(b: bytes) -> MinHash:
    return MinHash(num_perm=NUM_PERM, hashvalues=np.frombuffer(b, dtype=np.uint64), scheme=MINHASH_SCHEME)


@dataclass(frozen=True, slots=True)
class DupMatch:
    original_id: int
    similarity: float


class DedupIndex:
    """In-memory LSH over recent articles; rebuilt from the store's stored signatures at start."""

    def __init__(self) -> None:
        self._lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        self._sigs: dict[int, MinHash] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_signatures(cls, rows: Iterable[tuple[int, bytes]]) -> DedupIndex:
        idx = cls()
        for article_id, blob in rows:
            idx.add(article_id, minhash_from_bytes(blob))
        return idx

    def __len__(self) -> int:
        return len(self._sigs)

    def add(self, article_id: int, m: MinHash) -> None:
        with self._lock:
            if article_id in self._sigs:
                self._lsh.remove(str(article_id))
            self._sigs[article_id] = m
            self._lsh.insert(str(article_id), m)

    def discard(self, article_id: int) -> None:
        """Forget an article (removed from the store: a notice, not an article)."""
        with self._lock:
            if self._sigs.pop(article_id, None) is not None:
                self._lsh.remove(str(article_id))

    def best_match(self, m: MinHash, *, exclude: int | None = None) -> DupMatch | None:
        with self._lock:
            best: DupMatch | None = None
            for key in self._lsh.query(m):
                aid = int(key)
                if aid == exclude:
                    continue
                sim = float(m.jaccard(self._sigs[aid]))
                if sim < NEAR_DUP_THRESHOLD:
                    continue
                # Earliest article wins ties: it is the original.
                if best is None or sim > best.similarity + 1e-9 or (abs(sim - best.similarity) <= 1e-9 and aid < best.original_id):
                    best = DupMatch(aid, sim)
            return best


def text_for_matching(text: str) -> str:
    """The article text without the furniture lines that may survive extraction or a paste (share rows, date
    lines, bylines, captions, wire credits, related-story labels): two copies of one story that differ only by
    their chrome then compare on their words alone."""
    from globewire.extract.furniture import classify

    return "\n".join(line for line in text.split("\n") if line.strip() and classify(line) is None)


def fingerprint(article: Article) -> Article:
    """Dedup stage, part 1 (pure): content hash and MinHash signature (of the text without furniture lines)."""
    m = minhash_of(text_for_matching(article.text))
    return replace(
        article,
        content_hash=content_hash(article.title, article.text),
        minhash=minhash_to_bytes(m) if m is not None else None,
    )
