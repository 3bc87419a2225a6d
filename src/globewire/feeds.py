"""Feed and sitemap parsing: RSS 0.9x/1.0/2.0, Atom, RDF (feedparser), JSON Feed, and XML sitemaps.

Both parsers take bytes that the fetcher already capped, never touch the network or the file system,
and either return items or raise :class:`FeedError` with a machine-readable ``reason``:

``too_large``   body over :data:`MAX_FEED_BYTES` / :data:`MAX_SITEMAP_BYTES` (after gunzip for sitemaps)
``unsafe_xml``  entity declarations that expand other entities (billion laughs) or too many of them
``not_a_feed``  an HTML page, an empty body, or something that is no feed at all
``malformed``   a broken document that yields nothing usable
``empty``       a valid feed/sitemap without a single usable item
``not_a_sitemap`` XML whose root is neither ``urlset`` nor ``sitemapindex``
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import feedparser
from lxml import etree

from globewire import validate
from globewire.fetch.decode import decompress_capped
from globewire.log import get_logger
from globewire.records import FeedItem
from globewire.textnorm import clean_text
from globewire.urls import UrlError, is_http_url, normalise_url

log = get_logger(__name__)

#: Largest feed body parsed. Big real feeds (full-content RSS of a busy outlet) are 1-5 MB.
MAX_FEED_BYTES = 20 * 1024 * 1024
#: Items kept per feed; news feeds carry 10-200, anything beyond is an archive dump.
MAX_ITEMS_PER_FEED = 500
#: sitemaps.org limits: 50,000 URLs and 50 MB uncompressed per file.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
MAX_SITEMAP_URLS = 50_000
#: More entity declarations than this in a feed's DOCTYPE is refused (real feeds declare a handful).
MAX_ENTITY_DECLS = 64
#: Summaries are trimmed to this many characters (the article text comes from the page itself).
MAX_SUMMARY_CHARS = 1000
#: Dates outside the one plausible window (globewire.validate) are treated as broken.
MIN_PLAUSIBLE_YEAR = validate.MIN_YEAR
MAX_FUTURE_SKEW = validate.MAX_FUTURE


class FeedError(Exception):
    """No usable items; ``reason`` is machine-readable, ``detail`` is for humans."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class FeedParse:
    items: list[FeedItem]
    version: str = ""
    bozo: bool = False
    skipped_links: int = 0  # entries without an http(s) link (mailto:, javascript:, none at all)
    truncated: int = 0  # entries dropped past MAX_ITEMS_PER_FEED
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ helpers

_TAG = re.compile(r"<[^>]*>")
_WS = re.compile(r"\s+")
_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*\[(?P<subset>.*?)\]\s*>", re.DOTALL | re.IGNORECASE)
_ENTITY_DECL = re.compile(rb"<!ENTITY\s+(%\s+)?(?P<name>[^\s]+)\s+(?P<rest>.*?)>", re.DOTALL)
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html|<head|<body)", re.IGNORECASE | re.DOTALL)


