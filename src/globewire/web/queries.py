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
import re
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar, Unpack, cast

from globewire import validate
from globewire.headline import is_usable_title, story_headline, usable_title
from globewire.log import get_logger
from globewire.naming import name_row
from globewire.records import Outlet, utcnow
from globewire.store.base import Store
from globewire.store.db import parse_iso
from globewire.store.types import SearchFilters, StoryFilters, StoryRow
from globewire.textnorm import clean_text
from globewire.web import geo
from globewire.web.views import ArticleView, BlindspotView, CountryPage, SearchGroup, StoryPageList, StoryView, TimelineEvent

log = get_logger(__name__)
T = TypeVar("T")

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
# Search by story groups this many of the best article matches (the store ranks among the newest 2,000):
# 400 hits fill 20 pages of 20 story groups for any common word, and grouping them costs ~3 ms
# (stories_of_articles + one story read per page) at 100k articles.
SEARCH_GROUP_SCAN = 400
SEARCH_HITS_PER_STORY = 5  # matching articles listed under one story hit ("and N more" beyond)
COUNTRY_ARTICLES_PAGE = 30  # articles per page of a country page ("more" pages on)
# The /blindspot page's "coverage unknown" list looks at this many of the newest stories (one indexed read,
# ~2 ms at 20k stories; cached with the page's evidence).
BLINDSPOT_UNKNOWN_SCAN = 100
DERIVED_TITLE_CHARS = 90  # longest title made from an article's own words when it has none
# The globe counts scan a day of articles (~15k rows at 100k articles/week: ~20 ms); a page view reuses
# them for this long. Shading that is 30 s stale is invisible to readers.
COUNTS_CACHE_SECONDS = 30.0
# Outlet health aggregates every article per outlet (~140 ms at 100k articles); feeds are crawled every
# 30 minutes, so a minute-old health table loses nothing.
HEALTH_CACHE_SECONDS = 60.0


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


def normalise_story(row: StoryRow) -> StoryView:
    """A stored story and its synthesis (``row.data``) as the web reads it (``views.StoryView``)."""
    data = row.data
    blind = _as_dict(data.get("blindspot"))
    takes = {str(cc).upper(): [t for t in _as_list(v) if isinstance(t, dict)]
             for cc, v in _as_dict(data.get("alternative_takes")).items()}
    takes_elsewhere = {str(cc).upper(): [t for t in _as_list(v) if isinstance(t, dict) and t.get("text")]
                       for cc, v in _as_dict(data.get("alternative_takes_elsewhere")).items()}
    summary = [s for s in _as_list(data.get("summary")) if isinstance(s, dict) and s.get("text")]
    if isinstance(data.get("summary"), str) and data["summary"]:
        summary = [{"text": data["summary"], "article_id": None}]
    outlets = [o for o in _as_list(data.get("outlets")) if isinstance(o, dict)]
    # a stored headline that fails the quality check (synthesised before it existed) is re-derived here
    headline = story_headline(str(data.get("headline") or row.headline or ""),
                              [str(x["text"]) for x in summary], str(data.get("headline_language") or "en"),
                              site_names=[str(o["name"]) for o in outlets if o.get("name")])
    return StoryView(
        id=row.id,
        headline=headline,
        summary=summary,
        countries_covering=[str(c).upper() for c in
                            _as_list(data.get("countries_covering") or list(row.countries_covering))],
        countries_mentioned=[str(c).upper() for c in
                             _as_list(data.get("countries_mentioned") or list(row.countries_mentioned))],
        languages=[str(x) for x in _as_list(data.get("languages"))],
        outlets=outlets,
        alternative_takes=takes,
        countries_elsewhere=[str(c).upper() for c in _as_list(data.get("countries_elsewhere"))],
        alternative_takes_elsewhere={cc: v for cc, v in takes_elsewhere.items() if v},
        blindspot=blindspot_view(blind, row),
        related_story_ids=[int(i) for i in _as_list(data.get("related_story_ids")) if isinstance(i, int)],
        first_seen=row.first_seen or data.get("first_seen"),
        last_updated=row.last_updated or data.get("last_updated"),
        date_source=str(row.date_source or data.get("date_source") or "published"),
        article_count=row.article_count,
        outlet_count=row.outlet_count,
        country_count=row.country_count or len(_as_list(data.get("countries_covering"))),
    )


