"""Typed, immutable records that flow between pipeline stages.

Every stage is a function over batches of these records; none of them does I/O
except the edges (fetch, store). Records are frozen dataclasses: a stage that
"changes" a record returns a new one with ``dataclasses.replace``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Ownership = Literal["public", "state", "private", "nonprofit", "unknown"]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# --------------------------------------------------------------------------- catalogue


@dataclass(frozen=True, slots=True)
class Feed:
    url: str
    section: str = ""
    kind: Literal["rss", "sitemap"] = "rss"  # rss covers RSS/Atom/RDF/JSON Feed
    verified: Literal["reference", "cms", "unverified"] = "unverified"  # how the URL is known (sources/verify.py)
    evidence: str = ""  # the reference list or content system behind ``verified``


@dataclass(frozen=True, slots=True)
class ExtractionRules:
    """Per-site CSS selectors that win over the generic extractor when present."""

    title: str | None = None
    body: str | None = None
    date: str | None = None
    authors: str | None = None
    image: str | None = None
    drop: tuple[str, ...] = ()  # selectors removed before extraction


@dataclass(frozen=True, slots=True)
class Outlet:
    id: str
    name: str
    homepage: str
    country: str  # ISO 3166-1 alpha-2, upper case
    languages: tuple[str, ...]  # ISO 639-1, lower case; first is primary
    feeds: tuple[Feed, ...] = ()
    ownership: Ownership = "unknown"
    ownership_source: str = ""
    rules: ExtractionRules | None = None
    enabled: bool = True
    wire: bool = False  # a news agency: its copy is syndicated by others
    origin: str = ""  # file the declaration came from


# --------------------------------------------------------------------------- fetch / feeds


@dataclass(frozen=True, slots=True)
class FetchResult:
    """Outcome of one HTTP fetch. ``error`` is set (and body empty) on failure."""

    url: str  # URL asked for
    final_url: str  # URL after redirects
    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    elapsed_ms: float = 0.0
    error: str | None = None  # short machine-readable reason, e.g. "blocked_address"
    error_detail: str = ""
    not_modified: bool = False
    fetched_at: dt.datetime = field(default_factory=utcnow)
    kind: str = "page"  # page | feed | sitemap | robots | image

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class FeedItem:
    url: str  # normalised article link
    guid: str  # normalised GUID (falls back to url)
    outlet_id: str
    title: str = ""
    published_at: dt.datetime | None = None
    summary: str = ""
    language: str | None = None  # declared by the feed, if any
    feed_url: str = ""


# --------------------------------------------------------------------------- documents / articles


@dataclass(frozen=True, slots=True)
class RawDocument:
    """A page (or pasted text) ready for extraction."""

    url: str
    content: bytes
    content_type: Literal["html", "text"] = "html"
    outlet_id: str | None = None
    country: str | None = None
    language_hint: str | None = None  # user-declared language (overrides detection prior)
    feed_item: FeedItem | None = None
    http_headers: dict[str, str] = field(default_factory=dict)
    fetched_at: dt.datetime = field(default_factory=utcnow)
    source: str = "crawl"  # crawl | file | warc | jsonl


@dataclass(frozen=True, slots=True)
class Extracted:
    """What the extractor found in one document."""

    url: str
    title: str = ""
    text: str = ""
    published_at: dt.datetime | None = None
    authors: tuple[str, ...] = ()
    image_url: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    html_lang: str | None = None
    description: str = ""
    captions: tuple[str, ...] = ()  # photo captions kept apart from the body


@dataclass(frozen=True, slots=True)
class Article:
    """The unit stored and served. ``id`` is None until the store assigns one."""

    url: str
    canonical_url: str
    title: str
    text: str
    outlet_id: str | None = None
    country: str | None = None
    language: str | None = None
    language_confidence: float = 0.0
    published_at: dt.datetime | None = None
    authors: tuple[str, ...] = ()
    image_url: str | None = None
    site_name: str | None = None
    html_lang: str | None = None
    guid: str | None = None
    content_hash: str = ""
    duplicate_of: int | None = None
    duplicate_similarity: float | None = None
    fetched_at: dt.datetime = field(default_factory=utcnow)
    source: str = "crawl"
    id: int | None = None
    minhash: bytes | None = None  # serialised MinHash signature (dedup stage)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Failure:
    """A per-item failure: recorded with its reason, never stops the batch."""

    url: str
    stage: str  # fetch | feed | extract | language | dedup | store | translate | ...
    reason: str  # short machine-readable reason
    detail: str = ""
    outlet_id: str | None = None
    at: dt.datetime = field(default_factory=utcnow)


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """One check of one feed (``sources.health``), as the store records it."""

    outlet_id: str
    url: str
    kind: str = "rss"
    status: int | None = None
    ok: bool = False  # HTTP 2xx
    alive: bool = False  # fetched, parsed, at least one item
    stale: bool = False
    item_count: int | None = None
    newest_item_at: dt.datetime | None = None
    latency_ms: float = 0.0
    error: str | None = None  # fetch error ("timeout", "http_error", ...) or "feed_error:<reason>" / "no_items"
    error_detail: str = ""
    final_url: str = ""
    checked_at: dt.datetime = field(default_factory=utcnow)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("newest_item_at", "checked_at"):
            d[k] = d[k].isoformat() if d[k] else None
        return d
