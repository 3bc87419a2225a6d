"""PostgreSQL store: the same mixins as SQLite over psycopg 3 and a connection pool.

URL: ``postgresql://user@host:port/db`` (``postgres://`` and ``postgresql+psycopg://`` accepted). An extra
query parameter ``schema=NAME`` puts every table in that schema (created on migrate); tests use it to get a
fresh, droppable namespace per test.

The mixins' portable SQL is translated once per statement text: ``?`` placeholders outside quotes and
comments become ``%s``, a literal ``%`` becomes ``%%``, and SQLite's ``a IS NOT b`` / ``a IS b`` between
values become ``IS DISTINCT FROM`` / ``IS NOT DISTINCT FROM``. Full-text search uses a ``tsvector`` column
with a GIN index (``simple`` configuration, diacritics folded in Python the way SQLite's unicode61 tokenizer
with ``remove_diacritics 2`` does). Article vectors are the ``embeddings`` table's float32 blobs, as on SQLite
(the clustering stage keeps its own in-process index).
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


from globewire.log import get_logger
from globewire.records import utcnow
from globewire.store.base import Store
from globewire.store.db import Params, iso, joined_tx

log = get_logger(__name__)

# Pool bounds per process. A Celery worker process runs one task at a time (prefetch 1), the web app a
# few threads: 1..8 keeps 4 workers x 2 processes + web well under PostgreSQL's default 100 connections.
POOL_MIN = 1
POOL_MAX = 8
# Seconds a caller waits for a free pooled connection before failing with a clear error.
POOL_TIMEOUT_S = 30.0
# Seconds to wait for the first connection before reporting the server unreachable.
CONNECT_TIMEOUT_S = 10
# Words of a user query turned into search terms (same cap as the SQLite FTS query builder).
MAX_QUERY_TERMS = 32
# Snippet size in words (SQLite: snippet(..., 16 tokens)).
SNIPPET_WORDS = 16
# Advisory-lock key namespace for migrations (any constant; shared by every process migrating one database).
MIGRATE_LOCK_KEY = 0x67_6C_6F_62  # "glob"

_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


class PostgresStoreError(RuntimeError):
    """Bad PostgreSQL URL or an unusable server (typed, with the reason in the message)."""


# --------------------------------------------------------------------------- SQL translation

_IS_VALUE = re.compile(
    r"\bIS\s+(NOT\s+)?(?!NULL\b|TRUE\b|FALSE\b|UNKNOWN\b|DISTINCT\b|NOT\b|OF\b|JSON\b|DOCUMENT\b)(?=[A-Za-z_(:%])",
    re.IGNORECASE,
)


def _segments(sql: str) -> Iterator[tuple[bool, str]]:
    """Split SQL into (is_code, text): code, or a quoted string / identifier / comment / dollar-quote."""
    i, n, start = 0, len(sql), 0
    while i < n:
        c = sql[i]
        end = -1
        if c in ("'", '"'):
            j = i + 1
            while j < n:
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:  # doubled quote = escaped
                        j += 2
                        continue
                    break
                j += 1
            end = min(j + 1, n)
        elif c == "-" and sql.startswith("--", i):
            j = sql.find("\n", i)
            end = n if j < 0 else j
        elif c == "/" and sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            end = n if j < 0 else j + 2
        elif c == "$":
            m = re.match(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$", sql[i:])
            if m and not (i > 0 and (sql[i - 1].isalnum() or sql[i - 1] == "_")):
                tag = m.group(0)
                j = sql.find(tag, i + len(tag))
                end = n if j < 0 else j + len(tag)
        if end >= 0:
            if start < i:
                yield True, sql[start:i]
            yield False, sql[i:end]
            start = i = end
            continue
        i += 1
    if start < n:
        yield True, sql[start:]


@functools.lru_cache(maxsize=2048)
def translate_sql(sql: str) -> str:
    """Portable (SQLite-flavoured) SQL → psycopg SQL. Pure; cached per statement text."""
    out: list[str] = []
    for code, text in _segments(sql):
        text = text.replace("%", "%%")
        if code:
            text = text.replace("?", "%s")
            text = _IS_VALUE.sub(lambda m: "IS DISTINCT FROM " if m.group(1) else "IS NOT DISTINCT FROM ", text)
        out.append(text)
    return "".join(out)


# --------------------------------------------------------------------------- text folding for FTS


def fold(text: str) -> str:
    """Lower case without diacritics (é→e, ö→o), like SQLite's unicode61 ``remove_diacritics 2``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def ts_query(user_query: str) -> str:
    """A to_tsquery() expression from free text: every word a quoted lexeme, AND-ed; ``word*`` keeps prefix
    search. Only ``\\w`` characters reach the expression, so no operator typed by the user is interpreted."""
    terms = []
    for m in re.finditer(r"(\w+)(\*?)", fold(user_query), re.UNICODE):
        terms.append(f"'{m.group(1)}'" + (":*" if m.group(2) else ""))
    return " & ".join(terms[:MAX_QUERY_TERMS])