def blindspot_view(blind: dict[str, Any], row: StoryRow) -> BlindspotView:
    """The blindspot part of a story. A synthesis without ``status`` was made before the claim needed crawl
    evidence (``stories/blindspot.py``): it is shown as not checked, never as overlooked."""
    status = str(blind.get("status") or "")
    flag = bool(blind.get("flag", row.blindspot)) and status == "overlooked"
    crawled = blind.get("reference_crawled")
    outlets = blind.get("reference_outlets")
    return BlindspotView(
        flag=flag,
        status=status or "unchecked",
        reason=str(blind.get("reason") or "") if status else "",
        countries=[str(c).upper() for c in _as_list(blind.get("countries"))],
        reference_country=str(blind.get("reference_country") or ""),
        reference_crawled=int(crawled) if isinstance(crawled, int) and not isinstance(crawled, bool) else None,
        reference_outlets=outlets if isinstance(outlets, int) else 0,
    )


_MARKS = re.compile(r"[\[\]]")


def display_title(row: dict[str, Any]) -> str:
    """A non-empty title for a link to an article: its English title, its own, else one derived from its
    words (the first sentence of ``lead`` — its text — or the search snippet without match marks, cut at a
    word), else from its URL's slug, else its outlet and date — never empty, never "Article N"."""
    for key in ("headline", "title_en", "title"):
        v = str(row.get(key) or "").strip()
        if v:
            return v
    lead = re.split(r"(?<=[.!?。])\s", " ".join(str(row.get("lead") or "").split()), maxsplit=1)[0]
    words = lead or " ".join(_MARKS.sub("", str(row.get("snippet") or "")).replace("…", " ").split())
    if words:
        if len(words) > DERIVED_TITLE_CHARS:
            words = words[:DERIVED_TITLE_CHARS].rsplit(" ", 1)[0] + "…"
        return words
    path = str(row.get("canonical_url") or row.get("url") or "").split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    slug = " ".join(re.split(r"[-_+.]+", re.sub(r"\.(s?html?|php|aspx?)$", "", path))).strip()
    if len(slug) >= 12 and not slug.isdigit():
        return slug[:1].upper() + slug[1:DERIVED_TITLE_CHARS]
    who = row.get("outlet_name") or row.get("site_name") or row.get("outlet_id") or "an outlet"
    when = str(row.get("published_at") or row.get("fetched_at") or "")[:10]
    return f"Untitled report from {who}" + (f", {when}" if when else "")


