"""Move an install from one store to another (``globewire db copy --from sqlite:///… --to postgresql://…``).

Every table the two schemas share is copied with its ids, in key order and committed batch by batch with
``ON CONFLICT DO NOTHING``, so an interrupted copy resumes where it stopped and a repeated one changes nothing.
Self-references (``articles.duplicate_of``, ``stories.merged_into``) are written in a second pass, so their
order does not matter. Afterwards the identity sequences are moved past the copied ids, the full-text index is
rebuilt in the target's own form (FTS5 or tsvector), and every table is verified by row count and an
order-independent checksum of its rows.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from globewire.log import get_logger
from globewire.store.base import Store

log = get_logger(__name__)

# Rows read and written per transaction. 1,000 rows of articles is ~5-10 MB of text: big enough to amortise
# the round trips, small enough that an interruption loses little work.
COPY_BATCH = 1000
# Copy order: referenced tables before the tables that point at them. Tables not listed follow, by name.
TABLE_ORDER = (
    "outlets", "feed_state", "seen_items", "articles", "article_versions", "fetch_log", "failures",
    "translations", "translation_cache", "stories", "story_articles", "story_countries", "story_updates",
    "embeddings", "feed_health", "feed_health_log",
)
# Columns that point into their own table: copied as NULL first, set in a second pass.
SELF_REFERENCES = {"articles": ("duplicate_of",), "stories": ("merged_into",)}
# Never copied as rows: bookkeeping and the full-text index (rebuilt instead).
SKIP_TABLES = {"schema_migrations", "articles_fts", "sqlite_sequence"}
SKIP_PREFIXES = ("articles_fts_", "sqlite_", "embedding_vectors_")


class CopyError(RuntimeError):
    """The copy cannot be done (schemas differ) or did not verify."""


@dataclass
class TableReport:
    table: str
    source_rows: int = 0
    copied: int = 0  # rows written by this run (0 on a re-run)
    target_rows: int = 0
    checksum_ok: bool = False
    seconds: float = 0.0


@dataclass
class CopyReport:
    tables: list[TableReport] = field(default_factory=list)
    fts_rebuilt: int = 0
    sequences: dict[str, int] = field(default_factory=dict)
    ok: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "fts_rebuilt": self.fts_rebuilt,
            "sequences": self.sequences,
            "tables": [t.__dict__ for t in self.tables],
        }


# --------------------------------------------------------------------------- schema introspection


def list_tables(store: Store) -> list[str]:
    if store.dialect == "sqlite":
        rows = store.query("SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        rows = store.query("SELECT table_name AS name FROM information_schema.tables"
                           " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")
    names = [r["name"] for r in rows]
    return [n for n in names if n not in SKIP_TABLES and not n.startswith(SKIP_PREFIXES)]


def table_columns(store: Store, table: str) -> list[str]:
    if store.dialect == "sqlite":
        return [r["name"] for r in store.query(f'PRAGMA table_info("{table}")')]
    return [r["column_name"] for r in store.query(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = ? ORDER BY ordinal_position", (table,))]


def primary_key(store: Store, table: str) -> list[str]:
    if store.dialect == "sqlite":
        rows = [r for r in store.query(f'PRAGMA table_info("{table}")') if r["pk"]]
        return [r["name"] for r in sorted(rows, key=lambda r: r["pk"])]
    return [r["column_name"] for r in store.query(
        "SELECT kcu.column_name FROM information_schema.table_constraints tc"
        " JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name"
        " AND kcu.table_schema = tc.table_schema AND kcu.table_name = tc.table_name"
        " WHERE tc.table_schema = current_schema() AND tc.table_name = ? AND tc.constraint_type = 'PRIMARY KEY'"
        " ORDER BY kcu.ordinal_position", (table,))]


def ordered_tables(names: list[str]) -> list[str]:
    known = [t for t in TABLE_ORDER if t in names]
    return known + sorted(set(names) - set(known))


# --------------------------------------------------------------------------- rows and checksums


def _norm(v: Any) -> Any:
    if isinstance(v, memoryview):
        return bytes(v)
    if isinstance(v, bool):
        return int(v)
    return v


def row_digest(values: tuple[Any, ...]) -> int:
    data = repr(tuple(_norm(v) for v in values)).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def _keyset(store: Store, table: str, cols: list[str], pk: list[str], batch: int) -> Iterator[list[dict[str, Any]]]:
    """Rows of ``table`` (only ``cols``) in primary-key order, streamed with keyset pagination."""
    select = ", ".join(f'"{c}"' for c in cols)
    order = ", ".join(f'"{c}"' for c in pk)
    last: tuple[Any, ...] | None = None
    while True:
        if last is None:
            rows = store.query(f'SELECT {select} FROM "{table}" ORDER BY {order} LIMIT {int(batch)}')
        else:
            marks = ", ".join("?" * len(pk))
            rows = store.query(
                f'SELECT {select} FROM "{table}" WHERE ({order}) > ({marks}) ORDER BY {order} LIMIT {int(batch)}',
                last)
        if not rows:
            return
        yield rows
        last = tuple(rows[-1][c] for c in pk)


def table_checksum(store: Store, table: str, cols: list[str], pk: list[str], batch: int = 5000) -> tuple[int, int]:
    """(row count, order-independent checksum) over ``cols``."""
    n, acc = 0, 0
    for rows in _keyset(store, table, cols, pk, batch):
        for r in rows:
            acc = (acc + row_digest(tuple(r[c] for c in cols))) % (1 << 64)
        n += len(rows)
    return n, acc


# --------------------------------------------------------------------------- the copy


def copy_store(src: Store, dst: Store, *, batch: int = COPY_BATCH,
               progress: Callable[[str, int], None] | None = None) -> CopyReport:
    """Copy ``src`` into ``dst`` (both migrated); raises CopyError when the result does not verify."""
    progress = progress or (lambda table, n: None)
    missing = src.applied_migrations() - dst.applied_migrations()
    if missing:
        raise CopyError("the target lacks migrations the source has: " + ", ".join(sorted(missing)))
    src_tables, dst_tables = set(list_tables(src)), set(list_tables(dst))
    lost = src_tables - dst_tables
    if lost:
        raise CopyError("the target has no table for: " + ", ".join(sorted(lost)))
    report = CopyReport()
    for table in ordered_tables(sorted(src_tables)):
        report.tables.append(_copy_table(src, dst, table, batch, progress))
    report.fts_rebuilt = rebuild_fts(src, dst, batch=batch)
    reset = getattr(dst, "reset_sequences", None)
    if callable(reset):
        report.sequences = reset()
    report.ok = all(t.checksum_ok and t.source_rows == t.target_rows for t in report.tables)
    fts_dst = _fts_count(dst)
    if fts_dst != dst.count_articles():
        report.ok = False
        log.error("copy_fts_mismatch", fts=fts_dst, articles=dst.count_articles())
    if not report.ok:
        bad = [t.table for t in report.tables if not (t.checksum_ok and t.source_rows == t.target_rows)]
        raise CopyError("copy did not verify for: " + (", ".join(bad) or "full-text index"))
    return report


def _copy_table(src: Store, dst: Store, table: str, batch: int, progress: Callable[[str, int], None]) -> TableReport:
    t0 = time.perf_counter()
    rep = TableReport(table)
    dst_cols = set(table_columns(dst, table))
    cols = [c for c in table_columns(src, table) if c in dst_cols]
    pk = primary_key(src, table) or cols
    selfref = [c for c in SELF_REFERENCES.get(table, ()) if c in cols]
    col_list = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join("?" * len(cols))
    insert = f'INSERT INTO "{table}" ({col_list}) VALUES ({marks}) ON CONFLICT DO NOTHING'
    pending_refs: list[tuple[Any, ...]] = []
    before = int(dst.scalar(f'SELECT COUNT(*) FROM "{table}"') or 0)
    for rows in _keyset(src, table, cols, pk, batch):
        values = [tuple(None if c in selfref else _norm(r[c]) for c in cols) for r in rows]
        with dst.tx():
            dst.executemany(insert, values)
        for r in rows:
            if any(r[c] is not None for c in selfref):
                pending_refs.append(tuple(r[c] for c in selfref) + tuple(r[k] for k in pk))
        progress(table, len(rows))
    if pending_refs:
        sets = ", ".join(f'"{c}" = ?' for c in selfref)
        where = " AND ".join(f'"{k}" = ?' for k in pk)
        with dst.tx():
            dst.executemany(f'UPDATE "{table}" SET {sets} WHERE {where}', pending_refs)
    rep.source_rows, src_sum = table_checksum(src, table, cols, pk)
    rep.target_rows, dst_sum = table_checksum(dst, table, cols, pk)
    rep.checksum_ok = src_sum == dst_sum
    rep.copied = rep.target_rows - before
    rep.seconds = round(time.perf_counter() - t0, 3)
    log.info("copy_table", table=table, rows=rep.source_rows, copied=rep.copied, ok=rep.checksum_ok)
    return rep


# --------------------------------------------------------------------------- full-text index


def _fts_ids(store: Store) -> set[int]:
    key = "rowid" if store.dialect == "sqlite" else "article_id"
    return {int(r["k"]) for r in store.query(f"SELECT {key} AS k FROM articles_fts")}


def _fts_count(store: Store) -> int:
    return int(store.scalar("SELECT COUNT(*) FROM articles_fts") or 0)


def _fts_rows(store: Store, after: int, batch: int) -> list[dict[str, Any]]:
    key = "rowid" if store.dialect == "sqlite" else "article_id"
    return store.query(
        f"SELECT a.id, a.title, a.text, f.title_en, f.text_en FROM articles a"
        f" LEFT JOIN articles_fts f ON f.{key} = a.id WHERE a.id > ? ORDER BY a.id LIMIT {int(batch)}",
        (after,))


def rebuild_fts(src: Store, dst: Store, *, batch: int = COPY_BATCH) -> int:
    """Index in ``dst`` every article it has no full-text row for, with the English text ``src`` indexed."""
    have = _fts_ids(dst)
    done, last = 0, 0
    while True:
        rows = _fts_rows(src, last, batch)
        if not rows:
            break
        with dst.tx():
            for r in rows:
                if r["id"] in have:
                    continue
                dst._index_fts(int(r["id"]), r["title"] or "", r["text"] or "",
                               r["title_en"] or "", r["text_en"] or "")
                done += 1
        last = int(rows[-1]["id"])
    return done
