"""Read the metadata a page declares about itself: <meta> tags, <link> rels and JSON-LD objects."""

from __future__ import annotations

import html as htmlmod
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from lxml import html as lxml_html

from globewire.urls import is_http_url, normalise_url
from globewire.validate import MAX_URL_CHARS

# schema.org types whose object describes the article itself (others: WebPage, Organization...).
ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
        "backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle", "blogposting", "socialmediaposting",
        "liveblogposting", "techarticle", "scholarlyarticle", "report", "medicalwebpage", "liveblog",
    }
)
_WS = re.compile(r"\s+")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def text_key(text: str) -> str:
    """Case- and punctuation-free form of a text, for comparing headlines and lines."""
    return _NON_WORD.sub("", text.casefold())


def clean_text(value: Any) -> str:
    """Unescape HTML entities (JSON-LD often carries them), drop tags, collapse whitespace."""
    if not isinstance(value, str):
        return ""
    text = htmlmod.unescape(htmlmod.unescape(value)) if "&" in value else value
    if "<" in text and ">" in text:
        text = re.sub(r"<[^>]{0,500}>", " ", text)
    return _WS.sub(" ", text.replace("\u200b", "").replace("\xad", "")).strip()


def resolve_url(value: str | None, base: str) -> str | None:
    """Absolute http(s) URL of ``value`` against ``base``; None for other schemes or junk."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    if not value or value.startswith(("data:", "javascript:", "mailto:")):
        return None
    try:
        absolute = urljoin(base, value)
        # Validated like any URL from outside: one that cannot be normalised (a port past 65535, a bad IDNA
        # host) or that is absurdly long is no URL to store or to fetch.
        if len(absolute) > MAX_URL_CHARS or not is_http_url(absolute):
            return None
        normalise_url(absolute)
    except ValueError:  # UrlError included
        return None
    return absolute


def _walk(obj: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 8:
        return
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from _walk(v, depth + 1)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk(v, depth + 1)


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    items = t if isinstance(t, list) else [t]
    return {str(x).lower().rsplit("/", 1)[-1] for x in items if x}


def _load_jsonld(raw: str) -> Any:
    raw = raw.strip()
    raw = raw.removeprefix("<!--")
    raw = raw.removesuffix("-->")
    raw = raw.strip().rstrip(";")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        pass
    try:  # control characters inside strings are a frequent defect
        return json.loads(raw, strict=False)
    except (ValueError, RecursionError):
        return None


@dataclass
class PageMeta:
    """Everything a page declares about itself, read once."""

    meta: dict[str, list[str]] = field(default_factory=dict)  # lower-cased name/property -> contents
    links: dict[str, list[str]] = field(default_factory=dict)  # rel -> hrefs
    jsonld: list[dict[str, Any]] = field(default_factory=list)  # every object found
    article: dict[str, Any] | None = None  # the JSON-LD object that describes the article
    html_lang: str | None = None

    def first(self, *names: str) -> str:
        for n in names:
            for v in self.meta.get(n, ()):
                v = clean_text(v)
                if v:
                    return v
        return ""

    def all(self, *names: str) -> list[str]:
        return [clean_text(v) for n in names for v in self.meta.get(n, ()) if clean_text(v)]

    def ld(self, key: str) -> Any:
        """A value from the article object, else from any JSON-LD object that has it."""
        if self.article is not None and self.article.get(key) not in (None, "", []):
            return self.article[key]
        for obj in self.jsonld:
            if obj.get(key) not in (None, "", []) and (_types(obj) & ARTICLE_TYPES or not _types(obj)):
                return obj[key]
        return None


def read_page_meta(tree: lxml_html.HtmlElement) -> PageMeta:
    pm = PageMeta()
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or "").strip().lower()
        content = el.get("content")
        if key and content is not None:
            pm.meta.setdefault(key, []).append(content)
    for el in tree.iter("link"):
        href = el.get("href")
        for rel in (el.get("rel") or "").lower().split():
            if href:
                pm.links.setdefault(rel, []).append(href)
    for el in tree.iter("script"):
        if (el.get("type") or "").strip().lower() != "application/ld+json":
            continue
        data = _load_jsonld(el.text or "")
        if data is None:
            continue
        for obj in _walk(data):
            if "@type" in obj or "headline" in obj:
                pm.jsonld.append(obj)
    articles = [o for o in pm.jsonld if _types(o) & ARTICLE_TYPES]
    if articles:
        # The richest article object wins (pages also embed "related article" stubs).
        pm.article = max(articles, key=lambda o: (bool(o.get("headline")), bool(o.get("datePublished")), len(o)))
    root = tree if tree.tag == "html" else tree.getroottree().getroot()
    lang = root.get("lang") or root.get("xml:lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        lang = pm.first("content-language", "dc.language", "language")
    if lang:
        lang = lang.strip().split(",")[0].strip()
    pm.html_lang = lang or None
    return pm