# --------------------------------------------------------------------------- URL handling


def parse_url(url: str) -> tuple[str, str | None]:
    """(libpq conninfo URL, schema or None). Raises PostgresStoreError on a bad URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    if scheme not in ("postgres", "postgresql"):
        raise PostgresStoreError(f"not a PostgreSQL URL: {url!r}")
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = None
    rest = []
    for k, v in query:
        if k == "schema":
            schema = v
        else:
            rest.append((k, v))
    if schema is not None and not _SCHEMA_NAME.match(schema):
        raise PostgresStoreError(f"bad schema name {schema!r}: letters, digits and _ only")
    clean = urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(rest), ""))
    return clean, schema


# --------------------------------------------------------------------------- the store


class PostgresStore(Store):
    dialect = "postgresql"

    def __init__(self, url: str, *, migrate: bool = True, min_size: int = POOL_MIN, max_size: int = POOL_MAX) -> None:
        import psycopg
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        self.url = url
        conninfo, self.schema = parse_url(url)
        self._psycopg = psycopg
        self.error_types = (psycopg.Error, PostgresStoreError)
        schema = self.schema

        def configure(conn: psycopg.Connection[Any]) -> None:
            if schema:
                conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                conn.execute(f'SET search_path TO "{schema}", public')

        self._local = threading.local()
        try:  # fail fast on a wrong address (the pool alone would keep retrying until its timeout)
            psycopg.connect(conninfo, connect_timeout=CONNECT_TIMEOUT_S).close()
        except psycopg.Error as e:
            raise PostgresStoreError(f"cannot connect to PostgreSQL at {_redact(conninfo)}: {e}") from e
        try:
            self.pool: ConnectionPool[Any] = ConnectionPool(
                conninfo, min_size=min_size, max_size=max_size, timeout=POOL_TIMEOUT_S, open=False,
                kwargs={"autocommit": True, "row_factory": dict_row}, configure=configure,
                name="globewire",
            )
            self.pool.open(wait=True, timeout=POOL_TIMEOUT_S)
        except Exception as e:
            raise PostgresStoreError(f"cannot connect to PostgreSQL at {_redact(conninfo)}: {e}") from e
        if migrate:
            self.migrate()

    # -- connections -----------------------------------------------------------------------

    @contextlib.contextmanager
    def _conn(self) -> Iterator[Any]:
        c = getattr(self._local, "conn", None)
        if c is not None:
            yield c
            return
        with self.pool.connection() as c:
            yield c

    def execute(self, sql: str, params: Params = ()) -> int:
        with self._conn() as c, c.cursor() as cur:
            cur.execute(translate_sql(sql), _params(params))
            return int(cur.rowcount)

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        rows = [_params(r) for r in rows]
        if not rows:
            return
        with self._conn() as c, c.cursor() as cur:
            cur.executemany(translate_sql(sql), rows)

    def query(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        with self._conn() as c, c.cursor() as cur:
            cur.execute(translate_sql(sql), _params(params))
            return list(cur.fetchall()) if cur.description else []

    @contextlib.contextmanager
    def tx(self) -> Iterator[None]:
        depth = getattr(self._local, "depth", 0)
        if depth:
            with joined_tx(self._local, depth):
                yield
            return
        with self.pool.connection() as c:
            self._local.conn = c
            self._local.depth = 1
            try:
                with c.transaction():
                    yield
            finally:
                self._local.conn = None
                self._local.depth = 0

    @contextlib.contextmanager
    def connection(self) -> Iterator[Any]:
        """A raw psycopg connection (the one of the current transaction, if any): for COPY and locks."""
        with self._conn() as c:
            yield c

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.pool.close()

    # -- migrations ------------------------------------------------------------------------

    def migrate(self) -> list[str]:
        applied: list[str] = []
        with self.tx(), self.connection() as c:
            # One migrator at a time: workers starting together must not apply a file twice.
            c.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK_KEY,))
            c.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            done = self.applied_migrations()
            for name, sql in self.migration_files():
                if name in done:
                    continue
                c.execute(sql)  # no parameters: several statements in one call are allowed
                c.execute("INSERT INTO schema_migrations(name, applied_at) VALUES (%s, %s)", (name, iso(utcnow())))
                applied.append(name)
        if applied:
            log.info("pg_migrated", applied=applied, schema=self.schema)
        return applied

    # -- full-text search (tsvector; sqlite.py holds the FTS5 twin) --------------------------

    def _fts_english(self, article_id: int) -> tuple[str, str] | None:
        old = self.query_one("SELECT title_en, text_en FROM articles_fts WHERE article_id = ?", (article_id,))
        return None if old is None else (old["title_en"], old["text_en"])

    def _write_fts(self, article_id: int, title: str, text: str, title_en: str, text_en: str) -> None:
        self.execute(
            "INSERT INTO articles_fts(article_id, title, text, title_en, text_en, tsv) VALUES (?,?,?,?,?,"
            " setweight(to_tsvector('simple', ?), 'A') || setweight(to_tsvector('simple', ?), 'A')"
            " || setweight(to_tsvector('simple', ?), 'B') || setweight(to_tsvector('simple', ?), 'B'))"
            " ON CONFLICT(article_id) DO UPDATE SET title=excluded.title, text=excluded.text,"
            " title_en=excluded.title_en, text_en=excluded.text_en, tsv=excluded.tsv",
            (article_id, title, text, title_en, text_en, fold(title), fold(title_en), fold(text), fold(text_en)),
        )

    def bulk_insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
        n = super().bulk_insert(table, columns, rows)
        if n:
            self.reset_sequences()  # rows may carry their ids: the next generated id must come after them
        return n

    def bulk_index_search(self, rows: Sequence[tuple[int, str, str, str, str]]) -> None:
        # ON CONFLICT DO NOTHING leaves an indexed row as it is; no lookup needed here.
        with self.tx():
            self.executemany(
                "INSERT INTO articles_fts(article_id, title, text, title_en, text_en, tsv) VALUES (?,?,?,?,?,"
                " setweight(to_tsvector('simple', ?), 'A') || setweight(to_tsvector('simple', ?), 'A')"
                " || setweight(to_tsvector('simple', ?), 'B') || setweight(to_tsvector('simple', ?), 'B'))"
                " ON CONFLICT(article_id) DO NOTHING",
                [(aid, title, text, title_en, text_en, fold(title), fold(title_en), fold(text), fold(text_en))
                 for aid, title, text, title_en, text_en in rows])

    def _full_text_search(self, q: str, filters: list[str], filter_params: list[Any], limit: int,
                          offset: int) -> list[dict[str, Any]]:
        """``search_articles`` over the tsvector index; ``rank`` is lower-is-better (negated ts_rank)."""
        expr = ts_query(q)
        if not expr:
            return []
        where = ["f.tsv @@ q.tq", *filters]
        params: list[Any] = [expr, *filter_params]
        params += [int(limit), int(offset)]
        options = f"StartSel=[, StopSel=], MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}"
        return self.query(
            "WITH q AS (SELECT to_tsquery('simple', ?) AS tq),"
            " hits AS (SELECT a.id, a.title, a.url, a.canonical_url, a.outlet_id, a.country, a.language,"
            " a.published_at, a.fetched_at, f.title_en, f.text, f.text_en, -ts_rank(f.tsv, q.tq) AS rank, q.tq"
            " FROM articles_fts f JOIN articles a ON a.id = f.article_id, q"
            f" WHERE {' AND '.join(where)} ORDER BY rank, a.id LIMIT ? OFFSET ?)"
            " SELECT hits.id, hits.title, hits.url, hits.canonical_url, hits.outlet_id, o.name AS outlet_name,"
            " hits.country, hits.language, hits.published_at, hits.fetched_at, NULLIF(hits.title_en, '') AS title_en,"
            " ts_headline('simple', CASE WHEN hits.text <> '' THEN hits.text ELSE hits.text_en END, hits.tq,"
            f" '{options}') AS snippet, hits.rank FROM hits LEFT JOIN outlets o ON o.id = hits.outlet_id ORDER BY hits.rank, hits.id",
            params,
        )

    # -- integrity ---------------------------------------------------------------------------

    def integrity_check(self) -> str:
        problems: list[str] = []
        missing = {n for n, _ in self.migration_files()} - self.applied_migrations()
        if missing:
            problems.append("migrations not applied: " + ", ".join(sorted(missing)))
        n_art = self.count_articles()
        n_fts = int(self.scalar("SELECT COUNT(*) FROM articles_fts") or 0)
        if n_art != n_fts:
            problems.append(f"full-text index has {n_fts} rows for {n_art} articles")
        orphans = self.scalar(
            "SELECT COUNT(*) FROM articles_fts f LEFT JOIN articles a ON a.id = f.article_id WHERE a.id IS NULL")
        if orphans:
            problems.append(f"{orphans} full-text rows without an article")
        for table in ("articles", "stories", "fetch_log", "failures", "story_updates", "feed_health_log"):
            if not self._table_exists(table):
                continue
            top = self.scalar(f"SELECT MAX(id) FROM {table}")
            seq = self.scalar("SELECT pg_get_serial_sequence(?, 'id')", (table,))
            if top is not None and seq:
                last = self.scalar(f"SELECT last_value FROM {seq}")
                if last is not None and int(last) < int(top):
                    problems.append(f"sequence of {table} ({last}) is behind MAX(id) ({top})")
        return "ok" if not problems else "; ".join(problems)

    def _table_exists(self, table: str) -> bool:
        return self.scalar("SELECT to_regclass(?) IS NOT NULL", (table,)) is True

    def reset_sequences(self) -> dict[str, int]:
        """Set every identity sequence past its table's MAX(id) (after rows were copied with their ids)."""
        out: dict[str, int] = {}
        rows = self.query(
            "SELECT c.table_name FROM information_schema.columns c WHERE c.table_schema = current_schema()"
            " AND c.column_name = 'id' AND c.is_identity = 'YES'"
        )
        for r in rows:
            table = r["table_name"]
            seq = self.scalar("SELECT pg_get_serial_sequence(?, 'id')", (table,))
            if not seq:
                continue
            top = int(self.scalar(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"') or 0)
            # setval(seq, n, false): the next id is n; never below 1.
            self.scalar("SELECT setval(?::regclass, ?, false)", (seq, top + 1))
            out[table] = top + 1
        return out


def _params(params: Params | None) -> Any:
    if params is None:
        return ()
    if isinstance(params, dict):
        raise PostgresStoreError("named parameters are not supported: use ? placeholders")
    return tuple(params)


def _redact(conninfo: str) -> str:
    parts = urlsplit(conninfo)
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        netloc = user.split(":")[0] + ":***@" + host if ":" in user else netloc
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


__all__ = [
    "PostgresStore",
    "PostgresStoreError",
    "fold",
    "parse_url",
    "translate_sql",
    "ts_query",
]
