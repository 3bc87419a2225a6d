"""Read model of the web UI and API: every query the pages and endpoints make, in one place.

Story reads go through the store's ``StoriesRepo``, English titles and translations through
``TranslationsRepo``, feed checks through ``SourcesRepo``; what no store area offers (globe counts, outlet
health, article pages) is written here against the tables of the migrations. Paginated lists page with
keyset cursors (``(last_updated, id)`` for stories, ``id`` for articles) that the pages and the API share.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import json
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from globewire import validate
from globewire.headline import is_usable_title, story_headline, usable_title
from globewire.log import get_logger
from globewire.naming import name_row
from globewire.records import utcnow
from globewire.store.db import iso, parse_iso
from globewire.textnorm import clean_text

log = get_logger(__name__)

COUNTS_WINDOW = dt.timedelta(hours=24)  # outlet health: articles published in the last 24 h
# Time windows of the globe and "countries by articles" (page links and the API's ``window``), smallest
# first: with none asked for, the front page shows the smallest one that has news.
WINDOWS: dict[str, dt.timedelta | None] = {
    "24h": dt.timedelta(hours=24), "7d": dt.timedelta(days=7), "30d": dt.timedelta(days=30), "all": None,
}
WINDOW_LABELS = {"24h": "last 24 hours", "7d": "last 7 days", "30d": "last 30 days", "all": "all time"}
STORIES_WINDOW = dt.timedelta(hours=72)  # home lists: stories updated in the last 3 days
MAX_PAGE = 100  # largest page any list endpoint returns
MAX_IN = 500  # ids per IN (...) query
# The globe counts scan a day of articles (~15k rows at 100k articles/week: ~20 ms); a page view reuses
# them for this long. Shading that is 30 s stale is invisible to readers.
COUNTS_CACHE_SECONDS = 30.0
# Outlet health aggregates every article per outlet (~140 ms at 100k articles); feeds are crawled every
# 30 minutes, so a minute-old health table loses nothing.
HEALTH_CACHE_SECONDS = 60.0
# What the pages show of an article (``articles a`` joined with ``outlets o``).
ARTICLE_ROW = ("a.id, a.title, a.url, a.canonical_url, a.outlet_id, a.country, a.language, a.published_at,"
               " a.fetched_at, a.duplicate_of, o.name AS outlet_name")


class CursorError(ValueError):
    """A pagination cursor that this server did not produce."""


def encode_cursor(values: dict[str, Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, keys: tuple[str, ...]) -> dict[str, Any]:
    try:
        pad = "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(cursor + pad))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise CursorError("malformed cursor") from exc
    if not isinstance(data, dict) or set(data) != set(keys):
        raise CursorError("cursor does not belong to this list")
    for k in keys:
        v = data[k]
        if k in ("id", "offset", "g"):  # integer keys (g: search-by-story group offset)
            # Bounded: an id past the stores' 63-bit integers (or an offset past any real page) is not ours.
            top = validate.MAX_ID if k == "id" else validate.MAX_OFFSET
            if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= top:
                raise CursorError("bad cursor value")
        elif not isinstance(v, str) or len(v) > 200 or clean_text(v) != v:
            raise CursorError("bad cursor value")
    return data


def _loads(text: str | None, default: Any) -> Any:
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def normalise_story(row: dict[str, Any]) -> dict[str, Any]:
    """A story row (+ its ``data`` JSON, parsed or not) as the shape the templates and API use."""
    data = row.get("data")
    if isinstance(data, str):
        data = _loads(data, {})
    data = _as_dict(data)
    blind = _as_dict(data.get("blindspot"))
    takes = {str(cc).upper(): [t for t in _as_list(v) if isinstance(t, dict)]
             for cc, v in _as_dict(data.get("alternative_takes")).items()}
    summary = [s for s in _as_list(data.get("summary")) if isinstance(s, dict) and s.get("text")]
    if isinstance(data.get("summary"), str) and data["summary"]:
        summary = [{"text": data["summary"], "article_id": None}]
    outlets = [o for o in _as_list(data.get("outlets")) if isinstance(o, dict)]
    # a stored headline that fails the quality check (synthesised before it existed) is re-derived here
    headline = story_headline(str(data.get("headline") or row.get("headline") or ""),
                              [str(x["text"]) for x in summary], str(data.get("headline_language") or "en"),
                              site_names=[str(o["name"]) for o in outlets if o.get("name")])
    return {
        "id": int(row["id"]),
        "headline": headline,
        "summary": summary,
        "countries_covering": [str(c).upper() for c in
                               _as_list(data.get("countries_covering") or row.get("countries_covering"))],
        "countries_mentioned": [str(c).upper() for c in
                                _as_list(data.get("countries_mentioned") or row.get("countries_mentioned"))],
        "languages": [str(x) for x in _as_list(data.get("languages"))],
        "outlets": outlets,
        "alternative_takes": takes,
        "blindspot": {
            "flag": bool(blind.get("flag", row.get("blindspot"))),
            "reason": str(blind.get("reason") or ""),
            "countries": [str(c).upper() for c in _as_list(blind.get("countries"))],
            "reference_country": str(blind.get("reference_country") or ""),
            "reference_outlets": _as_list(blind.get("reference_outlets")),
        },
        "related_story_ids": [int(i) for i in _as_list(data.get("related_story_ids")) if isinstance(i, int)],
        "first_seen": row.get("first_seen") or data.get("first_seen"),
        "last_updated": row.get("last_updated") or data.get("last_updated"),
        "date_source": str(row.get("date_source") or data.get("date_source") or "published"),
        "article_count": int(row.get("article_count") or 0),
        "outlet_count": int(row.get("outlet_count") or 0),
        "country_count": int(row.get("country_count") or len(_as_list(data.get("countries_covering")))),
    }


class ReadModel:
    """Queries of the web layer over one store."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._health_cache: tuple[float, list[dict[str, Any]]] | None = None
        self._cache: dict[str, tuple[float, Any]] = {}

    # ------------------------------------------------------------------ countries

    def country_counts(self, since: dt.datetime | None) -> dict[str, int]:
        """Articles per country published since ``since`` (None: all time), copies not counted."""
        return self.store.articles_per_country(since)

    def globe_counts(self, window: str | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
        """Counts for the globe and "countries by articles" in ``window`` (a key of WINDOWS), or, when none is
        asked for, in the smallest window that has news: ``{"window", "label", "requested", "fallback",
        "counts"}``. Cached for COUNTS_CACHE_SECONDS per asked window."""
        if window is not None and window not in WINDOWS:
            raise ValueError(f"unknown window {window!r}; one of {', '.join(WINDOWS)}")
        if now is not None:
            return self._globe_counts(window, now)
        return self.cached(f"globe:{window or ''}", COUNTS_CACHE_SECONDS, lambda: self._globe_counts(window, None))

    def _globe_counts(self, window: str | None, now: dt.datetime | None) -> dict[str, Any]:
        now = now or utcnow()
        tried = [window] if window else list(WINDOWS)
        counts: dict[str, int] = {}
        chosen = tried[-1]
        empty: list[str] = []  # windows tried before the one shown, without news
        for key in tried:
            span = WINDOWS[key]
            counts = self.country_counts(None if span is None else now - span)
            chosen = key
            if sum(counts.values()):
                break
            empty.append(key)
        return {"window": chosen, "label": WINDOW_LABELS[chosen], "requested": window,
                "fallback": window is None and chosen != tried[0],
                "empty_before": WINDOW_LABELS[empty[-1]] if window is None and empty and empty[-1] != chosen else "",
                "counts": counts, "articles": sum(counts.values())}

    def outlet_counts_by_country(self) -> dict[str, int]:
        return {r["country"]: int(r["n"]) for r in self.store.query(
            "SELECT country, COUNT(*) AS n FROM outlets WHERE enabled = 1 GROUP BY country")}

    # ------------------------------------------------------------------ stories

    def list_stories(
        self,
        *,
        country: str | None = None,
        mentioned: str | None = None,
        blindspot: bool | None = None,
        since: dt.datetime | None = None,
        exclude_covering: str | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Stories newest-updated first, keyset-paged on (last_updated, id) (``StoriesRepo.list_stories``)."""
        limit = max(1, min(limit, MAX_PAGE))
        before = None
        if cursor:
            c = decode_cursor(cursor, ("u", "id"))
            before = (c["u"], c["id"])
        rows = self.store.list_stories(country=country, mentioned=mentioned, blindspot=blindspot, since=since,
                                       exclude_covering=exclude_covering, limit=limit + 1, before=before)
        nxt = None
        if len(rows) > limit:
            rows = rows[:limit]
            nxt = encode_cursor({"u": rows[-1]["last_updated"], "id": int(rows[-1]["id"])})
        return [normalise_story(r) for r in rows], nxt

    def cached(self, key: str, ttl: float, fn: Any) -> Any:
        """``fn()`` memoised for ``ttl`` seconds (front-page lists shared by every visitor)."""
        t = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and t - hit[0] < ttl:
            return hit[1]
        value = fn()
        self._cache[key] = (t, value)
        return value

    def _with_older(self, fetch: Callable[..., list[dict[str, Any]]], limit: int, now: dt.datetime | None) -> list[dict[str, Any]]:
        """``fetch(since=..., limit=...)`` over the last STORIES_WINDOW, topped up with all-time rows when the
        window is quiet (a small or archived install still has a front page)."""
        now = now or utcnow()
        out: list[dict[str, Any]] = []
        for since in (now - STORIES_WINDOW, None):
            seen = {s["id"] for s in out}
            out += [s for s in map(normalise_story, fetch(since=since, limit=limit)) if s["id"] not in seen]
            if len(out) >= limit:
                break
        return out[:limit]

    def top_stories(self, limit: int = 10, now: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Stories covered by the most countries among those updated in the last STORIES_WINDOW, topped up
        with the all-time leaders."""
        return self._with_older(self.store.top_stories, limit, now)

    def blindspot_stories(self, limit: int = 10, now: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Flagged stories of the last STORIES_WINDOW, topped up with older ones like ``top_stories``."""
        return self._with_older(self.store.blindspot_stories, limit, now)

    def get_story(self, story_id: int) -> dict[str, Any] | None:
        row = self.store.get_story(story_id)
        return None if row is None else normalise_story(row)

    def story_articles(self, story_id: int) -> list[dict[str, Any]]:
        rows = self.store.query(
            f"SELECT {ARTICLE_ROW} FROM story_articles sa"
            " JOIN articles a ON a.id = sa.article_id LEFT JOIN outlets o ON o.id = a.outlet_id"
            " WHERE sa.story_id = ? ORDER BY a.country, COALESCE(a.published_at, a.fetched_at) DESC, a.id",
            (story_id,),
        )
        return self.with_english(rows)

    def story_timeline(self, story_id: int) -> list[dict[str, Any]]:
        return [{"at": r["at"], "kind": r["kind"], "detail": _as_dict(r.get("detail"))}
                for r in self.store.story_timeline(story_id)]

    def stories_by_ids(self, ids: list[int]) -> list[dict[str, Any]]:
        if not ids:
            return []
        ids = ids[:MAX_IN]
        marks = ",".join("?" * len(ids))
        rows = {int(r["id"]): r for r in self.store.query(f"SELECT * FROM stories WHERE id IN ({marks})", ids)}
        return [normalise_story(rows[i]) for i in ids if i in rows]

    def story_of_article(self, article_id: int) -> int | None:
        return self.store.story_of_article(article_id)

    # ------------------------------------------------------------------ articles

    def english_titles(self, ids: list[int]) -> dict[int, str]:
        """English headlines (``TranslationsRepo.english_texts``: the original of English articles, else the
        translation); none rather than a failed page when the translations tables are broken."""
        ids = [i for i in ids if i is not None]
        if not ids:
            return {}
        try:
            texts = self.store.english_texts(ids)
        except sqlite3.Error as exc:  # a broken database must not break the page
            log.warning("english_texts_failed", error=str(exc))
            return {}
        return {int(k): str(title) for k, (title, _text) in texts.items() if title}

    def with_english(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        titles = self.english_titles([int(r["id"]) for r in rows])
        for r in rows:
            r["title_en"] = titles.get(int(r["id"]))
        return self.present(rows)

    def present(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Article rows as a reader sees them: the source named (``naming.name_row``: catalogue, site name or
        registrable domain) and a usable title (``headline.usable_title``: rows stored with a junk or empty
        title get one derived from their lead; ``title_derived`` says so). An English title that fails the
        check is dropped so that the usable original shows."""
        if not rows:
            return rows
        facts = self.store.article_display_facts([int(r["id"]) for r in rows])
        for r in rows:
            f = facts.get(int(r["id"]), {})
            for k in ("url", "canonical_url", "site_name", "language"):
                if r.get(k) is None and f.get(k) is not None:
                    r[k] = f[k]
            name_row(r)
            names = [n for n in (r.get("outlet_name"), r.get("site_name")) if n]
            title, derived = usable_title(str(r.get("title") or f.get("title") or ""), str(f.get("lead") or ""),
                                          r.get("language"), site_names=names)
            r["title"], r["title_derived"] = title, derived
            # the date a card shows: the publication time, else the fetch time marked as such
            r["date_source"] = "published" if r.get("published_at") else "fetched"
            if r.get("title_en") and not is_usable_title(str(r["title_en"]), "en", site_names=names):
                r["title_en"] = None
        return rows

    def list_articles(
        self,
        *,
        country: str | None = None,
        language: str | None = None,
        outlet_id: str | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Articles newest-stored first, keyset-paged on id."""
        limit = max(1, min(limit, MAX_PAGE))
        where: list[str] = ["1=1"]
        params: list[Any] = []
        for col, val in (("country", country and country.upper()), ("language", language and language.lower()),
                         ("outlet_id", outlet_id)):
            if val:
                where.append(f"a.{col} = ?")
                params.append(val)
        if cursor:
            where.append("a.id < ?")
            params.append(decode_cursor(cursor, ("id",))["id"])
        # Ids first (the filter indexes carry the rowid: no row is read to sort), then the page's rows.
        ids = [int(r["id"]) for r in self.store.query(
            f"SELECT a.id FROM articles a WHERE {' AND '.join(where)} ORDER BY a.id DESC LIMIT ?",
            [*params, limit + 1],
        )]
        rows = self._article_rows(ids)
        nxt = None
        if len(rows) > limit:
            rows = rows[:limit]
            nxt = encode_cursor({"id": int(rows[-1]["id"])})
        return self.with_english(rows), nxt

    def _article_rows(self, ids: list[int]) -> list[dict[str, Any]]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        by_id = {int(r["id"]): r for r in self.store.query(
            f"SELECT {ARTICLE_ROW} FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id WHERE a.id IN ({marks})",
            ids)}
        return [by_id[i] for i in ids if i in by_id]

    def latest_articles_of_country(self, cc: str, limit: int = 30) -> list[dict[str, Any]]:
        rows = self.store.query(
            f"SELECT {ARTICLE_ROW} FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id WHERE a.country = ?"
            " ORDER BY a.published_at DESC, a.id DESC LIMIT ?",
            (cc.upper(), limit),
        )
        return self.with_english(rows)

    def get_article(self, article_id: int) -> dict[str, Any] | None:
        a = self.store.get_article(article_id)
        if a is None:
            return None
        outlet = self.store.get_outlet(a.outlet_id) if a.outlet_id else None
        shown = self.present([{"id": a.id, "title": a.title, "url": a.url, "canonical_url": a.canonical_url,
                               "site_name": a.site_name, "language": a.language, "country": a.country,
                               "outlet_name": outlet.get("name") if outlet else None}])[0]
        if shown["title"] != a.title:
            a = dataclasses.replace(a, title=shown["title"])
        translation = self.translation(article_id)
        if translation and translation.get("title_en") and not is_usable_title(str(translation["title_en"]), "en"):
            # the English of a junk title is junk too: derive it from the English text instead
            translation["title_en"] = usable_title("", str(translation.get("text_en") or "")[:1500], "en")[0] or None
        return {
            "article": a,
            "outlet": outlet,
            "outlet_name": shown["outlet_name"],
            "country": shown["country"],
            "title_derived": shown["title_derived"],
            "translation": translation,
            "versions": self.store.article_versions(article_id),
            "duplicates": self.store.duplicates_of(article_id),
            "story_id": self.story_of_article(article_id),
        }

    def translation(self, article_id: int) -> dict[str, Any] | None:
        try:
            t = self.store.get_translation(article_id)
        except sqlite3.Error as exc:  # a broken database must not break the page
            log.warning("get_translation_failed", error=str(exc))
            return None
        if not t:
            return None
        t = dict(t)
        t["alignment"] = [x for x in _as_list(t.get("alignment")) if isinstance(x, dict)]
        return t

    # ------------------------------------------------------------------ search

    def search(
        self,
        q: str,
        *,
        country: str | None = None,
        language: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Ranked full-text search over originals and English (``store.search_articles``: injection-safe,
        on every store backend). Ranked order has no stable key, so the cursor carries an offset."""
        limit = max(1, min(limit, MAX_PAGE))
        offset = decode_cursor(cursor, ("offset",))["offset"] if cursor else 0
        rows = self.store.search_articles(q, country=country, language=language, since=since, until=until,
                                          limit=limit + 1, offset=min(offset, 10_000))
        nxt = encode_cursor({"offset": offset + limit}) if len(rows) > limit else None
        out = rows[:limit]
        titles = self.english_titles([int(r["id"]) for r in out])
        names = self.outlet_names({r["outlet_id"] for r in out if r.get("outlet_id") and not r.get("outlet_name")})
        for r in out:
            r["title_en"] = titles.get(int(r["id"])) or r.get("title_en") or None
            r.setdefault("outlet_name", names.get(r.get("outlet_id") or ""))
            r.setdefault("canonical_url", r.get("url"))
        return self.present(out), nxt

    # ------------------------------------------------------------------ outlets

    def outlet_names(self, ids: set[str]) -> dict[str, str]:
        if not ids:
            return {}
        ids_l = list(ids)[:MAX_IN]
        marks = ",".join("?" * len(ids_l))
        return {r["id"]: r["name"] for r in self.store.query(
            f"SELECT id, name FROM outlets WHERE id IN ({marks})", ids_l)}

    def outlets(self, country: str | None = None) -> list[dict[str, Any]]:
        return self.store.list_outlets(country)

    def outlet_health(self, country: str | None = None) -> list[dict[str, Any]]:
        """Per-outlet health rows (copies), from a catalogue-wide table cached for HEALTH_CACHE_SECONDS."""
        t = time.monotonic()
        hit = self._health_cache
        if hit is None or t - hit[0] >= HEALTH_CACHE_SECONDS:
            hit = (t, self._outlet_health())
            self._health_cache = hit
        cc = country.upper() if country else None
        return [dict(r) for r in hit[1] if cc is None or str(r.get("country", "")).upper() == cc]

    def _outlet_health(self, country: str | None = None) -> list[dict[str, Any]]:
        """Per-outlet rows: catalogue facts, article counts, feed state; merged with the sources area's
        ``outlet_health_summary`` (feed checks)."""
        params: list[Any] = [iso(utcnow() - COUNTS_WINDOW)]
        where = ""
        if country:
            where = " WHERE o.country = ?"
            params.append(country.upper())
        rows = self.store.query(
            "SELECT o.id, o.name, o.homepage, o.country, o.languages, o.ownership, o.enabled,"
            " f.last_success_at, f.last_fetch_at, f.failing_feeds, f.feeds, f.consecutive_failures, f.last_error,"
            " COALESCE(c.articles, 0) AS articles, COALESCE(c.articles_24h, 0) AS articles_24h"
            " FROM outlets o"
            " LEFT JOIN (SELECT outlet_id, MAX(last_success_at) AS last_success_at, MAX(last_fetch_at) AS last_fetch_at,"
            "   SUM(consecutive_failures > 0) AS failing_feeds, COUNT(*) AS feeds,"
            "   MAX(consecutive_failures) AS consecutive_failures, MAX(last_error) AS last_error"
            "   FROM feed_state GROUP BY outlet_id) f ON f.outlet_id = o.id"
            " LEFT JOIN (SELECT outlet_id, COUNT(*) AS articles, SUM(published_at >= ?) AS articles_24h"
            "   FROM articles GROUP BY outlet_id) c ON c.outlet_id = o.id"
            f"{where} ORDER BY o.country, o.name",
            params,
        )
        try:
            checks = {r.get("outlet_id"): r for r in self.store.outlet_health_summary()}
        except sqlite3.Error as exc:  # a broken database must not break the page
            log.warning("outlet_health_summary_failed", error=str(exc))
            checks = {}
        for r in rows:
            h = checks.get(r["id"])
            if not h:
                continue
            if h.get("feeds"):
                r["feeds"] = h["feeds"]
                r["failing_feeds"] = int(h["feeds"]) - int(h.get("alive_feeds") or 0)
            r["last_success_at"] = max(filter(None, [r.get("last_success_at"), h.get("last_success_at")]),
                                       default=None)
            r["consecutive_failures"] = max(int(r.get("consecutive_failures") or 0),
                                            int(h.get("consecutive_failures") or 0))
            r["last_checked_at"] = h.get("last_checked_at")
        return rows

    # ------------------------------------------------------------------ country page

    def country_page(self, cc: str) -> dict[str, Any]:
        cc = cc.upper()
        covering, _ = self.list_stories(country=cc, limit=15)
        return {
            "outlets": self.outlets(cc),
            "articles": self.latest_articles_of_country(cc),
            "stories": covering,
            "about": self.stories_about(cc, limit=15),
        }

    def stories_about(self, cc: str, limit: int = 15) -> list[dict[str, Any]]:
        """What the world says about a country: stories mentioning it that other countries' outlets cover."""
        rows = self.store.query(
            "SELECT s.* FROM stories s WHERE s.merged_into IS NULL AND s.article_count > 0"
            " AND EXISTS (SELECT 1 FROM story_countries m WHERE m.story_id = s.id AND m.country = ?"
            "   AND m.role = 'mentioned')"
            " AND EXISTS (SELECT 1 FROM story_countries c WHERE c.story_id = s.id AND c.role = 'covering'"
            "   AND c.country != ?)"
            " ORDER BY s.last_updated DESC, s.id DESC LIMIT ?",
            (cc, cc, limit),
        )
        return [normalise_story(r) for r in rows]

    # ------------------------------------------------------------------ grouping helpers

    @staticmethod
    def group_by_country(articles: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for a in articles:
            out[(a.get("country") or "??").upper()].append(a)
        return dict(sorted(out.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def parse_date_param(value: str | None) -> dt.datetime | None:
    """``YYYY-MM-DD`` or an ISO datetime from a query string; ValueError on anything else."""
    if not value:
        return None
    value = value.strip()
    if len(value) > 40:
        raise ValueError("date too long")
    try:
        if len(value) == 10:
            d = dt.date.fromisoformat(value)
            when = dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)
        else:
            when = parse_iso(value)
    except ValueError as exc:
        raise ValueError(f"not a date: {value[:40]!r}") from exc
    if when is None:
        return None
    # Clamped to the plausible range (no stored article lies outside it, so the answer is the same), which
    # also keeps 0001-01-01T00:00+14:00 or 9999-12-31T23:59-14:00 from overflowing in UTC arithmetic.
    return validate.clamp_datetime(when, validate.EARLIEST, validate.latest())