class ReadModel:
    """Queries of the web layer over one store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._health_cache: tuple[float, list[dict[str, Any]]] | None = None
        self._cache: dict[str, tuple[float, Any]] = {}
        # the store backend's database errors (sqlite3.Error, psycopg.Error): pages survive them
        self.db_errors: tuple[type[BaseException], ...] = tuple(getattr(store, "error_types", ()))

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
        return self.store.outlet_counts_by_country()

    # ------------------------------------------------------------------ stories

    def list_stories(self, *, limit: int = 20, cursor: str | None = None,
                     **filters: Unpack[StoryFilters]) -> tuple[list[StoryView], str | None]:
        """Stories newest-updated first, keyset-paged on (last_updated, id) (``StoriesRepo.list_stories``)."""
        limit = max(1, min(limit, MAX_PAGE))
        before = None
        if cursor:
            c = decode_cursor(cursor, ("u", "id"))
            before = (c["u"], c["id"])
        rows = self.store.list_stories(limit=limit + 1, before=before, **filters)
        nxt = None
        if len(rows) > limit:
            rows = rows[:limit]
            nxt = encode_cursor({"u": rows[-1].last_updated, "id": rows[-1].id})
        return [normalise_story(r) for r in rows], nxt

    def cached(self, key: str, ttl: float, fn: Callable[[], T]) -> T:
        """``fn()`` memoised for ``ttl`` seconds (front-page lists shared by every visitor)."""
        t = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and t - hit[0] < ttl:
            return cast(T, hit[1])  # stored by this same key's ``fn``
        value = fn()
        self._cache[key] = (t, value)
        return value

    def _with_older(self, fetch: Callable[..., list[StoryRow]], limit: int,
                    now: dt.datetime | None) -> list[StoryView]:
        """``fetch(since=..., limit=...)`` over the last STORIES_WINDOW, topped up with all-time rows when the
        window is quiet (a small or archived install still has a front page)."""
        now = now or utcnow()
        out: list[StoryView] = []
        for since in (now - STORIES_WINDOW, None):
            seen = {s.id for s in out}
            out += [s for s in map(normalise_story, fetch(since=since, limit=limit)) if s.id not in seen]
            if len(out) >= limit:
                break
        return out[:limit]

    def top_stories(self, limit: int = 10, now: dt.datetime | None = None) -> list[StoryView]:
        """Stories covered by the most countries among those updated in the last STORIES_WINDOW, topped up
        with the all-time leaders."""
        return self._with_older(self.store.top_stories, limit, now)

    def blindspot_stories(self, limit: int = 10, now: dt.datetime | None = None) -> list[StoryView]:
        """Flagged stories of the last STORIES_WINDOW, topped up with older ones like ``top_stories``."""
        return self._with_older(self.store.blindspot_stories, limit, now)

    def get_story(self, story_id: int) -> StoryView | None:
        row = self.store.get_story(story_id)
        return None if row is None else normalise_story(row)

    def story_articles(self, story_id: int) -> list[dict[str, Any]]:
        return self.with_english([r.as_row() for r in self.store.story_article_rows(story_id)])

    def story_timeline(self, story_id: int) -> list[TimelineEvent]:
        return [TimelineEvent(at=u.at, kind=u.kind, detail=dict(u.detail)) for u in self.store.story_timeline(story_id)]

    def stories_by_ids(self, ids: list[int]) -> list[StoryView]:
        return [normalise_story(r) for r in self.store.stories_by_ids(ids[:MAX_IN])]

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
        except self.db_errors as exc:  # a broken database must not break the page
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
                                          r.get("language"), site_names=names,
                                          url=r.get("canonical_url") or r.get("url"))
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
        ids = self.store.article_ids(country=country, language=language, outlet_id=outlet_id,
                                     before_id=decode_cursor(cursor, ("id",))["id"] if cursor else None,
                                     limit=limit + 1)
        rows = self._article_rows(ids)
        nxt = None
        if len(rows) > limit:
            rows = rows[:limit]
            nxt = encode_cursor({"id": int(rows[-1]["id"])})
        return self.with_english(rows), nxt

    def _article_rows(self, ids: list[int]) -> list[dict[str, Any]]:
        return [r.as_row() for r in self.store.article_rows(ids)]

    def country_articles(self, cc: str, *, limit: int = COUNTRY_ARTICLES_PAGE,
                         cursor: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
        """A country's articles, newest publication first (fetch time for undated ones); keyset cursor on
        (article time, id) for the "more" link."""
        limit = max(1, min(limit, MAX_PAGE))
        before = None
        if cursor:
            c = decode_cursor(cursor, ("t", "id"))
            before = (c["t"], c["id"])
        rows = [r.as_row() for r in self.store.country_articles(cc, limit=limit + 1, before=before)]
        nxt = None
        if len(rows) > limit:
            rows = rows[:limit]
            nxt = encode_cursor({"t": str(rows[-1]["t"]), "id": int(rows[-1]["id"])})
        rows = self.with_english(rows)
        for r in rows:
            r["display_title"] = display_title(r)
        return rows, nxt

    def get_article(self, article_id: int) -> ArticleView | None:
        a = self.store.get_article(article_id)
        if a is None:
            return None
        outlet = self.store.get_outlet(a.outlet_id) if a.outlet_id else None
        shown = self.present([{"id": a.id, "title": a.title, "url": a.url, "canonical_url": a.canonical_url,
                               "site_name": a.site_name, "language": a.language, "country": a.country,
                               "outlet_name": outlet.name if outlet else None}])[0]
        if shown["title"] != a.title:
            a = dataclasses.replace(a, title=shown["title"])
        translation = self.translation(article_id)
        if translation and translation.get("title_en") and not is_usable_title(str(translation["title_en"]), "en"):
            # the English of a junk title is junk too: derive it from the English text instead
            translation["title_en"] = usable_title("", str(translation.get("text_en") or "")[:1500], "en")[0] or None
        return ArticleView(
            article=a,
            outlet=outlet,
            outlet_name=shown["outlet_name"],
            country=shown["country"],
            title_derived=bool(shown["title_derived"]),
            translation=translation,
            versions=self.store.article_versions(article_id),
            duplicates=self.store.duplicates_of(article_id),
            story_id=self.story_of_article(article_id),
        )

    def translation(self, article_id: int) -> dict[str, Any] | None:
        try:
            t = self.store.get_translation(article_id)
        except self.db_errors as exc:  # a broken database must not break the page
            log.warning("get_translation_failed", error=str(exc))
            return None
        return None if t is None else t.as_row()

    # ------------------------------------------------------------------ search

    def search(self, q: str, *, limit: int = 20, cursor: str | None = None,
               **filters: Unpack[SearchFilters]) -> tuple[list[dict[str, Any]], str | None]:
        """Ranked full-text search over originals and English (``store.search_articles``: injection-safe,
        on every store backend). Ranked order has no stable key, so the cursor carries an offset."""
        limit = max(1, min(limit, MAX_PAGE))
        offset = decode_cursor(cursor, ("offset",))["offset"] if cursor else 0
        rows = [h.as_row() for h in self.store.search_articles(q, limit=limit + 1, offset=min(offset, 10_000),
                                                               **filters)]
        nxt = encode_cursor({"offset": offset + limit}) if len(rows) > limit else None
        out = rows[:limit]
        self._decorate_hits(out)
        return out, nxt

    def search_stories(self, q: str, *, limit: int = 20, cursor: str | None = None,
                       **filters: Unpack[SearchFilters]) -> tuple[list[SearchGroup], str | None]:
        """Search results grouped by story: one group per story in the order of its best-ranked article
        (``story`` set, its matching ``hits`` under it), and one group per matching article in no story
        (``story`` None). The page and the API both call this. Groups are made from the best
        SEARCH_GROUP_SCAN article matches; the cursor carries the group offset. ``filters``: those of
        ``search`` (country, language, since, until)."""
        limit = max(1, min(limit, MAX_PAGE))
        offset = decode_cursor(cursor, ("g",))["g"] if cursor else 0
        rows = [h.as_row() for h in self.store.search_articles(q, limit=SEARCH_GROUP_SCAN, offset=0, **filters)]
        story_of = self.store.stories_of_articles([int(r["id"]) for r in rows]) if rows else {}
        order: list[tuple[str, int]] = []
        members: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for r in rows:
            sid = story_of.get(int(r["id"]))
            key = ("s", sid) if sid is not None else ("a", int(r["id"]))
            if key not in members:
                order.append(key)
                members[key] = []
            members[key].append(r)
        page = order[offset: offset + limit]
        nxt = encode_cursor({"g": offset + limit}) if len(order) > offset + limit else None
        shown = [r for key in page for r in members[key][:SEARCH_HITS_PER_STORY]]
        self._decorate_hits(shown)
        stories = {s.id: s for s in self.stories_by_ids([k[1] for k in page if k[0] == "s"])}
        groups: list[SearchGroup] = []
        for key in page:
            hits = members[key]
            story = stories.get(key[1]) if key[0] == "s" else None
            head = hits[0]
            title = (story.headline if story else "") or display_title(head)
            groups.append(SearchGroup(
                story=story,
                title=title,
                url=f"/story/{key[1]}" if story else f"/article/{head['id']}",
                hits=hits[:SEARCH_HITS_PER_STORY],
                more_hits=max(0, len(hits) - SEARCH_HITS_PER_STORY),
            ))
        return groups, nxt

    def _decorate_hits(self, rows: list[dict[str, Any]]) -> None:
        """English titles, named sources (``present``) and a never-empty ``display_title`` on search rows."""
        titles = self.english_titles([int(r["id"]) for r in rows])
        names = self.outlet_names({r["outlet_id"] for r in rows if r.get("outlet_id") and not r.get("outlet_name")})
        for r in rows:
            r["title_en"] = titles.get(int(r["id"])) or r.get("title_en") or None
            if not r.get("outlet_name"):
                r["outlet_name"] = names.get(r.get("outlet_id") or "")
            r.setdefault("canonical_url", r.get("url"))
        self.present(rows)  # sources named, junk or empty titles derived from the lead (headline.usable_title)
        untitled = [int(r["id"]) for r in rows if not (r.get("title_en") or r.get("title"))]
        leads = {a.id: a.text[:600] for a in self.store.get_articles(untitled)} if untitled else {}
        for r in rows:
            r["lead"] = leads.get(int(r["id"]))
            r["display_title"] = display_title(r)

    # ------------------------------------------------------------------ outlets

    def outlet_names(self, ids: set[str]) -> dict[str, str]:
        return self.store.outlet_names(sorted(ids)) if ids else {}

    def outlets(self, country: str | None = None) -> list[Outlet]:
        return self.store.list_outlets(country)

    def outlet_health(self, country: str | None = None, *, language: str | None = None,
                      health: str | None = None) -> list[dict[str, Any]]:
        """Per-outlet health rows (copies), from a catalogue-wide table cached for HEALTH_CACHE_SECONDS,
        filtered by country, language (one of the outlet's) and health state (``HEALTH_STATES``). The outlets
        page and ``/api/v1/outlets`` both read this."""
        t = time.monotonic()
        hit = self._health_cache
        if hit is None or t - hit[0] >= HEALTH_CACHE_SECONDS:
            hit = (t, self._outlet_health())
            self._health_cache = hit
        cc = country.upper() if country else None
        lang = language.lower() if language else None
        return [dict(r) for r in hit[1]
                if (cc is None or str(r.get("country", "")).upper() == cc)
                and (lang is None or lang in r["languages"])
                and (not health or r["health"] == health)]

    def _outlet_health(self) -> list[dict[str, Any]]:
        """Per-outlet rows: catalogue facts, article counts, feed state; merged with the sources area's
        ``outlet_health_summary`` (feed checks); ``languages`` a list, ``health`` one of HEALTH_STATES."""
        rows = [r.as_row() for r in self.store.outlet_health_rows(utcnow() - COUNTS_WINDOW)]
        try:
            checks = {r.get("outlet_id"): r for r in self.store.outlet_health_summary()}
        except self.db_errors as exc:  # a broken database must not break the page
            log.warning("outlet_health_summary_failed", error=str(exc))
            checks = {}
        for r in rows:
            langs = r.get("languages")
            if isinstance(langs, str):
                langs = _loads(langs, [langs])
            r["languages"] = [str(x).lower() for x in _as_list(langs)]
            h = checks.get(r["id"])
            if h:
                if h.get("feeds"):
                    r["feeds"] = h["feeds"]
                    r["failing_feeds"] = int(h["feeds"]) - int(h.get("alive_feeds") or 0)
                r["last_success_at"] = max(filter(None, [r.get("last_success_at"), h.get("last_success_at")]),
                                           default=None)
                r["consecutive_failures"] = max(int(r.get("consecutive_failures") or 0),
                                                int(h.get("consecutive_failures") or 0))
                r["last_checked_at"] = h.get("last_checked_at")
            r["health"] = health_state(r)
        return rows

    # ------------------------------------------------------------------ country page

    def country_page(self, cc: str, cursor: str | None = None) -> CountryPage:
        """Outlets, articles newest published first (``cursor``: the next page of them, from "more"),
        stories its outlets cover and stories about it (first page only)."""
        cc = cc.upper()
        articles, nxt = self.country_articles(cc, cursor=cursor)
        first = not cursor
        covering = self.list_stories(country=cc, limit=15)[0] if first else []
        return CountryPage(
            outlets=self.outlets(cc),
            articles=articles,
            next_cursor=nxt,
            stories=covering,
            about=self.stories_about(cc, limit=15) if first else [],
        )

    def stories_about(self, cc: str, limit: int = 15) -> list[StoryView]:
        """What the world says about a country: stories mentioning it that other countries' outlets cover."""
        return [normalise_story(r) for r in self.store.stories_about_country(cc, limit)]

    # ------------------------------------------------------------------ blindspot

    def blindspot(self, *, limit: int = 20, cursor: str | None = None) -> StoryPageList:
        """The /blindspot page and /api/v1/blindspot: flagged stories newest first, and the evidence behind
        the list (reference-country outlets in the catalogue and crawled successfully ever)."""
        stories, nxt = self.list_stories(blindspot=True, limit=limit, cursor=cursor)
        return StoryPageList(stories=stories, next_cursor=nxt)

    def blindspot_unknown(self, limit: int = 10) -> list[StoryView]:
        """Recent stories that would be blindspots but whose reference-country coverage is unknown (no outlet
        of that country crawled in their window): shown apart, never as overlooked. Read from the newest
        BLINDSPOT_UNKNOWN_SCAN stories (their status lives in the synthesis data, not in an indexed column)."""
        rows, _ = self.list_stories(limit=BLINDSPOT_UNKNOWN_SCAN)
        return [s for s in rows if s.blindspot.status == "unknown"][:limit]

    def reference_evidence(self, cc: str) -> dict[str, int]:
        return {"outlets": int(self.store.reference_outlet_count(cc)),
                "crawled_ever": int(self.store.outlets_crawled(cc))}

    # ------------------------------------------------------------------ grouping helpers

    @staticmethod
    def group_by_country(articles: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for a in articles:
            out[(a.get("country") or "??").upper()].append(a)
        return dict(sorted(out.items(), key=lambda kv: (-len(kv[1]), kv[0])))


HEALTH_STATES = ("ok", "failing", "not fetched", "disabled")


def health_state(r: dict[str, Any]) -> str:
    """One word for an outlet's feeds: disabled, failing (the last fetches failed), ok (a fetch succeeded),
    or not fetched (never tried or never succeeded)."""
    if not r.get("enabled", 1):
        return "disabled"
    if int(r.get("consecutive_failures") or 0) > 0:
        return "failing"
    if r.get("last_success_at"):
        return "ok"
    return "not fetched"


_LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}")


def search_filters_of(country: str | None, language: str | None, since: str | None,
                      until: str | None) -> SearchFilters:
    """The filters of a search as a query string gives them (the search page, its feed, the API): a country
    code of ISO 3166-1, a language code of two or three letters, dates as ``parse_date_param`` reads them.
    ValueError, with a message for the reader, on any other value."""
    if country and not geo.is_country_code(country):
        raise ValueError("Unknown country code.")
    if language and not _LANGUAGE_CODE.fullmatch(language):
        raise ValueError("Unknown language code.")
    return SearchFilters(country=country.upper() if country else None, language=language.lower() if language else None,
                         since=parse_date_param(since), until=parse_date_param(until))


def parse_date_param(value: str | None) -> dt.datetime | None:
    """``YYYY-MM-DD`` or an ISO datetime from a query string; ValueError on anything else."""
    if not value:
        return None
    value = value.strip()
    if len(value) > 40:
        raise ValueError("date too long")
    try:
        when: dt.datetime | None
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
