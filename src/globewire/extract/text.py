"""clean_pasted_text: text copied from a web page -> records.Extracted.

Copy-paste keeps the page furniture around the article (share rows, breadcrumbs, "5 min read",
cookie notices...). Lines are classified with the pattern table in ``furniture.py``: furniture
is dropped, bylines go to ``authors``, captions/credits to ``captions``, a dateline to
``published_at``, and a short first line becomes the title.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from globewire.extract.authors import split_names
from globewire.extract.dates import parse_date
from globewire.extract.errors import ExtractionError
from globewire.extract.furniture import classify
from globewire.records import Extracted

# A first line is a title when it is at most this long and does not end like a sentence.
MAX_TITLE_CHARS = 200
MAX_TITLE_WORDS = 30
# Furniture usually sits at the top and bottom of a paste; a byline/date is only taken from the
# first lines (a date deep in the article is content).
HEAD_LINES = 12
_SENTENCE_END = re.compile(r"[.!?。！？]$")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\xad"), None)


def _normalise(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ").replace("\t", " ")
    return [re.sub(r" {2,}", " ", line).strip() for line in text.split("\n")]


def _looks_like_names(names: list[str]) -> bool:
    """Names start with a capital (or are in a script without case)."""
    if not names:
        return False
    for n in names:
        for word in n.split():
            ch = word[0]
            if ch.isalpha() and ch.islower() and word not in {"de", "da", "di", "van", "von", "der", "den", "la", "le", "del", "al", "bin", "ibn"}:
                return False
    return True


def clean_pasted_text(text: str, url: str) -> Extracted:
    """Clean text pasted from a web page. Raises ExtractionError("empty") when nothing is left."""
    if not isinstance(text, str) or not text.strip():
        raise ExtractionError("empty", "no text")
    lines = _normalise(text)
    kept: list[str] = []
    authors: list[str] = []
    captions: list[str] = []
    published: dt.datetime | None = None
    content_seen = 0
    for line in lines:
        if not line:
            continue
        hit = classify(line)
        in_head = content_seen < HEAD_LINES
        if hit is not None:
            kind, m = hit
            if kind == "drop":
                continue
            if kind == "byline":
                names = split_names(m.group("names"))
                if in_head and _looks_like_names(names):
                    authors.extend(n for n in names if n not in authors)
                    continue
            elif kind == "caption":
                captions.append(line)
                continue
            elif kind == "date":
                d = parse_date(m.group("date"))
                if d is not None and in_head:
                    published = published or d
                    continue
                if d is None and re.match(r"(?i)\s*(published|updated|posted|veröffentlicht|aktualisiert|publié|publicado|pubblicato)", line):
                    continue  # "Updated 3 hours ago": furniture without a usable date
        if kept and kept[-1] == line:
            continue
        kept.append(line)
        content_seen += 1

    title = ""
    if len(kept) > 1:
        first = kept[0]
        if len(first) <= MAX_TITLE_CHARS and len(first.split()) <= MAX_TITLE_WORDS and not _SENTENCE_END.search(first):
            title = first
            kept = kept[1:]
    body = "\n".join(kept)
    if not body and not title:
        raise ExtractionError("empty", "only page furniture in the pasted text")
    return Extracted(
        url=url,
        title=title,
        text=body,
        published_at=published,
        authors=tuple(authors),
        captions=tuple(captions),
    )
