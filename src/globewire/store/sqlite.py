"""SQLite store: the default. WAL, busy_timeout, foreign keys, one connection per thread."""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from globewire.records import utcnow
from globewire.store.articles import SEARCH_RANK_WINDOW
from globewire.store.base import Store
from globewire.store.db import Params, iso, joined_tx

BUSY_TIMEOUT_MS = 30_000  # writers wait up to 30 s for the lock (crawler + web + CLI on one file)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def fts_query(user_query: str) -> str:
    """Turn free text into a safe FTS5 MATCH expression: every word becomes a quoted term (AND-ed);
    a trailing ``*`` on a word keeps prefix search. Operators, columns and quotes typed by the user
    are never interpreted."""
    terms = []
    for m in re.finditer(r"([\w]+)(\*?)", user_query, re.UNICODE):
        word, star = m.group(1), m.group(2)
        terms.append(f'"{word}"' + ("*" if star else ""))
    return " ".join(terms[:32])


class SQLiteStore(Store):
    dialect = "sqlite"
    error_types = (sqlite3.Error,)

    def __init__(self, path: str | Path, *, migrate: bool = True) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        # Every connection opened, with the thread that owns it: closed when that thread has ended (web
        # servers' worker pools retire idle threads, ~10 s for anyio's) or on close().
        self._all: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._lock = threading.Lock()
        if migrate:
            self.migrate()

    # -- connection ------------------------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        c = getattr(self._local, "conn", None)
        if c is None:
            c = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
            c.row_factory = sqlite3.Row
            c.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA synchronous=NORMAL")
            c.execute("PRAGMA foreign_keys=ON")
            self._local.conn = c
            self._local.depth = 0
            with self._lock:
                self._close_orphans()
                self._all.append((threading.current_thread(), c))
        return c

    def _close_orphans(self) -> None:
        """Close the connections of threads that have ended (a thread-local dies with its thread, but this
        list kept its connection, file handles and page cache open for the life of the process)."""
        alive = []
        for owner, c in self._all:
            if owner.is_alive():
                alive.append((owner, c))
            else:
                with contextlib.suppress(Exception):
                    c.close()
        self._all = alive

    def execute(self, sql: str, params: Params = ()) -> int:
        cur = self.conn.execute(sql, params)
        return cur.rowcount

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        self.conn.executemany(sql, rows)

    def query(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(sql, params).fetchall()]

    @contextlib.contextmanager
    def tx(self) -> Iterator[None]:
        conn = self.conn
        depth = getattr(self._local, "depth", 0)
        if depth:
            with joined_tx(self._local, depth):
                yield
            return
        conn.execute("BEGIN IMMEDIATE")
        self._local.depth = 1
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")
        finally:
            self._local.depth = 0

    def close(self) -> None:
        with self._lock:
            for _owner, c in self._all:
                with contextlib.suppress(Exception):
                    c.close()
            self._all.clear()
        self._local = threading.local()

    # -- migrations ------------------------------------------------------------------------

    def migrate(self) -> list[str]:
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        done = self.applied_migrations()
        applied = []
        for name, sql in self.migration_files():
            if name in done:
                continue
            # executescript commits implicitly; wrap the file and its record in one explicit transaction.
            try:
                self.conn.executescript(
                    "BEGIN IMMEDIATE;\n" + sql + "\n;INSERT INTO schema_migrations(name, applied_at) VALUES ("
                    + _quote(name) + ", " + _quote(iso(utcnow()) or "") + ");\nCOMMIT;"
                )
            except sqlite3.Error:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            applied.append(name)
        return applied

    # -- dialect hooks -----------------------------------------------------------------------

    def integrity_check(self) -> str:
        return str(self.scalar("PRAGMA integrity_check"))

    # ------------------------------------------------------------------ full-text search (FTS5)

    def _fts_english(self, article_id: int) -> tuple[str, str] | None:
        old = self.query_one("SELECT title_en, text_en FROM articles_fts WHERE rowid = ?", (article_id,))
        return None if old is None else (old["title_en"], old["text_en"])

    def _write_fts(self, article_id: int, title: str, text: str, title_en: str, text_en: str) -> None:
        # an FTS5 table has no upsert: the old row (if any) goes first
        self.execute("DELETE FROM articles_fts WHERE rowid = ?", (article_id,))
        self.execute("INSERT INTO articles_fts(rowid, title, text, title_en, text_en) VALUES (?,?,?,?,?)",
                     (article_id, title, text, title_en, text_en))

    def _full_text_search(self, q: str, filters: list[str], filter_params: list[Any], limit: int,
                          offset: int) -> list[dict[str, Any]]:
        """Ranked full-text search over originals and English translations; safe against FTS syntax
        injection. Rows: id, title, url, canonical_url, outlet_id, outlet_name, country, language,
        published_at, fetched_at, title_en, snippet, rank (lower is better).

        Two phases: rank the matches (ids and bm25 only) among the newest ``SEARCH_RANK_WINDOW`` of them,
        then fetch rows and snippets for the page alone (a snippet for every match made common words cost
        ~10 ms per thousand matches)."""
        match = fts_query(q)
        if not match:
            return []
        where = ["articles_fts MATCH ?", *filters]
        params: list[Any] = [match, *filter_params]
        join = " JOIN articles a ON a.id = articles_fts.rowid" if len(where) > 1 else ""
        # FTS5 streams matches in rowid order for free but scores every match it ranks (64 ms for a word in
        # 20k of 100k articles, 3 ms for a 2,000 window): rank the newest window only.
        cut = self.scalar(
            f"SELECT articles_fts.rowid FROM articles_fts{join} WHERE {' AND '.join(where)}"
            " ORDER BY articles_fts.rowid DESC LIMIT 1 OFFSET ?",
            [*params, SEARCH_RANK_WINDOW - 1],
        )
        if cut is not None:
            where.append("articles_fts.rowid >= ?")
            params.append(int(cut))
        ranked = self.query(
            f"SELECT articles_fts.rowid AS id, bm25(articles_fts) AS rank FROM articles_fts{join}"
            f" WHERE {' AND '.join(where)} ORDER BY rank, articles_fts.rowid LIMIT ? OFFSET ?",
            [*params, int(limit), int(offset)],
        )
        if not ranked:
            return []
        ids = [int(r["id"]) for r in ranked]
        ranks = {int(r["id"]): r["rank"] for r in ranked}
        marks = ",".join("?" * len(ids))
        rows = {int(r["id"]): r for r in self.query(
            "SELECT a.id, a.title, a.url, a.canonical_url, a.outlet_id, o.name AS outlet_name, a.country,"
            " a.language, a.published_at, a.fetched_at, f.title_en AS title_en,"
            " snippet(articles_fts, -1, '[', ']', ' … ', 16) AS snippet"
            " FROM articles_fts f JOIN articles a ON a.id = f.rowid LEFT JOIN outlets o ON o.id = a.outlet_id"
            f" WHERE articles_fts MATCH ? AND f.rowid IN ({marks})",
            [match, *ids],
        )}
        out = []
        for i in ids:
            if i in rows:
                r = rows[i]
                r["title_en"] = r["title_en"] or None
                r["rank"] = ranks[i]
                out.append(r)
        return out

    def bulk_index_search(self, rows: Sequence[tuple[int, str, str, str, str]]) -> None:
        """Full-text rows (article id, title, text, English title, English text) of articles that have none
        yet, in one transaction (a row already indexed is left as it is)."""
        have = self._indexed_ids([r[0] for r in rows])
        with self.tx():
            self.executemany("INSERT INTO articles_fts(rowid, title, text, title_en, text_en) VALUES (?,?,?,?,?)",
                             [r for r in rows if r[0] not in have])
