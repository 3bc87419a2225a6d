"""Typed rows of the store's read model: what the store hands the web and story writing instead of
``dict[str, Any]``. Frozen and slotted: a reader of these cannot change what another reader sees.

Both backends build them from the same portable queries (``store/front.py``, ``store/translations.py``),
so SQLite and PostgreSQL return the same types (``tests/test_store_contract.py``). Times are the stored
ISO-8601 text (the migrations keep them as TEXT on both backends).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


@dataclass(frozen=True, slots=True)
class MemberFact:
    """What a story card or story page shows of one member article (``store.story_member_facts``)."""

    id: int
    title: str | None
    url: str | None
    canonical_url: str | None
    outlet_id: str | None
    outlet_name: str | None  # the catalogue's name; None for an article of no catalogue outlet
    site_name: str | None  # the name the page gives itself
    country: str | None
    language: str | None
    published_at: str | None
    fetched_at: str | None
    image_url: str | None
    duplicate_of: int | None

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> MemberFact:
        return cls(id=int(r["id"]), title=_opt_str(r["title"]), url=_opt_str(r["url"]),
                   canonical_url=_opt_str(r["canonical_url"]), outlet_id=_opt_str(r["outlet_id"]),
                   outlet_name=_opt_str(r["outlet_name"]), site_name=_opt_str(r["site_name"]),
                   country=_opt_str(r["country"]), language=_opt_str(r["language"]),
                   published_at=_opt_str(r["published_at"]), fetched_at=_opt_str(r["fetched_at"]),
                   image_url=_opt_str(r["image_url"]), duplicate_of=_opt_int(r["duplicate_of"]))


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
class ArticleRow:
    """What the pages show of an article (``store.article_rows``, ``store.country_articles``: the columns of
    ``store.reads.ARTICLE_ROW``); ``t`` is the sort time of a country page (publication, else fetch time)."""

    id: int
    title: str | None
    url: str | None
    canonical_url: str | None
    outlet_id: str | None
    country: str | None
    language: str | None
    published_at: str | None
    fetched_at: str | None
    duplicate_of: int | None
    site_name: str | None
    outlet_name: str | None
    t: str | None = None

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> ArticleRow:
        return cls(id=int(r["id"]), title=_opt_str(r["title"]), url=_opt_str(r["url"]),
                   canonical_url=_opt_str(r["canonical_url"]), outlet_id=_opt_str(r["outlet_id"]),
                   country=_opt_str(r["country"]), language=_opt_str(r["language"]),
                   published_at=_opt_str(r["published_at"]), fetched_at=_opt_str(r["fetched_at"]),
                   duplicate_of=_opt_int(r["duplicate_of"]), site_name=_opt_str(r["site_name"]),
                   outlet_name=_opt_str(r["outlet_name"]), t=_opt_str(r.get("t")))

    def as_row(self) -> dict[str, Any]:
        """A plain, mutable copy for the web read model's presentation steps (without ``t`` when unset)."""
        row = {f: getattr(self, f) for f in self.__slots__}
        if self.t is None:
            del row["t"]
        return row


@dataclass(frozen=True, slots=True)
class OutletHealthRow:
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

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> OutletHealthRow:
        return cls(id=str(r["id"]), name=str(r["name"]), homepage=str(r["homepage"]), country=str(r["country"]),
                   languages=str(r["languages"]), ownership=str(r["ownership"]), enabled=bool(r["enabled"]),
                   last_success_at=_opt_str(r["last_success_at"]), last_fetch_at=_opt_str(r["last_fetch_at"]),
                   failing_feeds=_opt_int(r["failing_feeds"]), feeds=_opt_int(r["feeds"]),
                   consecutive_failures=_opt_int(r["consecutive_failures"]), last_error=_opt_str(r["last_error"]),
                   articles=int(r["articles"]), articles_24h=int(r["articles_24h"]))

    def as_row(self) -> dict[str, Any]:
        """A plain, mutable copy for the web read model (which merges in the feed checks)."""
        return {f: getattr(self, f) for f in self.__slots__}
