"""Store methods for outlets, feed state, seen items, articles, versions, fetch log, failures and search."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Unpack
from urllib.parse import urlsplit

from globewire.records import Article, ExtractionRules, Failure, Feed, FetchResult, Outlet, utcnow
from globewire.store.db import dumps, iso, parse_iso
from globewire.store.types import ArticleVersion, CopyRow, SearchFilters, SearchHit

if TYPE_CHECKING:
    from globewire.store.db import Database

    _Base = Database
else:
    _Base = object

UpsertStatus = Literal["new", "updated", "unchanged"]

ARTICLE_COLUMNS = (
    "id, url, canonical_url, guid_key, outlet_id, country, language, language_confidence, title, text, "
    "published_at, authors, image_url, site_name, html_lang, content_hash, duplicate_of, duplicate_similarity, "
    "source, version, fetched_at, updated_at, extra"
)


def row_to_article(row: dict[str, Any]) -> Article:
    return Article(
        id=row["id"],
        url=row["url"],
        canonical_url=row["canonical_url"],
        guid=row.get("guid_key"),
        outlet_id=row["outlet_id"],
        country=row["country"],
        language=row["language"],
        language_confidence=row["language_confidence"] or 0.0,
        title=row["title"],
        text=row["text"],
        published_at=parse_iso(row["published_at"]),
        authors=tuple(json.loads(row["authors"] or "[]")),
        image_url=row["image_url"],
        site_name=row["site_name"],
        html_lang=row["html_lang"],
        content_hash=row["content_hash"],
        duplicate_of=row["duplicate_of"],
        duplicate_similarity=row["duplicate_similarity"],
        source=row["source"],
        fetched_at=parse_iso(row["fetched_at"]) or utcnow(),
        extra=json.loads(row.get("extra") or "{}"),
    )


# Search ranks the newest this-many matches of a query (ids grow with ingestion, so these are the most
# recent): chosen so that ranking stays under ~5 ms at 100k articles (bench api) while a page of results for
# any query with fewer matches is exact.
SEARCH_RANK_WINDOW = 2000


def search_filters(**filters: Unpack[SearchFilters]) -> tuple[list[str], list[Any]]:
    """WHERE terms over ``articles a`` and their parameters for the filters of ``search_articles`` (shared by
    the SQLite and PostgreSQL searches): country, language, article time in [since, until)."""
    where: list[str] = []
    params: list[Any] = []
    country, language = filters.get("country"), filters.get("language")
    since, until = filters.get("since"), filters.get("until")
    for col, val in (("country", country and country.upper()), ("language", language and language.lower())):
        if val:
            where.append(f"a.{col} = ?")
            params.append(val)
    if since:
        where.append("COALESCE(a.published_at, a.fetched_at) >= ?")
        params.append(iso(since))
    if until:
        where.append("COALESCE(a.published_at, a.fetched_at) < ?")
        params.append(iso(until))
    return where, params


_FEED_FIELDS = frozenset(f.name for f in dataclasses.fields(Feed))


def outlet_of_row(r: Mapping[str, Any]) -> Outlet:
    """An Outlet from a row of the ``outlets`` mirror, as ``sync_outlets`` wrote it (feeds, extraction rules and
    origin in ``data``)."""
    data = json.loads(r["data"] or "{}") if isinstance(r["data"], str) else (r["data"] or {})
    rules = data.get("rules")
    return Outlet(
        id=str(r["id"]), name=str(r["name"]), homepage=str(r["homepage"]), country=str(r["country"]),
        languages=tuple(json.loads(r["languages"]) if isinstance(r["languages"], str) else r["languages"]),
        feeds=tuple(Feed(**{k: v for k, v in f.items() if k in _FEED_FIELDS})
                    for f in data.get("feeds") or () if isinstance(f, dict) and f.get("url")),
        ownership=r.get("ownership") or "unknown", ownership_source=r.get("ownership_source") or "",
        rules=ExtractionRules(**{**rules, "drop": tuple(rules.get("drop") or ())}) if rules else None,
        enabled=bool(r.get("enabled", 1)), origin=data.get("origin") or "",
    )


class ArticlesRepo(_Base):
    # ------------------------------------------------------------------ outlets

    def sync_outlets(self, outlets: Iterable[Outlet]) -> int:
        now = iso(utcnow())
        rows = []
        for o in outlets:
            data = {
                "feeds": [dataclasses.asdict(f) for f in o.feeds],
                "rules": dataclasses.asdict(o.rules) if o.rules else None,
                "origin": o.origin,
            }
            rows.append(
                (o.id, o.name, o.homepage, o.country, dumps(list(o.languages)), o.ownership, o.ownership_source,
                 1 if o.enabled else 0, dumps(data), now)
            )
        with self.tx():
            self.executemany(
                "INSERT INTO outlets(id, name, homepage, country, languages, ownership, ownership_source, enabled, data,"
                " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET name=excluded.name,"
                " homepage=excluded.homepage, country=excluded.country, languages=excluded.languages,"
                " ownership=excluded.ownership, ownership_source=excluded.ownership_source, enabled=excluded.enabled,"
                " data=excluded.data, updated_at=excluded.updated_at",
                rows,
            )
        return len(rows)

    def list_outlets(self, country: str | None = None) -> list[Outlet]:
        """The catalogue's mirror (``sync_outlets``) as Outlet records, by country and name."""
        sql = "SELECT * FROM outlets"
        params: list[Any] = []
        if country:
            sql += " WHERE country = ?"
            params.append(country.upper())
        return [outlet_of_row(r) for r in self.query(sql + " ORDER BY country, name", params)]

    def get_outlet(self, outlet_id: str) -> Outlet | None:
        r = self.query_one("SELECT * FROM outlets WHERE id = ?", (outlet_id,))
        return None if r is None else outlet_of_row(r)

    # ------------------------------------------------------------------ feed state / seen items

    def feed_state(self, url: str) -> dict[str, Any] | None:
        return self.query_one("SELECT * FROM feed_state WHERE url = ?", (url,))

    def update_feed_state(
        self,
        url: str,
        outlet_id: str,
        *,
        kind: str = "rss",
        status: int | None,
        error: str | None,
        etag: str | None = None,
        last_modified: str | None = None,
        item_count: int | None = None,
        newest_item_at: dt.datetime | None = None,
    ) -> None:
        now = iso(utcnow())
        ok = error is None
        self.execute(
            "INSERT INTO feed_state(url, outlet_id, kind, etag, last_modified, last_fetch_at, last_success_at,"
            " last_status, last_error, consecutive_failures, item_count, newest_item_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(url) DO UPDATE SET"
            " outlet_id=excluded.outlet_id, kind=excluded.kind,"
            " etag=COALESCE(excluded.etag, feed_state.etag),"
            " last_modified=COALESCE(excluded.last_modified, feed_state.last_modified),"
            " last_fetch_at=excluded.last_fetch_at,"
            " last_success_at=COALESCE(excluded.last_success_at, feed_state.last_success_at),"
            " last_status=excluded.last_status, last_error=excluded.last_error,"
            " consecutive_failures=CASE WHEN excluded.last_error IS NULL THEN 0"
            "   ELSE feed_state.consecutive_failures + 1 END,"
            " item_count=COALESCE(excluded.item_count, feed_state.item_count),"
            " newest_item_at=COALESCE(excluded.newest_item_at, feed_state.newest_item_at)",
            (url, outlet_id, kind, etag, last_modified, now, now if ok else None, status, error, 0 if ok else 1,
             item_count, iso(newest_item_at)),
        )

    def unseen_keys(self, keys: Iterable[str]) -> set[str]:
        keys = list(dict.fromkeys(keys))
        seen: set[str] = set()
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            seen.update(r["key"] for r in self.query(
                f"SELECT key FROM seen_items WHERE key IN ({marks}) AND status != 'new'", chunk))
        return set(keys) - seen

    def mark_seen(self, key: str, url: str, outlet_id: str | None, status: str) -> None:
        self.execute(
            "INSERT INTO seen_items(key, outlet_id, url, first_seen, status) VALUES (?,?,?,?,?)"
            " ON CONFLICT(key) DO UPDATE SET status=excluded.status",
            (key, outlet_id, url, iso(utcnow()), status),
        )

    def claim_seen_item(self, key: str, url: str, outlet_id: str | None) -> bool:
        """Atomically move a feed item from unseen or 'new' to 'queued'; True for exactly one caller."""
        row = self.query_one(
            "INSERT INTO seen_items(key, outlet_id, url, first_seen, status) VALUES (?,?,?,?,'queued')"
            " ON CONFLICT(key) DO UPDATE SET status = 'queued' WHERE seen_items.status = 'new' RETURNING key",
            (key, outlet_id, url, iso(utcnow())),
        )
        return row is not None

    def outlet_counts_by_country(self) -> dict[str, int]:
        """Enabled outlets per country."""
        return {str(r["country"]): int(r["n"]) for r in self.query(
            "SELECT country, COUNT(*) AS n FROM outlets WHERE enabled = 1 GROUP BY country")}

    # ------------------------------------------------------------------ articles

    def upsert_article(self, a: Article) -> tuple[int, UpsertStatus]:
        """Insert or update by canonical URL (or GUID). A changed text makes a new version; the old one is
        kept in ``article_versions``. Idempotent: the same article twice is 'unchanged'."""
        now = iso(utcnow())
        with self.tx():
            row = self.query_one(
                "SELECT id, content_hash, version, title, text FROM articles WHERE canonical_url = ?",
                (a.canonical_url,),
            )
            if row is None and a.guid:
                row = self.query_one(
                    "SELECT id, content_hash, version, title, text FROM articles WHERE guid_key = ?", (a.guid,)
                )
            if row is not None:
                if row["content_hash"] == a.content_hash:
                    return row["id"], "unchanged"
                version = row["version"] + 1
                self.execute(
                    "INSERT INTO article_versions(article_id, version, title, text, content_hash, seen_at)"
                    " VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                    (row["id"], row["version"], row["title"], row["text"], row["content_hash"], now),
                )
                self.execute(
                    "UPDATE articles SET url=?, title=?, text=?, published_at=COALESCE(?, published_at),"
                    " authors=?, image_url=COALESCE(?, image_url), language=?, language_confidence=?,"
                    " content_hash=?, minhash=?, version=?, updated_at=?, extra=? WHERE id=?",
                    (a.url, a.title, a.text, iso(a.published_at), dumps(list(a.authors)), a.image_url, a.language,
                     a.language_confidence, a.content_hash, a.minhash, version, now, dumps(a.extra), row["id"]),
                )
                self._index_fts(row["id"], a.title, a.text)
                return row["id"], "updated"
            new_id = self.scalar(
                "INSERT INTO articles(url, canonical_url, guid_key, outlet_id, country, language, language_confidence,"
                " title, text, published_at, authors, image_url, site_name, html_lang, content_hash, duplicate_of,"
                " duplicate_similarity, minhash, source, version, fetched_at, updated_at, extra)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?,?) RETURNING id",
                (a.url, a.canonical_url, a.guid, a.outlet_id, a.country, a.language, a.language_confidence, a.title,
                 a.text, iso(a.published_at), dumps(list(a.authors)), a.image_url, a.site_name, a.html_lang,
                 a.content_hash, a.duplicate_of, a.duplicate_similarity, a.minhash, a.source, iso(a.fetched_at), now,
                 dumps(a.extra)),
            )
            self._index_fts(int(new_id), a.title, a.text)
            return int(new_id), "new"

    def _index_fts(self, article_id: int, title: str, text: str,
                   title_en: str | None = None, text_en: str | None = None) -> None:
        """Keep the full-text row of an article in step: the originals, and the English when given (else the
        English already indexed stays)."""
        if title_en is None or text_en is None:
            old = self._fts_english(article_id)
            if old is not None:
                title_en = old[0] if title_en is None else title_en
                text_en = old[1] if text_en is None else text_en
        self._write_fts(article_id, title, text, title_en or "", text_en or "")

    def _fts_english(self, article_id: int) -> tuple[str, str] | None:
        """(title_en, text_en) of an article's full-text row, None when it has none (the backend's index)."""
        raise NotImplementedError

    def _write_fts(self, article_id: int, title: str, text: str, title_en: str, text_en: str) -> None:
        """Insert or replace an article's full-text row (``sqlite.py``: FTS5, ``postgres.py``: tsvector)."""
        raise NotImplementedError

    def index_english(self, article_id: int, title_en: str, text_en: str) -> None:
        """Add an article's English translation to its full-text row."""
        row = self.query_one("SELECT title, text FROM articles WHERE id = ?", (article_id,))
        if row:
            self._index_fts(article_id, row["title"], row["text"], title_en, text_en)

    def set_duplicate(self, article_id: int, original_id: int | None, similarity: float | None) -> None:
        self.execute(
            "UPDATE articles SET duplicate_of = ?, duplicate_similarity = ? WHERE id = ?",
            (original_id, similarity, article_id),
        )

    def article_id_by_hash(self, content_hash: str) -> int | None:
        v = self.scalar("SELECT id FROM articles WHERE content_hash = ? ORDER BY id LIMIT 1", (content_hash,))
        return None if v is None else int(v)

    def article_id_by_url(self, canonical_url: str) -> int | None:
        v = self.scalar("SELECT id FROM articles WHERE canonical_url = ?", (canonical_url,))
        return None if v is None else int(v)

    def recent_minhashes(self, since: dt.datetime) -> Iterator[tuple[int, bytes]]:
        for r in self.query(
            "SELECT id, minhash FROM articles WHERE minhash IS NOT NULL AND fetched_at >= ? ORDER BY id",
            (iso(since),),
        ):
            yield r["id"], r["minhash"]

    def get_article(self, article_id: int) -> Article | None:
        row = self.query_one(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,))
        return row_to_article(row) if row else None

    def get_articles(self, ids: Iterable[int]) -> list[Article]:
        ids = list(ids)
        out: list[Article] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            out += [row_to_article(r) for r in self.query(
                f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id IN ({marks})", chunk)]
        order = {i: n for n, i in enumerate(ids)}
        out.sort(key=lambda a: order.get(a.id or 0, 0))
        return out

    def article_versions(self, article_id: int) -> list[ArticleVersion]:
        return [ArticleVersion.from_row(r) for r in self.query(
            "SELECT version, title, content_hash, seen_at FROM article_versions WHERE article_id = ? ORDER BY version",
            (article_id,),
        )]

    def duplicates_of(self, article_id: int) -> list[CopyRow]:
        return [CopyRow.from_row(r) for r in self.query(
            "SELECT id, url, outlet_id, duplicate_similarity FROM articles WHERE duplicate_of = ? ORDER BY id",
            (article_id,),
        )]

    def iter_articles(self, *, since_id: int = 0, batch: int = 500, **filters: Any) -> Iterator[Article]:
        """All articles in id order (streamed in batches), optionally filtered by country/language/outlet_id."""
        where, params = ["id > ?"], [since_id]
        for col in ("country", "language", "outlet_id"):
            if filters.get(col):
                where.append(f"{col} = ?")
                params.append(filters[col])
        last = since_id
        while True:
            params[0] = last
            rows = self.query(
                f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE {' AND '.join(where)} ORDER BY id LIMIT {int(batch)}",
                params,
            )
            if not rows:
                return
            for r in rows:
                yield row_to_article(r)
            last = rows[-1]["id"]

    def max_article_id(self) -> int:
        """The highest article id stored (0 for an empty store)."""
        return int(self.scalar("SELECT COALESCE(MAX(id), 0) FROM articles") or 0)

    def minhashes_after(self, after_id: int) -> list[tuple[int, bytes]]:
        """(id, MinHash signature bytes) of the articles with an id above ``after_id`` that have one, by id."""
        return [(int(r["id"]), bytes(r["minhash"])) for r in self.query(
            "SELECT id, minhash FROM articles WHERE id > ? AND minhash IS NOT NULL ORDER BY id", (int(after_id),))]

    def duplicate_of(self, article_id: int) -> int | None:
        """The article ``article_id`` was marked a duplicate of (None when it is not one or does not exist)."""
        value = self.scalar("SELECT duplicate_of FROM articles WHERE id = ?", (int(article_id),))
        return None if value is None else int(value)

    def recent_outlet_texts(self, outlet_id: str, *, up_to_id: int, limit: int) -> list[str]:
        """Texts of the newest ``limit`` originals (not duplicates) of an outlet with an id up to ``up_to_id``,
        newest first."""
        return [str(r.get("text") or "") for r in self.query(
            "SELECT text FROM articles WHERE outlet_id = ? AND duplicate_of IS NULL AND id <= ?"
            " ORDER BY id DESC LIMIT ?", (outlet_id, int(up_to_id), int(limit)))]

    def recent_site_texts(self, domain: str, *, up_to_id: int, limit: int) -> list[str]:
        """``recent_outlet_texts`` for articles without a catalogue outlet, by site: those whose address is on
        ``domain`` or a subdomain of it (ASCII host), newest first."""
        esc = domain.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return [str(r.get("text") or "") for r in self.query(
            "SELECT text FROM articles WHERE outlet_id IS NULL AND duplicate_of IS NULL AND id <= ?"
            " AND (COALESCE(canonical_url, url) LIKE ? ESCAPE '\\' OR COALESCE(canonical_url, url) LIKE ? ESCAPE '\\')"
            " ORDER BY id DESC LIMIT ?",
            (int(up_to_id), f"%://{esc}/%", f"%.{esc}/%", int(limit)))]

    def count_articles(self) -> int:
        return int(self.scalar("SELECT COUNT(*) FROM articles") or 0)

    # ------------------------------------------------------------------ fetch log / failures

    def record_fetch(self, r: FetchResult, *, outlet_id: str | None = None, kind: str | None = None) -> None:
        host = urlsplit(r.url).hostname or ""
        kind = kind or r.kind
        self.execute(
            "INSERT INTO fetch_log(url, host, outlet_id, kind, status, bytes, elapsed_ms, error, at)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (r.url, host, outlet_id, kind, r.status, len(r.body), r.elapsed_ms, r.error, iso(r.fetched_at)),
        )

    def record_failure(self, f: Failure) -> None:
        self.execute(
            "INSERT INTO failures(url, outlet_id, stage, reason, detail, at) VALUES (?,?,?,?,?,?)",
            (f.url, f.outlet_id, f.stage, f.reason, f.detail[:2000], iso(f.at)),
        )

    def failures(self, limit: int = 100) -> list[dict[str, Any]]:
        return self.query("SELECT * FROM failures ORDER BY id DESC LIMIT ?", (limit,))

    # ------------------------------------------------------------------ display facts

    def article_display_facts(self, ids: Sequence[int], *, lead_chars: int = 1500) -> dict[int, dict[str, Any]]:
        """What naming an article's source and deriving a title for it need, per id: url, canonical_url,
        site_name, language, title and the first ``lead_chars`` characters of the text (``lead``)."""
        from globewire.store.stories import _chunks

        out: dict[int, dict[str, Any]] = {}
        for chunk in _chunks([int(i) for i in ids]):
            marks = ",".join("?" * len(chunk))
            for r in self.query(
                "SELECT id, url, canonical_url, site_name, language, title,"
                f" SUBSTR(text, 1, {int(lead_chars)}) AS lead FROM articles WHERE id IN ({marks})",
                chunk,
            ):
                out[int(r["id"])] = r
        return out

    # ------------------------------------------------------------------ search / stats

    def search_articles(self, q: str, *, limit: int = 20, offset: int = 0,
                        **filters: Unpack[SearchFilters]) -> list[SearchHit]:
        """Ranked full-text search over originals and English translations; safe against FTS syntax
        injection. The backend ranks with its own index (``_full_text_search``: sqlite.py FTS5, postgres.py
        tsvector)."""
        where, params = search_filters(**filters)
        return [SearchHit.from_row(r) for r in self._full_text_search(q, where, params, int(limit), int(offset))]

    def _full_text_search(self, q: str, filters: list[str], params: list[Any], limit: int,
                          offset: int) -> list[dict[str, Any]]:
        """Matches of ``q`` that also meet ``filters`` (SQL over ``articles a``, from ``search_filters``), as
        ``search_articles`` describes them."""
        raise NotImplementedError

    def stats(self) -> dict[str, Any]:
        def grouped(sql: str) -> dict[str, int]:
            return {str(r["k"]): int(r["n"]) for r in self.query(sql)}

        return {
            "articles": self.count_articles(),
            "duplicates": int(self.scalar("SELECT COUNT(*) FROM articles WHERE duplicate_of IS NOT NULL") or 0),
            "by_country": grouped("SELECT COALESCE(country,'?') k, COUNT(*) n FROM articles GROUP BY 1 ORDER BY 2 DESC"),
            "by_language": grouped(
                "SELECT COALESCE(language,'?') k, COUNT(*) n FROM articles GROUP BY 1 ORDER BY 2 DESC"),
            "by_outlet": grouped("SELECT COALESCE(outlet_id,'?') k, COUNT(*) n FROM articles GROUP BY 1 ORDER BY 2 DESC"),
            "failures_by_reason": grouped(
                "SELECT stage || ':' || reason k, COUNT(*) n FROM failures GROUP BY 1 ORDER BY 2 DESC"),
            "fetches": grouped("SELECT COALESCE(error, 'ok') k, COUNT(*) n FROM fetch_log GROUP BY 1 ORDER BY 2 DESC"),
        }
