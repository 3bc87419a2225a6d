"""Per-outlet boilerplate: sentences an outlet repeats across many of its articles.

Extraction keeps the article body, but some outlets put the same text into every body: cookie and paywall
notices, "register to read 3 articles", a police press office's contact block, a market report's fixed
opening. Two unrelated articles of such an outlet then look alike to every clustering signal (the lead
embedding, word overlap, shared names and numbers). This module learns, for one outlet, the sentences that
recur across its recent articles and strips them from the text the clusterer sees (the stored article text is
never changed).

A sentence is boilerplate for an outlet when it occurs in at least ``MIN_ARTICLES`` of the outlet's recent
articles and in at least ``MIN_SHARE`` of them. The share keeps a background paragraph that an outlet repeats
in three updates of one running story (3 of its ~40 recent articles) as evidence; template text is in most of
an outlet's articles. Both are set by hand, not fitted: on the SemEval-2022 articles grouped by host (most hosts
have 1-3 articles there, so little can be learned), 35 of 1,982 articles lose sentences (cookie banners, "TAKE
A FREE TRIAL", a bot-check page) and the 5x5-fold CV precision at the join threshold moves from 0.907 to 0.918;
several of the wrong joins left on that set are still pairs of one site sharing a notice that occurs in only
two of its articles there, which a live outlet with dozens of articles would expose.

Press releases go further: one sender's template (a police press office, a court, a weather or market
service, sports results) wraps *different facts* in the same sentences ("... verschafften sich unbekannte Täter
Zugang zu einem Einfamilienhaus in der Lindenstraße in Nordheim ..."), so no whole sentence recurs and the
sentence rule finds nothing. For clustering (``phrases=True``) the outlet's recurring word ``PHRASE_WORDS``-grams
are learned with the same rule, and a piece mostly made of them is cut down to the words outside them: the
facts (places, names, numbers). Those facts, less the outlet's everyday words, are kept with the row
(``facts``) so that two articles of one sender join only when their facts agree (``similarity.facts_agree``).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

MIN_ARTICLES = 3
MIN_SHARE = 0.2
# Sentences shorter than this (after normalising) are never boilerplate: "Photo: AP", dates, bylines are too
# short to make two texts look alike, and short generic sentences recur by chance.
MIN_CHARS = 25
# Recent articles of an outlet looked at (newest first).
SAMPLE = 40
LATEST = 2**62  # an article id bound that admits every stored article
# An article without a catalogue outlet (imported files, pasted text, pages fetched by URL) has its site as
# sender: "site:" + the registrable domain of its address. One police press office's releases imported from
# files are one sender's template as much as crawled ones are.
SITE_PREFIX = "site:"

# Template phrases: word n-grams of this length recurring in an outlet's articles (same MIN_ARTICLES/MIN_SHARE
# rule as sentences). Five words: shorter n-grams recur by chance in any outlet's prose ("in the city of"),
# longer ones miss templates whose slots come every few words.
PHRASE_WORDS = 5
# A piece whose words are at least this share inside template phrases is reduced to its other words (its
# facts); a piece below keeps all its words (an ordinary sentence that happens to share a phrase).
TEMPLATE_PIECE_SHARE = 0.5
# Words in at least this share of an outlet's articles are its everyday vocabulary, not facts ("Euro", "Uhr",
# "Police"); with at least MIN_ARTICLES articles.
COMMON_WORD_SHARE = 0.5

_WORDS = re.compile(r"\w+", re.UNICODE)
_PIECES = re.compile(r"(?<=[.!?。！？])\s+|\n+")
_NON_WORD = re.compile(r"\W+", re.UNICODE)


def _key(piece: str) -> str | None:
    norm = _NON_WORD.sub(" ", piece.casefold()).strip()
    if len(norm) < MIN_CHARS:
        return None
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=8).hexdigest()


def pieces(text: str) -> list[str]:
    """Sentence-like pieces (split at sentence punctuation and line breaks; consistent, not linguistic)."""
    return [p for p in _PIECES.split(text or "") if p.strip()]


def keys(text: str) -> set[str]:
    return {k for k in (_key(p) for p in pieces(text)) if k}


def _grams(words: Sequence[str]) -> list[str]:
    return [" ".join(words[i : i + PHRASE_WORDS]) for i in range(len(words) - PHRASE_WORDS + 1)]


def _piece_words(piece: str) -> list[str]:
    return [w.casefold() for w in _WORDS.findall(piece)]


@dataclass(frozen=True, slots=True)
class Boilerplate:
    """The recurring sentences of one outlet (as keys), its template phrases and everyday words."""

    keys: frozenset[str]
    phrases: frozenset[str] = frozenset()
    common: frozenset[str] = frozenset()
    learned_from: int = 0  # how many texts it was learned from

    @property
    def thin(self) -> bool:
        """Learned from too few texts to know a template (see ``pair_facts``)."""
        return self.learned_from < MIN_ARTICLES

    @classmethod
    def learn(cls, texts: Iterable[str], min_articles: int = MIN_ARTICLES) -> Boilerplate:
        counts: Counter[str] = Counter()
        grams: Counter[str] = Counter()
        words: Counter[str] = Counter()
        n = 0
        for t in texts:
            counts.update(keys(t))
            ws: set[str] = set()
            gs: set[str] = set()
            for p in pieces(t):
                pw = _piece_words(p)
                ws.update(pw)
                gs.update(_grams(pw))
            grams.update(gs)
            words.update(ws)
            n += 1
        need = max(min_articles, MIN_SHARE * n)
        common_need = max(MIN_ARTICLES, COMMON_WORD_SHARE * n)
        return cls(frozenset(k for k, c in counts.items() if c >= need),
                   frozenset(g for g, c in grams.items() if c >= need),
                   frozenset(w for w, c in words.items() if c >= common_need), n)

    def strip(self, text: str, *, phrases: bool = False) -> str:
        """``text`` without its boilerplate sentences (unchanged if nothing, or everything, would go); with
        ``phrases``, template pieces are also cut down to their words outside template phrases."""
        if not (self.keys or phrases and self.phrases) or not text:
            return text
        parts = pieces(text)
        kept = [p for p in parts if _key(p) not in self.keys]
        if phrases and self.phrases:
            kept = [r for r in (self._reduce(p) for p in kept) if r]
        if kept == parts or not kept:
            return text
        return "\n".join(kept)

    def _reduce(self, piece: str) -> str:
        words = _piece_words(piece)
        covered = [False] * len(words)
        for i, g in enumerate(_grams(words)):
            if g in self.phrases:
                for j in range(i, i + PHRASE_WORDS):
                    covered[j] = True
        if not words or sum(covered) < TEMPLATE_PIECE_SHARE * len(words):
            return piece
        original = _WORDS.findall(piece)
        return " ".join(w for w, c in zip(original, covered) if not c)

    def slot_facts(self, text: str) -> frozenset[str]:
        """The facts of ``text``'s template pieces only (those ``_reduce`` cuts down): the values it fills
        the template's slots with."""
        out: set[str] = set()
        for p in pieces(text):
            if _key(p) in self.keys:
                continue
            reduced = self._reduce(p)
            if reduced != p:
                out |= self.facts(reduced)
        return frozenset(out)

    def facts(self, text: str) -> frozenset[str]:
        """Names, places and numbers of a (stripped) text: capitalised or numeric words that are not among the
        outlet's everyday words."""
        return frozenset(
            w.casefold() for w in _WORDS.findall(text or "")
            if (w[:1].isupper() or any(ch.isdigit() for ch in w)) and w.casefold() not in self.common
        )


