"""Typed rows of the store's read model: what the store hands the web and story writing instead of
``dict[str, Any]``. Frozen and slotted: a reader of these cannot change what another reader sees.

Both backends build them from the same portable queries (``store/front.py``, ``store/translations.py``),
so SQLite and PostgreSQL return the same types (``tests/test_store_contract.py``). Times are the stored
ISO-8601 text (the migrations keep them as TEXT on both backends).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self, TypedDict, cast


class SearchFilters(TypedDict, total=False):
    """The filters of a full-text search, one signature for the store, the read model, the pages and the API
    (``store.search_articles``, ``ReadModel.search``/``search_stories``): the article's country and language,
    its time (published, else fetched) in [since, until)."""

    country: str | None
    language: str | None
    since: dt.datetime | None
    until: dt.datetime | None


class StoryFilters(TypedDict, total=False):
    """The filters of a story list (``store.list_stories``, ``ReadModel.list_stories``): covered by a
    country's outlets, about a country, flagged or not as a blindspot, updated since, not covered by a
    country."""

    country: str | None
    mentioned: str | None
    blindspot: bool | None
    since: dt.datetime | None
    exclude_covering: str | None


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _float(value: Any) -> float:
    return float(value or 0.0)


# How a column's value becomes a field of each annotated type (the annotations are text: PEP 563).
_CONVERT: dict[str, Callable[[Any], Any]] = {"int": int, "str": str, "float": _float, "bool": bool,
                                             "str | None": _opt_str, "int | None": _opt_int,
                                             "float | None": lambda v: None if v is None else float(v)}


class _Row:
    """What the typed rows share: built from a query row by their field annotations (a field with a default
    may be missing from the row), and copied back to a plain, mutable dict."""

    __slots__ = ()

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> Self:
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cast(Any, cls)):
            if f.name in r:
                values[f.name] = _CONVERT[str(f.type)](r[f.name])
            elif f.default is dataclasses.MISSING:
                raise KeyError(f.name)
        return cls(**values)

    def as_row(self) -> dict[str, Any]:
        """A plain, mutable copy (for the web read model's presentation steps, the boilerplate cleaner, JSON)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(cast(Any, self))}


def json_object(value: Any) -> dict[str, Any]:
    """A story's ``data`` column as an object: parsed when stored as JSON text, ``{}`` when empty or not an
    object (a damaged row is read as a story without synthesis, never as an error on a page)."""
    if isinstance(value, str):
        try:
            value = json.loads(value or "{}")
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True, slots=True)
class StoryRow:
    """One story as stored (``store.get_story``, ``list_stories``, ``top_stories``, ``blindspot_stories``,
    ``stories_by_ids``, ``stories_about_country``): its counts and dates, and ``data``, the synthesis document
    (headline, summary with sources, takes, countries, blindspot, coverage elsewhere; ``stories/synthesis.py``
    writes it and ``web/views.StoryView`` reads it). ``article_ids`` and the country roles are filled by
    ``get_story`` only (empty elsewhere: the lists read them from ``data``)."""

    id: int
    headline: str
    first_seen: str | None
    last_updated: str | None
    article_count: int
    outlet_count: int
    country_count: int
    blindspot: bool
    merged_into: int | None
    date_source: str | None  # "published" | "fetched" (always set on a stored story)
    synthesis_due: bool
    data: Mapping[str, Any] = field(default_factory=dict)
    article_ids: tuple[int, ...] = ()
    countries_covering: tuple[str, ...] = ()
    countries_mentioned: tuple[str, ...] = ()

    @classmethod
    def from_row(cls, r: Mapping[str, Any], *, article_ids: tuple[int, ...] = (),
                 countries_covering: tuple[str, ...] = (), countries_mentioned: tuple[str, ...] = ()) -> StoryRow:
        return cls(id=int(r["id"]), headline=str(r.get("headline") or ""), first_seen=_opt_str(r.get("first_seen")),
                   last_updated=_opt_str(r.get("last_updated")), article_count=int(r.get("article_count") or 0),
                   outlet_count=int(r.get("outlet_count") or 0), country_count=int(r.get("country_count") or 0),
                   blindspot=bool(r.get("blindspot")), merged_into=_opt_int(r.get("merged_into")),
                   date_source=_opt_str(r.get("date_source")), synthesis_due=bool(r.get("synthesis_due")),
                   data=json_object(r.get("data")), article_ids=article_ids,
                   countries_covering=countries_covering, countries_mentioned=countries_mentioned)


