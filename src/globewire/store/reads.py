"""Store methods the web read model needs and no other area offers: article rows for pages, a country's
articles by publication time, stories by id, outlet health rows, stories about a country, and whether a
country's outlets were crawled in a period (the evidence a blindspot claim rests on).

Portable SQL (``?`` placeholders, no boolean arithmetic: PostgreSQL does not sum booleans).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from globewire.store.db import iso
from globewire.store.types import ArticleRow, OutletHealthRow, StoryRow

if TYPE_CHECKING:
    from globewire.store.db import Database

    _Base = Database
else:
    _Base = object

# What the pages show of an article (``articles a`` joined with ``outlets o``).
ARTICLE_ROW = ("a.id, a.title, a.url, a.canonical_url, a.outlet_id, a.country, a.language, a.published_at,"
               " a.fetched_at, a.duplicate_of, a.site_name, o.name AS outlet_name")
ARTICLE_TIME = "COALESCE(a.published_at, a.fetched_at)"
MAX_IN = 500  # ids per IN (...) query


class ReadsRepo(_Base):
    """Mixin: needs the ``query``/``scalar`` of ``globewire.store.db.Database``."""

    def article_rows(self, ids: Sequence[int]) -> list[ArticleRow]:
        """Page rows of these articles (with outlet name), in the order of ``ids``."""
        ids = [int(i) for i in ids][:MAX_IN]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        by_id = {int(r["id"]): ArticleRow.from_row(r) for r in self.query(
            f"SELECT {ARTICLE_ROW} FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id WHERE a.id IN ({marks})",
            ids)}
        return [by_id[i] for i in ids if i in by_id]

    def story_article_rows(self, story_id: int) -> list[ArticleRow]:
        """Page rows of a story's members, by country, newest first within a country (the story page)."""
        return [ArticleRow.from_row(r) for r in self.query(
            f"SELECT {ARTICLE_ROW} FROM story_articles sa"
            " JOIN articles a ON a.id = sa.article_id LEFT JOIN outlets o ON o.id = a.outlet_id"
            " WHERE sa.story_id = ? ORDER BY a.country, COALESCE(a.published_at, a.fetched_at) DESC, a.id",
            (int(story_id),))]

    def article_ids(self, *, country: str | None = None, language: str | None = None,
                    outlet_id: str | None = None, before_id: int | None = None, limit: int = 20) -> list[int]:
        """Article ids newest-stored first (the filter indexes carry the id: no row is read to sort)."""
        where: list[str] = ["1=1"]
        params: list[Any] = []
        for col, val in (("country", country and country.upper()), ("language", language and language.lower()),
                         ("outlet_id", outlet_id)):
            if val:
                where.append(f"a.{col} = ?")
                params.append(val)
        if before_id is not None:
            where.append("a.id < ?")
            params.append(int(before_id))
        return [int(r["id"]) for r in self.query(
            f"SELECT a.id FROM articles a WHERE {' AND '.join(where)} ORDER BY a.id DESC LIMIT ?",
            [*params, int(limit)])]

    def country_articles(self, cc: str, *, limit: int = 30,
                         before: tuple[str, int] | None = None) -> list[ArticleRow]:
        """A country's articles, newest publication first (fetch time for undated ones), keyset-paged on
        (article time, id); each row carries its sort time as ``t``."""
        where = ["a.country = ?"]
        params: list[Any] = [cc.upper()]
        if before is not None:
            # a row-value comparison: both backends walk the (country, time, id) index from the cursor (the
            # equivalent "t < ? OR (t = ? AND id < ?)" made PostgreSQL read the country's rows: 58 ms vs 3 ms
            # at page 101 of a country with 10k articles)
            where.append(f"({ARTICLE_TIME}, a.id) < (?, ?)")
            params += [before[0], int(before[1])]
        return [ArticleRow.from_row(r) for r in self.query(
            f"SELECT {ARTICLE_ROW}, {ARTICLE_TIME} AS t FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id"
            f" WHERE {' AND '.join(where)} ORDER BY {ARTICLE_TIME} DESC, a.id DESC LIMIT ?",
            [*params, int(limit)],
        )]

    def stories_by_ids(self, ids: Sequence[int]) -> list[StoryRow]:
        """Stories in the order of ``ids`` (unknown ids left out)."""
        ids = [int(i) for i in ids][:MAX_IN]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = {int(r["id"]): r for r in self.query(f"SELECT * FROM stories WHERE id IN ({marks})", ids)}
        return [StoryRow.from_row(rows[i]) for i in ids if i in rows]

    def stories_about_country(self, cc: str, limit: int = 15) -> list[StoryRow]:
        """Live stories mentioning ``cc`` that outlets of another country cover, newest first."""
        return [StoryRow.from_row(r) for r in self.query(
            "SELECT s.* FROM stories s WHERE s.merged_into IS NULL AND s.article_count > 0"
            " AND EXISTS (SELECT 1 FROM story_countries m WHERE m.story_id = s.id AND m.country = ?"
            "   AND m.role = 'mentioned')"
            " AND EXISTS (SELECT 1 FROM story_countries c WHERE c.story_id = s.id AND c.role = 'covering'"
            "   AND c.country != ?)"
            " ORDER BY s.last_updated DESC, s.id DESC LIMIT ?",
            (cc.upper(), cc.upper(), int(limit)),
        )]

    def outlet_names(self, ids: Sequence[str]) -> dict[str, str]:
        ids = list(ids)[:MAX_IN]
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return {r["id"]: r["name"] for r in self.query(f"SELECT id, name FROM outlets WHERE id IN ({marks})", ids)}

    def outlet_health_rows(self, since: dt.datetime) -> list[OutletHealthRow]:
        """Per outlet: catalogue facts, feed state (feeds, failing feeds, last success/fetch/error) and its
        article counts (all, and published since ``since``)."""
        return [OutletHealthRow.from_row(r) for r in self.query(
            "SELECT o.id, o.name, o.homepage, o.country, o.languages, o.ownership, o.enabled,"
            " f.last_success_at, f.last_fetch_at, f.failing_feeds, f.feeds, f.consecutive_failures, f.last_error,"
            " COALESCE(c.articles, 0) AS articles, COALESCE(c.articles_24h, 0) AS articles_24h"
            " FROM outlets o"
            " LEFT JOIN (SELECT outlet_id, MAX(last_success_at) AS last_success_at, MAX(last_fetch_at) AS last_fetch_at,"
            "   SUM(CASE WHEN consecutive_failures > 0 THEN 1 ELSE 0 END) AS failing_feeds, COUNT(*) AS feeds,"
            "   MAX(consecutive_failures) AS consecutive_failures, MAX(last_error) AS last_error"
            "   FROM feed_state GROUP BY outlet_id) f ON f.outlet_id = o.id"
            " LEFT JOIN (SELECT outlet_id, COUNT(*) AS articles,"
            "   SUM(CASE WHEN published_at >= ? THEN 1 ELSE 0 END) AS articles_24h"
            "   FROM articles GROUP BY outlet_id) c ON c.outlet_id = o.id"
            " ORDER BY o.country, o.name",
            (iso(since),),
        )]

    def outlets_crawled(self, country: str, since: dt.datetime | None = None,
                        until: dt.datetime | None = None) -> int:
        """How many of ``country``'s catalogue outlets were fetched successfully (a feed or page answered
        2xx/3xx without error, or a feed check found it alive) between ``since`` and ``until`` (open ends:
        ever). Imported records leave no fetch: a store filled only by import answers 0."""
        fetch_w, health_w = ["f.outlet_id = o.id"], ["h.outlet_id = o.id"]
        fetch_p: list[Any] = []
        health_p: list[Any] = []
        for op, bound in ((">=", since), ("<=", until)):
            if bound is not None:
                fetch_w.append(f"f.at {op} ?")
                fetch_p.append(iso(bound))
                health_w.append(f"h.checked_at {op} ?")
                health_p.append(iso(bound))
        return int(self.scalar(
            "SELECT COUNT(*) FROM outlets o WHERE o.country = ? AND ("
            f" EXISTS (SELECT 1 FROM fetch_log f WHERE {' AND '.join(fetch_w)}"
            "   AND f.error IS NULL AND f.status >= 200 AND f.status < 400)"
            f" OR EXISTS (SELECT 1 FROM feed_health_log h WHERE {' AND '.join(health_w)} AND h.alive = 1))",
            [country.upper(), *fetch_p, *health_p],
        ) or 0)