NONE = Boilerplate(frozenset())


# The text kept with a row whose sender's template is thin (``Boilerplate.thin``), for ``pair_facts``: its
# first this many characters (a template's slots are in its opening sentences; bounds the window's memory).
PAIR_TEXT_CHARS = 3000
# Pairs whose facts are kept: a pair is scored by both facts_agree and facts_match, in joins and repairs.
PAIR_FACTS_CACHE = 1024


@lru_cache(maxsize=PAIR_FACTS_CACHE)
def pair_facts(a: str, b: str) -> tuple[frozenset[str], frozenset[str]]:
    """The slot facts of two texts of one sender whose template could not be learned yet (it has fewer than
    ``MIN_ARTICLES`` stored texts, e.g. two notices imported from one file). The pair is its own sample: the
    sentences and ``PHRASE_WORDS``-grams both texts hold are taken as the template, and each text's facts are
    those inside its template pieces (``Boilerplate.slot_facts``), the values it fills the template's slots
    with. Two notices of one water company about different towns fill them with different towns, streets and
    figures. A report and its follow-up share their template sentences word for word, slots included, so
    few facts are left and nothing is decided. The facts of a text's own sentences are not counted: with two
    texts a repeated name cannot be told from a template's fixed words (on
    tests/fixtures/nonarticles/press_templates.json, counting them gives the Nordheim report and its
    follow-up 0.26 of their facts in common, below reports about different towns)."""
    bp = Boilerplate.learn((a, b), min_articles=2)
    return bp.slot_facts(a), bp.slot_facts(b)


