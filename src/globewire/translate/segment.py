"""Sentence and paragraph segmentation, bounded against garbage input.

``split_sentences`` uses pysbd where it knows the language and our own rules for scripts whose
sentence ends pysbd handles poorly or not at all (CJK ``。！？``, Thai spaces, Arabic ``؟ ۔``,
Devanagari ``।``). Nothing here raises on odd input: control characters are dropped, over-long
"sentences" are truncated and counted so the record can say so.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from globewire.log import get_logger

log = get_logger(__name__)

# pysbd is a rule engine with regexes that can go super-linear on pathological paragraphs; above
# this size we use the plain rules instead (no paragraph of real news prose is this long).
PYSBD_MAX_PARAGRAPH_CHARS = 20_000
# Thai has no sentence punctuation; a space ends a sentence or clause. Pieces shorter than this
# (numbers, names, a quoted English word) are merged with the next. Chosen by eye on Thai news
# paragraphs: clause pieces are typically 20-120 characters.
THAI_MIN_PIECE_CHARS = 24
TITLE_PARA = -1  # paragraph index used for the title in alignments

_PYSBD_LANGS = frozenset(
    {"am", "bg", "da", "de", "el", "en", "es", "fr", "hy", "it", "kk", "my", "nl", "pl", "ru", "sk"}
)
_CJK_LANGS = frozenset({"zh", "ja", "yue", "wuu"})
_ARABIC_LANGS = frozenset({"ar", "fa", "ur", "ps", "ku", "sd", "ug"})
_INDIC_DANDA_LANGS = frozenset({"hi", "mr", "ne", "bn", "sa", "as", "pa", "mai", "bho"})
_THAI_LANGS = frozenset({"th", "lo", "km", "my_no_punct"})

_CLOSERS = "\"'”’»」』）)]】〕》〉"
_CJK_END = "。！？!?…．"
_ARABIC_END = ".!?؟۔"
_DANDA_END = "।॥!?."
_GENERIC_END = ".!?…;"  # ';' is excluded below for most languages; Greek uses ';' as a question mark
_LATIN_END = ".!?…"

# Control characters (C0/C1 except tab/newline), lone surrogates and noncharacters are dropped.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Remove binary debris: control chars, surrogates; normalise newlines and NFC."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = _CONTROL_RE.sub("", text)
    try:
        return unicodedata.normalize("NFC", text)
    except ValueError:  # pragma: no cover - defensive; NFC accepts any str without surrogates
        return text


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are the non-empty lines of the extracted text (the extractor puts one per line)."""
    return [p for p in (re.sub(r"[ \t\u00a0\u3000]+", " ", line).strip() for line in clean_text(text).split("\n")) if p]


def _cut_after(text: str, enders: str, need_space: bool) -> list[str]:
    """Cut ``text`` after runs of ``enders`` (plus closing quotes/brackets). With ``need_space`` a cut
    happens only where whitespace or the end follows (keeps 3.5, U.S.A, URLs whole)."""
    out: list[str] = []
    start = 0
    i, n = 0, len(text)
    while i < n:
        if text[i] in enders:
            j = i + 1
            while j < n and (text[j] in enders or text[j] in _CLOSERS):
                j += 1
            if not need_space or j >= n or text[j].isspace():
                out.append(text[start:j])
                start = j
            i = j
        else:
            i += 1
    out.append(text[start:])
    return [s.strip() for s in out if s.strip()]


def _split_thai(text: str) -> list[str]:
    pieces = [p for p in re.split(r"\s+", text) if p]
    out: list[str] = []
    buf = ""
    for p in pieces:
        buf = f"{buf} {p}" if buf else p
        if len(buf) >= THAI_MIN_PIECE_CHARS:
            out.append(buf)
            buf = ""
    if buf:
        if out and len(buf) < THAI_MIN_PIECE_CHARS:
            out[-1] = f"{out[-1]} {buf}"
        else:
            out.append(buf)
    return out


# pysbd's Segmenter keeps the text being segmented on the instance: not thread-safe. One per thread.
_segmenters = threading.local()


def _pysbd(text: str, lang: str) -> list[str]:
    import pysbd

    segs: dict[str, object] = _segmenters.__dict__.setdefault("by_lang", {})
    seg = segs.get(lang)
    if seg is None:
        seg = segs[lang] = pysbd.Segmenter(language=lang, clean=False)
    return [s.strip() for s in seg.segment(text) if s.strip()]  # type: ignore[attr-defined]


def _split_one_paragraph(text: str, lang: str) -> list[str]:
    if lang in _CJK_LANGS:
        return _cut_after(text, _CJK_END, need_space=False)
    if lang in _ARABIC_LANGS:
        return _cut_after(text, _ARABIC_END, need_space=True)
    if lang in _INDIC_DANDA_LANGS:
        # the danda needs no following space; Latin '.' '?' '!' do
        out: list[str] = []
        for part in _cut_after(text, "।॥", need_space=False):
            out.extend(_cut_after(part, "!?.", need_space=True))
        return out
    if lang in _THAI_LANGS:
        return _split_thai(text)
    if lang in _PYSBD_LANGS and len(text) <= PYSBD_MAX_PARAGRAPH_CHARS:
        try:
            return _rejoin(_pysbd(text, lang), lang)
        except Exception as exc:  # noqa: BLE001 - a rule engine bug must not stop the worker
            log.warning("pysbd_failed", lang=lang, error=repr(exc)[:200])
    enders = _LATIN_END + (";" if lang == "el" else "")
    # mixed scripts: full-width CJK enders also cut, without needing a space
    out = []
    for part in _cut_after(text, "。！？", need_space=False):
        out.extend(_cut_after(part, enders, need_space=True))
    return _rejoin(out, lang)