def _clean_text(value: Any, limit: int | None = None) -> str:
    if not isinstance(value, str):
        return ""
    text = _WS.sub(" ", clean_text(html.unescape(_TAG.sub(" ", value)))).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _language(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    primary = value.strip().replace("_", "-").split("-")[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def _plausible(when: dt.datetime | None) -> dt.datetime | None:
    return validate.plausible_datetime(when)


def _struct_to_dt(value: Any) -> dt.datetime | None:
    try:
        year, month, day, hour, minute, second = (int(v) for v in value[:6])
        return _plausible(dt.datetime(year, month, day, hour, minute, min(second, 59), tzinfo=dt.timezone.utc))
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def parse_w3c_datetime(value: str | None) -> dt.datetime | None:
    """``2024-05-01``, ``2024-05-01T10:00Z``, ``2024-05-01T10:00:00.5+02:00`` -> aware UTC datetime."""
    if not value:
        return None
    v = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(Z|[+-]\d{2}:?\d{2})?", v):
        v = v[:16] + ":00" + v[16:]
    try:
        parsed = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    return _plausible(parsed)


def _normalise_link(raw: Any, base: str) -> str | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        url = normalise_url(raw.strip(), base=base)
    except (UrlError, ValueError):
        return None
    return url if is_http_url(url) else None


def _guid(raw: Any, base: str, fallback: str) -> str:
    if isinstance(raw, str) and raw.strip():
        g = raw.strip()
        if re.match(r"^https?://", g, re.IGNORECASE):
            try:
                return normalise_url(g)
            except (UrlError, ValueError):
                pass
        return clean_text(g[:2000])
    return fallback


def check_entities(body: bytes) -> None:
    """Refuse DOCTYPE internal subsets that could expand exponentially (billion laughs)."""
    head = body[:65536]
    if b"<!ENTITY" not in head.upper() and b"<!entity" not in head:
        return
    m = _DOCTYPE.search(head)
    subset = m.group("subset") if m else head
    decls = list(_ENTITY_DECL.finditer(subset))
    if len(decls) > MAX_ENTITY_DECLS:
        raise FeedError("unsafe_xml", f"{len(decls)} entity declarations")
    for d in decls:
        rest = d.group("rest")
        value = re.search(rb"""(["'])(.*?)\1""", rest, re.DOTALL)
        text = value.group(2) if value else b""
        if re.search(rb"&[A-Za-z_:][\w.:-]*;|%[A-Za-z_:][\w.:-]*;", text):
            raise FeedError("unsafe_xml", f"entity {d.group('name').decode('latin-1')!r} expands other entities")


# ------------------------------------------------------------------ feeds


def parse_feed(body: bytes, *, feed_url: str, outlet_id: str, headers: dict[str, str] | None = None) -> list[FeedItem]:
    """Items of an RSS/Atom/RDF/JSON feed; raises FeedError when nothing usable comes out."""
    return parse_feed_result(body, feed_url=feed_url, outlet_id=outlet_id, headers=headers).items


def parse_feed_result(
    body: bytes, *, feed_url: str, outlet_id: str, headers: dict[str, str] | None = None
) -> FeedParse:
    if len(body) > MAX_FEED_BYTES:
        raise FeedError("too_large", f"{len(body)} bytes > {MAX_FEED_BYTES}")
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise FeedError("not_a_feed", "empty body")
    if stripped[:1] in (b"{", b"["):
        return _parse_json_feed(stripped, feed_url=feed_url, outlet_id=outlet_id)
    if _HTML_START.match(stripped[:4096]):
        raise FeedError("not_a_feed", "an HTML page")
    check_entities(body)
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    response_headers.setdefault("content-location", feed_url)
    try:
        # Always a stream: feedparser treats bytes/str as a *file name or URL* to open otherwise.
        parsed = feedparser.parse(io.BytesIO(body), response_headers=response_headers, sanitize_html=False)
    except Exception as exc:  # feedparser is lenient, but a crash in it must become a typed error
        raise FeedError("malformed", f"{type(exc).__name__}: {exc}") from exc
    version = str(parsed.get("version") or "")
    bozo = bool(parsed.get("bozo"))
    entries = parsed.get("entries") or []
    if not entries:
        if not version:
            detail = str(parsed.get("bozo_exception") or "no feed elements")
            markup = stripped.startswith(b"<")
            raise FeedError("malformed" if bozo and markup else "not_a_feed", detail[:300])
        raise FeedError("empty", f"{version} feed without entries")
    feed_lang = _language(parsed.get("feed", {}).get("language"))
    result = FeedParse(items=[], version=version, bozo=bozo)
    seen: set[str] = set()
    for entry in entries:
        if len(result.items) >= MAX_ITEMS_PER_FEED:
            result.truncated += 1
            continue
        item = _entry_item(entry, feed_url=feed_url, outlet_id=outlet_id, feed_lang=feed_lang)
        if item is None:
            result.skipped_links += 1
            continue
        if item.guid in seen:
            continue
        seen.add(item.guid)
        result.items.append(item)
    if not result.items:
        raise FeedError("empty", f"{len(entries)} entries, none with an http(s) link")
    if result.skipped_links or result.truncated:
        log.info("feed_items_skipped", feed=feed_url, skipped=result.skipped_links, truncated=result.truncated)
    return result


def _entry_link(entry: Any) -> Any:
    link = entry.get("link")
    if link:
        return link
    for candidate in entry.get("links") or []:
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return candidate["href"]
    guid = entry.get("id")
    if isinstance(guid, str) and entry.get("guidislink", True) and re.match(r"^https?://", guid.strip(), re.I):
        return guid
    return None


def _entry_item(entry: Any, *, feed_url: str, outlet_id: str, feed_lang: str | None) -> FeedItem | None:
    url = _normalise_link(_entry_link(entry), feed_url)
    if url is None:
        return None
    # ``updated_parsed`` only when the entry has one: feedparser answers a missing one with
    # ``published_parsed`` (the value that just failed) and a DeprecationWarning
    updated = entry.get("updated_parsed") if "updated_parsed" in entry else None
    published = _struct_to_dt(entry.get("published_parsed")) or _struct_to_dt(updated)
    summary_src = entry.get("summary") or ""
    if not summary_src and entry.get("content"):
        summary_src = entry["content"][0].get("value", "")
    return FeedItem(
        url=url,
        guid=_guid(entry.get("id"), feed_url, url),
        outlet_id=outlet_id,
        title=_clean_text(entry.get("title"), 500),
        published_at=published,
        summary=_clean_text(summary_src, MAX_SUMMARY_CHARS),
        language=_language(entry.get("language")) or feed_lang,
        feed_url=feed_url,
    )


def _parse_json_feed(body: bytes, *, feed_url: str, outlet_id: str) -> FeedParse:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1)."""
    try:
        doc = json.loads(body.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError) as exc:
        raise FeedError("malformed", f"invalid JSON: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise FeedError("not_a_feed", "JSON without an items list")
    version = str(doc.get("version") or "")
    if version and "jsonfeed.org" not in version:
        raise FeedError("not_a_feed", f"unknown JSON version {version[:80]!r}")
    feed_lang = _language(doc.get("language"))
    result = FeedParse(items=[], version="json" + (version.rsplit("/", 1)[-1] if version else ""))
    seen: set[str] = set()
    for raw in doc["items"]:
        if len(result.items) >= MAX_ITEMS_PER_FEED:
            result.truncated += 1
            continue
        if not isinstance(raw, dict):
            result.skipped_links += 1
            continue
        link = raw.get("url") or raw.get("external_url")
        if not link and isinstance(raw.get("id"), str) and re.match(r"^https?://", raw["id"], re.I):
            link = raw["id"]
        url = _normalise_link(link, feed_url)
        if url is None:
            result.skipped_links += 1
            continue
        guid = _guid(str(raw["id"]) if raw.get("id") is not None else None, feed_url, url)
        if guid in seen:
            continue
        seen.add(guid)
        summary = raw.get("summary") or raw.get("content_text") or raw.get("content_html") or ""
        date_raw = raw.get("date_published") or raw.get("date_modified")
        result.items.append(
            FeedItem(
                url=url,
                guid=guid,
                outlet_id=outlet_id,
                title=_clean_text(raw.get("title"), 500),
                published_at=parse_w3c_datetime(date_raw) if isinstance(date_raw, str) else None,
                summary=_clean_text(summary, MAX_SUMMARY_CHARS),
                language=_language(raw.get("language")) or feed_lang,
                feed_url=feed_url,
            )
        )
    if not result.items:
        raise FeedError("empty", "JSON feed without usable items")
    return result


# ------------------------------------------------------------------ sitemaps


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child_text(el: Any, *path: str) -> str | None:
    cur: Any = el
    for name in path:
        nxt = None
        for child in cur:
            if _local(child.tag) == name:
                nxt = child
                break
        if nxt is None:
            return None
        cur = nxt
    try:
        text = clean_text("".join(cur.itertext())).strip()
    except ValueError:  # bytes the recovering parser kept although they do not decode
        return None
    return text or None


def parse_sitemap(body: bytes, *, sitemap_url: str, outlet_id: str) -> tuple[list[FeedItem], list[str]]:
    """(items of a urlset, child sitemap URLs of a sitemap index); gzip'd sitemaps are unpacked first."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = decompress_capped(body, "gzip", MAX_SITEMAP_BYTES)
        except ValueError as exc:
            raise FeedError("too_large", str(exc)) from exc
        except Exception as exc:  # DecodeError and zlib trouble
            raise FeedError("malformed", f"bad gzip: {exc}") from exc
    if len(body) > MAX_SITEMAP_BYTES:
        raise FeedError("too_large", f"{len(body)} bytes > {MAX_SITEMAP_BYTES}")
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise FeedError("not_a_feed", "empty body")
    if not stripped.startswith(b"<"):
        return _parse_text_sitemap(stripped, sitemap_url=sitemap_url, outlet_id=outlet_id), []
    if b"<!ENTITY" in stripped[:65536].upper():
        raise FeedError("unsafe_xml", "entity declarations in a sitemap")
    if _HTML_START.match(stripped[:4096]):
        raise FeedError("not_a_feed", "an HTML page")
    if not re.match(rb"<\?xml[^>]*encoding=[\"'](?!utf-?8)", stripped[:200], re.IGNORECASE):
        # UTF-8 (declared or by default) with broken sequences: replaced here, or the recovering parser keeps
        # bytes that fail later when the text is read.
        try:
            stripped.decode("utf-8")
        except UnicodeDecodeError:
            stripped = stripped.decode("utf-8", "replace").encode("utf-8")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, recover=True, remove_comments=True
    )
    try:
        root = etree.fromstring(stripped, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as exc:  # ValueError: bytes undecodable in the declared charset
        raise FeedError("malformed", str(exc)[:300]) from exc
    if root is None:
        raise FeedError("malformed", "no root element")
    kind = _local(root.tag)
    if kind == "sitemapindex":
        children: list[str] = []
        for el in root:
            if _local(el.tag) != "sitemap":
                continue
            loc = _normalise_link(_child_text(el, "loc"), sitemap_url)
            if loc and loc not in children:
                children.append(loc)
            if len(children) >= MAX_SITEMAP_URLS:
                break
        if not children:
            raise FeedError("empty", "sitemap index without sitemaps")
        return [], children
    if kind != "urlset":
        raise FeedError("not_a_sitemap", f"root element <{kind}>")
    items: list[FeedItem] = []
    seen: set[str] = set()
    for el in root:
        if _local(el.tag) != "url":
            continue
        loc = _normalise_link(_child_text(el, "loc"), sitemap_url)
        if loc is None or loc in seen:
            continue
        seen.add(loc)
        published = parse_w3c_datetime(_child_text(el, "news", "publication_date")) or parse_w3c_datetime(
            _child_text(el, "lastmod")
        )
        items.append(
            FeedItem(
                url=loc,
                guid=loc,
                outlet_id=outlet_id,
                title=_clean_text(_child_text(el, "news", "title") or "", 500),
                published_at=published,
                language=_language(_child_text(el, "news", "publication", "language")),
                feed_url=sitemap_url,
            )
        )
        if len(items) >= MAX_SITEMAP_URLS:
            break
    if not items:
        raise FeedError("empty", "urlset without usable URLs")
    return items, []


def _parse_text_sitemap(body: bytes, *, sitemap_url: str, outlet_id: str) -> list[FeedItem]:
    """sitemaps.org text format: one URL per line."""
    items: list[FeedItem] = []
    seen: set[str] = set()
    lines: Iterable[str] = body.decode("utf-8", errors="replace").splitlines()
    for line in lines:
        url = _normalise_link(line.strip(), sitemap_url) if line.strip().lower().startswith("http") else None
        if url and url not in seen:
            seen.add(url)
            items.append(FeedItem(url=url, guid=url, outlet_id=outlet_id, feed_url=sitemap_url))
            if len(items) >= MAX_SITEMAP_URLS:
                break
    if not items:
        raise FeedError("not_a_feed", "neither XML nor a list of URLs")
    return items