def sender_of(row: dict[str, Any]) -> str | None:
    """Who published an article row, for boilerplate and template checks: its catalogue outlet, else its site
    (``SITE_PREFIX`` + registrable domain of its canonical address or address), else None."""
    if row.get("outlet_id"):
        return str(row["outlet_id"])
    url = row.get("canonical_url") or row.get("url")
    if not url:
        return None
    from globewire.naming import registrable_domain

    domain = registrable_domain(str(url))
    return SITE_PREFIX + domain if domain else None


def _recent_texts(store: Any, sender: str, up_to_id: int) -> list[str]:
    if sender.startswith(SITE_PREFIX):
        domain = sender[len(SITE_PREFIX):]
        try:
            domain = domain.encode("idna").decode("ascii")  # addresses are stored with ASCII hosts
        except UnicodeError:
            pass
        return list(store.recent_site_texts(domain, up_to_id=up_to_id, limit=SAMPLE))
    return list(store.recent_outlet_texts(sender, up_to_id=up_to_id, limit=SAMPLE))


def for_outlets(store: Any, newest: dict[str, int],
                cache: dict[tuple[str, int], Boilerplate] | None = None) -> dict[str, Boilerplate]:
    """The boilerplate of each outlet, learned from its ``SAMPLE`` newest stored originals up to the article
    id given for it: the newest article of that outlet in the batch being cleaned. An article clustered as it
    comes is cleaned with what was known then; a ``cluster --rebuild`` (batches in id order) sees at most one
    batch further ahead, not the whole store. ``cache`` keeps what was learned across calls of one run (the
    synthesis of many stories of the same outlets)."""
    out: dict[str, Boilerplate] = {}
    for outlet in sorted(newest):
        key = (outlet, int(newest[outlet]))
        if cache is not None and key in cache:
            out[outlet] = cache[key]
            continue
        out[outlet] = Boilerplate.learn(_recent_texts(store, outlet, int(newest[outlet])))
        if cache is not None:
            cache[key] = out[outlet]
    return out


def clean_rows(store: Any, rows: Sequence[dict[str, Any]], *, latest: bool = False,
               cache: dict[tuple[str, int], Boilerplate] | None = None, phrases: bool = False) -> list[dict[str, Any]]:
    """Copies of rows (dicts with ``id``, ``outlet_id``, ``url``/``canonical_url`` and ``text``) with each
    sender's boilerplate stripped from ``text`` (``sender_of``: the outlet, else the site); rows without either
    are returned as they are. Learned from the outlet's articles up to
    the batch's newest one (clustering), or with ``latest`` from its newest articles (display: what is known
    now). With ``phrases`` (clustering only: the text is cut to words), template pieces are reduced to their
    facts and each row of an outlet gets ``facts`` (see the module doc)."""
    newest: dict[str, int] = {}
    senders = [sender_of(r) for r in rows]
    for r, o in zip(rows, senders, strict=True):
        if o:
            newest[o] = LATEST if latest else max(newest.get(o, 0), int(r["id"]))
    learned = for_outlets(store, newest, cache)
    out = []
    for r, o in zip(rows, senders, strict=True):
        bp = learned.get(o or "", NONE)
        text = r.get("text") or ""
        cleaned = bp.strip(text, phrases=phrases)
        row = r if cleaned is text else {**r, "text": cleaned}
        if phrases and o:
            row = {**row, "facts": bp.facts(cleaned), "sender": o}
            if bp.thin:
                row["pair_text"] = cleaned[:PAIR_TEXT_CHARS]
        out.append(row)
    return out


def clustering_rows(store: Any, article_ids: Sequence[int]) -> list[dict[str, Any]]:
    """``store.clustering_rows`` with each outlet's boilerplate stripped: what every clustering path (the
    story stage, the re-clustering after translation, the fleet's embedding task) reads, so that stored
    vectors and in-memory signals come from the same text."""
    return clean_rows(store, store.clustering_rows(article_ids), phrases=True)