@dataclass(frozen=True, slots=True)
class TranslationRow(_Row):
    """An article's English as stored (``store.get_translation``): ``status`` done | failed | unavailable;
    ``alignment`` the JSON list of {para, src, en} (para -1: the title), ``notes`` the JSON object of what
    happened (truncation, reused_from, cache hits); ``content_hash`` the text that was translated."""

    article_id: int
    status: str
    source_language: str | None
    content_hash: str | None
    title_en: str | None
    text_en: str | None
    alignment: list[dict[str, Any]]
    backend: str | None
    model: str | None
    notes: dict[str, Any]
    translated_at: str | None
    attempts: int
    next_retry_at: str | None
    last_error: str | None
    updated_at: str | None
    reclustered_at: str | None

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> TranslationRow:
        alignment = r.get("alignment")
        if isinstance(alignment, str):
            try:
                alignment = json.loads(alignment or "[]")
            except ValueError:
                alignment = []
        return cls(article_id=int(r["article_id"]), status=str(r["status"]),
                   source_language=_opt_str(r.get("source_language")), content_hash=_opt_str(r.get("content_hash")),
                   title_en=_opt_str(r.get("title_en")), text_en=_opt_str(r.get("text_en")),
                   alignment=[x for x in alignment if isinstance(x, dict)] if isinstance(alignment, list) else [],
                   backend=_opt_str(r.get("backend")), model=_opt_str(r.get("model")),
                   notes=json_object(r.get("notes")), translated_at=_opt_str(r.get("translated_at")),
                   attempts=int(r.get("attempts") or 0), next_retry_at=_opt_str(r.get("next_retry_at")),
                   last_error=_opt_str(r.get("last_error")), updated_at=_opt_str(r.get("updated_at")),
                   reclustered_at=_opt_str(r.get("reclustered_at")))


@dataclass(frozen=True, slots=True)
class StoryUpdate:
    """One event on a story's timeline (``store.story_timeline``): created, joined, merged, split,
    headline_changed...; ``detail`` as the stage that did it wrote it (article ids, scores, from/to)."""

    id: int
    at: str
    kind: str
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ArticleFacts(_Row):
    """What every article row of the read model carries: the article, its outlet's catalogue name (None for an
    article of no catalogue outlet) and its times as stored. The rows below add what their query adds."""

    id: int
    title: str | None
    url: str | None
    canonical_url: str | None
    outlet_id: str | None
    outlet_name: str | None
    country: str | None
    language: str | None
    published_at: str | None
    fetched_at: str | None


@dataclass(frozen=True, slots=True)
class StoryMember(ArticleFacts):
    """One member article of a story with its outlet's name and how it joined (``store.story_articles``);
    ``text`` only when asked for (``with_text``)."""

    site_name: str | None
    duplicate_of: int | None
    score: float
    joined_at: str | None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class MemberFact(ArticleFacts):
    """What a story card or story page shows of one member article (``store.story_member_facts``)."""

    site_name: str | None  # the name the page gives itself
    image_url: str | None
    duplicate_of: int | None


@dataclass(frozen=True, slots=True)
class TranslationState:
    """Where one article stands with English (``store.translation_states``)."""

    language: str | None
    status: str | None  # done | failed | unavailable | None: never tried
    stale: bool  # done, for an older text of the article
    attempts: int
    next_retry_at: str | None  # None after a failure: given up
    last_error: str | None  # names the fix for ``unavailable``
    backend: str | None
    reused: bool  # a copy whose original has English


@dataclass(frozen=True, slots=True)
class ArticleRow(ArticleFacts):
    """What the pages show of an article (``store.article_rows``, ``store.country_articles``: the columns of
    ``store.reads.ARTICLE_ROW``); ``t`` is the sort time of a country page (publication, else fetch time)."""

    duplicate_of: int | None
    site_name: str | None
    t: str | None = None

    def as_row(self) -> dict[str, Any]:
        """A plain, mutable copy for the web read model's presentation steps (without ``t`` when unset)."""
        row = _Row.as_row(self)
        if self.t is None:
            del row["t"]
        return row


@dataclass(frozen=True, slots=True)
class ArticleVersion(_Row):
    """An earlier text of an article (``store.article_versions``): a new version is kept when its text changes."""

    version: int
    title: str | None
    content_hash: str | None
    seen_at: str | None


@dataclass(frozen=True, slots=True)
class CopyRow(_Row):
    """An article that is a copy of another (``store.duplicates_of``), with how similar it was found."""

    id: int
    url: str | None
    outlet_id: str | None
    duplicate_similarity: float | None


@dataclass(frozen=True, slots=True)
class SearchHit(ArticleFacts):
    """One full-text match (``store.search_articles``), best first: ``rank`` is lower-is-better in the
    backend's own scale (FTS5 bm25, negated ts_rank); ``snippet`` marks the matched words with [ and ]."""

    title_en: str | None
    snippet: str | None
    rank: float


@dataclass(frozen=True, slots=True)
class OutletHealthRow(_Row):
    """One outlet of the catalogue with its feed state and article counts (``store.outlet_health_rows``):
    feed columns are None for an outlet without feed state; ``languages`` as stored (JSON text)."""

    id: str
    name: str
    homepage: str
    country: str
    languages: str
    ownership: str
    enabled: bool
    last_success_at: str | None
    last_fetch_at: str | None
    failing_feeds: int | None
    feeds: int | None
    consecutive_failures: int | None
    last_error: str | None
    articles: int
    articles_24h: int
