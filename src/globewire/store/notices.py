"""Store methods for non-articles found by repetition: the copies of one text, notice signatures, removal.

A text that arrives from several unrelated URLs is a notice (anti-bot, consent), not news
(``globewire.extract.nonarticle.repeated_notice``). Its stored copies are removed with everything that hangs
off them (story membership, embeddings, translations, versions, full-text rows), each recorded as a failure
with its reason, and its signature is kept in ``notices`` so that later copies are rejected at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from globewire.records import Failure, utcnow
from globewire.store.db import dumps, iso

if TYPE_CHECKING:
    from globewire.store.db import Database

    _Base = Database
else:
    _Base = object

MAX_COPIES = 500  # copies of one text read at once (a notice is rarely stored more often than this)
NOTICE_SIGNATURES = 2000  # newest notice signatures compared with an incoming text


class NoticesRepo(_Base):
    def text_copies(self, content_hash: str, root_id: int | None = None) -> list[dict[str, Any]]:
        """Stored articles carrying one text: the same content hash, or ``root_id`` and its near-duplicates
        (``duplicate_of``). Rows: id, url, canonical_url, title, text, outlet_id, content_hash, duplicate_of, minhash."""
        cols = "id, url, canonical_url, title, text, outlet_id, content_hash, duplicate_of, minhash"
        if root_id is None:
            return self.query(f"SELECT {cols} FROM articles WHERE content_hash = ? ORDER BY id LIMIT ?",
                              (content_hash, MAX_COPIES))
        return self.query(
            f"SELECT {cols} FROM articles WHERE content_hash = ? OR id = ? OR duplicate_of = ? ORDER BY id LIMIT ?",
            (content_hash, int(root_id), int(root_id), MAX_COPIES),
        )

    def repeated_text_roots(self, min_copies: int) -> list[int]:
        """Originals (``duplicate_of`` roots) stored together with at least ``min_copies - 1`` copies."""
        rows = self.query(
            "SELECT COALESCE(duplicate_of, id) AS root FROM articles GROUP BY COALESCE(duplicate_of, id)"
            " HAVING COUNT(*) >= ? ORDER BY 1",
            (int(min_copies),),
        )
        return [int(r["root"]) for r in rows]

    def notice_by_hash(self, content_hash: str) -> dict[str, Any] | None:
        return self.query_one("SELECT content_hash, kind, urls FROM notices WHERE content_hash = ?", (content_hash,))

    def notice_signatures(self) -> list[dict[str, Any]]:
        """(content_hash, minhash, kind) of the newest notices that have a MinHash signature."""
        return self.query(
            "SELECT content_hash, minhash, kind FROM notices WHERE minhash IS NOT NULL ORDER BY last_seen DESC LIMIT ?",
            (NOTICE_SIGNATURES,),
        )

    def record_notice(self, content_hash: str, minhash: bytes | None, kind: str, *, urls: int, sample_url: str) -> None:
        now = iso(utcnow())
        self.execute(
            "INSERT INTO notices(content_hash, minhash, kind, urls, sample_url, first_seen, last_seen)"
            " VALUES (?,?,?,?,?,?,?) ON CONFLICT(content_hash) DO UPDATE SET urls = notices.urls + excluded.urls,"
            " last_seen = excluded.last_seen",
            (content_hash, minhash, kind, int(urls), sample_url, now, now),
        )

    def _article_references(self) -> list[tuple[str, str]]:
        """(table, column) of every foreign key that points at ``articles`` (any area's tables, present or
        future, so that a removal never trips over one)."""
        if getattr(self, "dialect", "sqlite") == "postgresql":
            rows = self.query(
                "SELECT c.conrelid::regclass::text AS t, a.attname AS c FROM pg_constraint c"
                " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)"
                " WHERE c.contype = 'f' AND c.confrelid = 'articles'::regclass"
            )
        else:
            rows = self.query(
                "SELECT m.name AS t, p.\"from\" AS c FROM sqlite_master m, pragma_foreign_key_list(m.name) p"
                " WHERE m.type = 'table' AND p.\"table\" = 'articles'"
            )
        return [(str(r["t"]), str(r["c"])) for r in rows]

    def remove_not_articles(self, article_ids: Sequence[int], *, stage: str, reason: str, detail: str = "") -> list[int]:
        """Remove stored articles found not to be articles: each is recorded as a failure (``stage``,
        ``reason``), taken out of its story (whose counts are refreshed) and deleted with the rows that refer
        to it. Returns the ids of the stories that lost members."""
        ids = sorted({int(i) for i in article_ids})
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with self.tx():
            rows = self.query(f"SELECT id, url, outlet_id FROM articles WHERE id IN ({marks})", ids)
            stories = [int(r["story_id"]) for r in self.query(
                f"SELECT DISTINCT story_id FROM story_articles WHERE article_id IN ({marks})", ids)]
            now = iso(utcnow())
            for r in rows:
                f = Failure(r["url"], stage, reason, detail, outlet_id=r["outlet_id"])
                self.execute(
                    "INSERT INTO failures(url, outlet_id, stage, reason, detail, at) VALUES (?,?,?,?,?,?)",
                    (f.url, f.outlet_id, f.stage, f.reason, f.detail[:2000], now),
                )
            for table, column in self._article_references():
                if table == "articles":
                    self.execute(f"UPDATE articles SET {column} = NULL WHERE {column} IN ({marks})", ids)
                else:
                    self.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", ids)
            # "coverage elsewhere" links carry no foreign key (stored both ways)
            self.execute(f"DELETE FROM article_links WHERE article_id IN ({marks}) OR other_id IN ({marks})", ids + ids)
            if getattr(self, "dialect", "sqlite") == "sqlite":  # the FTS5 table is keyed by rowid, not a foreign key
                self.execute(f"DELETE FROM articles_fts WHERE rowid IN ({marks})", ids)
            self.execute(f"DELETE FROM articles WHERE id IN ({marks})", ids)
            for sid in stories:
                self.execute(
                    "INSERT INTO story_updates(story_id, at, kind, detail) VALUES (?,?,?,?)",
                    (sid, now, "not_articles_removed", dumps({"article_ids": ids, "reason": reason})),
                )
            refresh = getattr(self, "refresh_story_counts", None)
            if refresh is not None:
                refresh(stories)
        return stories