# A full stop that ends no sentence: after an ordinal day ("am 8. Dezember", "v úterý 8. prosince", "1. januára")
# or an abbreviation before a word in lower case ("tj. v", "ul. długa"). Many languages write
# ordinals with a full stop; pysbd (German, Polish, Slovak...) and the generic rule both cut there, which left
# summaries with fragments ("Die Sperrung gilt ab dem 8." / "Dezember 2026 für alle Fahrzeuge."). A sentence
# does not start in lower case in a cased script, nor with a month's name right after a day's number.
_ORDINAL_END = re.compile(r"(?<![\d.,])\d{1,2}\.$")
# ... nor after a one-letter abbreviation or initial ("č. p. 12–48", "J. Smith"; "Plan B." ending a sentence is lost).
_LETTER_END = re.compile(r"(?:^|[\s(])[^\W\d_]\.$")


def _no_boundary(before: str, after: str, lang: str) -> bool:
    """Does the cut between ``before`` and ``after`` fall inside a sentence (see _ORDINAL_END)?"""
    from globewire.headline import MONTH_KEYS, calendar_names

    first = after.lstrip("\"'“‘«„(")[:1]
    if first.isalpha() and first.islower() and first.upper() != first:
        return True
    if _LETTER_END.search(before):
        return True
    if _ORDINAL_END.search(before):
        word = after.split(maxsplit=1)[0].strip(".,;:").lower() if after.split() else ""
        return word in calendar_names(lang, MONTH_KEYS, short_forms=True)
    return False


# Pieces are not rejoined past this length: text written all in lower case (chat-style posts) would otherwise
# become one unit, which translation cuts at ``translate.max_sentence_chars`` (600 by default).
REJOIN_MAX_CHARS = 400


def _rejoin(sentences: list[str], lang: str) -> list[str]:
    out: list[str] = []
    for s in sentences:
        if out and len(out[-1]) + len(s) < REJOIN_MAX_CHARS and _no_boundary(out[-1], s, lang):
            out[-1] = f"{out[-1]} {s}"
        else:
            out.append(s)
    return out


def split_sentences(text: str, lang: str) -> list[str]:
    """Sentences of ``text`` (all paragraphs) in language ``lang`` (ISO 639-1; unknown → generic rules)."""
    lang = (lang or "").lower().split("-")[0].split("_")[0]
    out: list[str] = []
    for para in split_paragraphs(text):
        out.extend(_split_one_paragraph(para, lang))
    return out


@dataclass(slots=True)
class Unit:
    """One sentence to translate: paragraph index (``TITLE_PARA`` for the title) and its text."""

    para: int
    src: str


@dataclass(slots=True)
class Segmented:
    units: list[Unit] = field(default_factory=list)
    notes: dict[str, int] = field(default_factory=dict)


def segment_article(title: str, text: str, lang: str, *, max_sentence_chars: int, max_article_chars: int) -> Segmented:
    """Title and body as translation units, bounded: sentences over ``max_sentence_chars`` are cut,
    body text past ``max_article_chars`` is dropped; both are counted in ``notes``."""
    seg = Segmented()
    truncated = 0

    def add(para: int, sentence: str) -> None:
        nonlocal truncated
        if len(sentence) > max_sentence_chars:
            truncated += 1
            sentence = sentence[:max_sentence_chars].rstrip()
        seg.units.append(Unit(para, sentence))

    title_clean = " ".join(clean_text(title).split())
    if title_clean:
        add(TITLE_PARA, title_clean)
    body = clean_text(text)
    if len(body) > max_article_chars:
        seg.notes["article_chars_dropped"] = len(body) - max_article_chars
        body = body[:max_article_chars]
    for p_idx, para in enumerate(split_paragraphs(body)):
        for sentence in _split_one_paragraph(para, (lang or "").lower().split("-")[0]):
            add(p_idx, sentence)
    if truncated:
        seg.notes["truncated_sentences"] = truncated
    return seg


T = TypeVar("T")


def batch_by_budget(items: Iterable[T], cost: Callable[[T], int], budget: int, max_items: int) -> Iterator[list[T]]:
    """Consecutive batches whose summed ``cost`` stays within ``budget`` (a single item over budget
    gets a batch of its own) and that hold at most ``max_items``."""
    batch: list[T] = []
    total = 0
    for item in items:
        c = max(1, cost(item))
        if batch and (total + c > budget or len(batch) >= max_items):
            yield batch
            batch, total = [], 0
        batch.append(item)
        total += c
    if batch:
        yield batch


def estimate_tokens(sentence: str) -> int:
    """Rough subword count for budgeting when no tokenizer is at hand: ~4 chars per token in
    alphabetic scripts, ~1.5 per token in CJK/Thai (measured loosely on OPUS-MT sentencepiece)."""
    wide = sum(1 for ch in sentence if ord(ch) >= 0x0E00)
    return max(1, (len(sentence) - wide) // 4 + int(wide / 1.5) + 1)
