"""Sentence splitting and word tokens for the synthesis stage.

Uses ``globewire.translate.segment.split_sentences`` when the translation package provides it; otherwise a
small rule-based splitter (terminal punctuation followed by space + capital/quote/digit, with a list of
abbreviations that do not end a sentence). Synthesis works on English text, so the fallback is tuned for it,
with CJK full stops handled for untranslated Japanese/Chinese text.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from functools import cache, lru_cache

from globewire.log import get_logger

log = get_logger(__name__)

# Article texts kept split in memory (a story of 60 articles has ~60 texts; the cache spans a clustering batch).
SPLIT_CACHE_SIZE = 4096

_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "gov",
        "sen",
        "rep",
        "pres",
        "no",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "dept",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "a.m",
        "p.m",
        "i.e",
        "e.g",
        "approx",
        "fig",
        "est",
    ]
)
# A candidate boundary: terminal punctuation, optional closing quote/bracket, whitespace, then an opener.
_BOUNDARY = re.compile(r"""([.!?…]+["'”’)\]]*)\s+(?=["'“‘(\[]?[A-Z0-9À-Ý])""")
_CJK_BOUNDARY = re.compile(r"(?<=[。！？])")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)


def _own_split(text: str) -> list[str]:
    out: list[str] = []
    for para in re.split(r"\n\s*\n|\n(?=\s*[-•*] )|\n", text):
        para = " ".join(para.split())
        if not para:
            continue
        pieces = [p for p in _CJK_BOUNDARY.split(para) if p.strip()]
        for piece in pieces:
            start = 0
            for m in _BOUNDARY.finditer(piece):
                before = piece[start : m.start(1)]
                last = before.rsplit(" ", 1)[-1].lower().rstrip(".")
                # "U.S." / "Dr." / single initials ("J. Smith") do not end a sentence.
                if m.group(1) == "." and (
                    last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())
                ):
                    continue
                out.append(piece[start : m.end(1)].strip())
                start = m.end()
            tail = piece[start:].strip()
            if tail:
                out.append(tail)
    return out


@cache
def _external() -> Callable[[str, str], list[str]] | None:
    try:
        mod = importlib.import_module("globewire.translate.segment")
    except ImportError:
        return None
    fn = getattr(mod, "split_sentences", None)
    return fn if callable(fn) else None


def split_sentences(text: str, lang: str = "en") -> list[str]:
    """Sentences of ``text`` in order, whitespace-normalised, empty ones dropped.

    Cached: synthesis splits the same article text for the headline, summary, takes and entities.
    """
    if not text or not text.strip():
        return []
    return list(_split_cached(text, lang))


@lru_cache(maxsize=SPLIT_CACHE_SIZE)
def _split_cached(text: str, lang: str) -> tuple[str, ...]:
    return tuple(_split(text, lang))


def _split(text: str, lang: str) -> list[str]:
    ext = _external()
    if ext is not None:
        try:
            return [" ".join(s.split()) for s in ext(text, lang) if s and s.strip()]
        except Exception as exc:  # noqa: BLE001 - a broken optional helper must not break synthesis
            log.warning("external_splitter_failed", error=repr(exc))
    return _own_split(text)


def words(text: str) -> list[str]:
    """Word tokens (letters/digits, inner apostrophes kept)."""
    return _WORD.findall(text)
