"""Author names from JSON-LD, meta tags and visible bylines."""

from __future__ import annotations

import re
from typing import Any

from lxml import html as lxml_html

from globewire.extract.page import PageMeta, clean_text

# A byline is "By Jane Doe"; these prefixes are stripped in many languages.
BYLINE_PREFIX = re.compile(
    r"^\s*(?:by|written by|words by|von|par|por|door|af|av|av:|przez|tekst|autor(?:in)?:?|"
    r"author:?|autore:?|auteur:?|redakcja:?|reportage:?|text:?|texto:?)\s+",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*(?:,|;|\||/|\s&\s|\band\b|\bund\b|\bet\b|\by\b|\be\b|\bog\b|\boch\b|\ben\b|\bi\b)\s*", re.IGNORECASE)
# A name has at most this many words; longer strings are sentences ("By the time we arrived...").
MAX_NAME_WORDS = 5
_BYLINE_CLASSES = ("byline", "author-name", "author__name", "article-author", "author")


def _names_from_ld(value: Any) -> list[str]:
    out: list[str] = []
    items = value if isinstance(value, list) else [value]
    for it in items:
        if isinstance(it, dict):
            name = it.get("name")
            if isinstance(name, list):
                out.extend(clean_text(n) for n in name)
            elif name:
                out.append(clean_text(name))
            elif it.get("givenName") or it.get("familyName"):
                out.append(clean_text(f"{it.get('givenName', '')} {it.get('familyName', '')}"))
        elif isinstance(it, str):
            out.append(clean_text(it))
    return out


_PAREN = re.compile(r"\([^)]*\)?|\[[^\]]*\]?")
_TRAILING_DATE = re.compile(r"\s+\d{1,4}[./-]\d{1,2}(?:[./-]\d{2,4})?.*$")
_DOMAIN = re.compile(r"\.[a-z]{2,6}$|^www\.", re.IGNORECASE)
_NOT_A_NAME = re.compile(r"@|\bimage\b|\bphoto\b|\bgetty\b|\bfoto\b|\bbild\b", re.IGNORECASE)


def split_names(raw: str) -> list[str]:
    """'By Jane Doe (jd) and John Roe' -> ['Jane Doe', 'John Roe']; URLs, e-mails, credits and domains are skipped."""
    raw = clean_text(raw)
    if "://" in raw or raw.lower().startswith("www."):
        return []  # article:author often holds the author's profile URL
    raw = BYLINE_PREFIX.sub("", _PAREN.sub(" ", raw))
    out: list[str] = []
    for part in _SPLIT.split(raw):
        part = _TRAILING_DATE.sub("", BYLINE_PREFIX.sub("", part)).strip(" .:-–—")
        if not part or part.startswith("@") or _DOMAIN.search(part) or _NOT_A_NAME.search(part):
            continue
        if len(part.split()) > MAX_NAME_WORDS or not re.search(r"[^\W\d_]", part):
            continue
        out.append(part)
    return out


def _dedupe(names: list[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for n in names:
        k = n.casefold()
        if k not in seen:
            seen.add(k)
            out.append(n)
    return tuple(out)


def choose_authors(tree: lxml_html.HtmlElement, pm: PageMeta) -> tuple[str, ...]:
    ld = pm.ld("author")
    if ld:
        names = [n for raw in _names_from_ld(ld) for n in split_names(raw)]
        if names:
            return _dedupe(names)
    metas = pm.all("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator", "byl")
    names = [n for m in metas for n in split_names(m)]
    if names:
        return _dedupe(names)
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        if el.get("rel") == "author" or el.get("itemprop") == "author" or any(
            c in (el.get("class") or "").lower().split() for c in _BYLINE_CLASSES
        ):
            text = clean_text(el.text_content())
            if 2 < len(text) < 120:
                names = split_names(text)
                if names:
                    return _dedupe(names)
    return ()
