"""Bulk loading: many rows into the tables of the migrations at once, for tools that build large stores
(``globewire bench api`` writes hundreds of thousands of synthetic rows; the per-article methods would take
minutes). Rows are written as given: nothing derived (versions, story counts) is computed here, except the
full-text index, which each backend fills its own way (``bulk_index_search``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from globewire.store.db import Database

    _Base = Database
else:
    _Base = object

# The tables a bulk load may write: the data tables of the migrations (not schema_migrations, not the
# backend's full-text tables, which ``bulk_index_search`` fills).
BULK_TABLES = frozenset({"outlets", "articles", "stories", "story_articles", "story_countries", "story_updates",
                         "seen_items", "translations", "article_links"})
BULK_LOOKUP_CHUNK = 500  # ids per IN (...) lookup: under SQLite's and psycopg's parameter limits
_COLUMN = re.compile(r"[a-z_][a-z0-9_]*\Z")


class BulkRepo(_Base):
    """Mixin over ``globewire.store.db.Database``."""

    def bulk_insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
        """Insert ``rows`` (values in the order of ``columns``, the table's column names) into ``table`` in
        one transaction; rows whose key is already present are skipped. Returns the number of rows given.
        (Tuples, not dicts: a bench loads hundreds of thousands of rows.)"""
        if table not in BULK_TABLES:
            raise ValueError(f"bulk_insert: {table!r} is not one of {sorted(BULK_TABLES)}")
        cols = list(columns)
        bad = [c for c in cols if not _COLUMN.match(c)]
        if bad or not cols:
            raise ValueError(f"bulk_insert: not column names: {bad or cols}")
        for i, r in enumerate(rows):
            if len(r) != len(cols):
                raise ValueError(f"bulk_insert: row {i} has {len(r)} values for {len(cols)} columns")
        if not rows:
            return 0
        sql = (f"INSERT INTO {table}({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})"
               " ON CONFLICT DO NOTHING")
        with self.tx():
            self.executemany(sql, rows)
        return len(rows)

    def bulk_index_search(self, rows: Sequence[tuple[int, str, str, str, str]]) -> None:
        """Full-text rows (article id, title, text, English title, English text) of articles that have none
        yet, in one transaction (a row already indexed is left as it is)."""
        raise NotImplementedError  # the backend's full-text index

    def _indexed_ids(self, ids: Sequence[int]) -> set[int]:
        """Which of ``ids`` have a full-text row (one lookup per chunk: a per-row check doubles a bulk load)."""
        key = "article_id" if self.dialect == "postgresql" else "rowid"
        found: set[int] = set()
        for i in range(0, len(ids), BULK_LOOKUP_CHUNK):
            chunk = [int(x) for x in ids[i:i + BULK_LOOKUP_CHUNK]]
            found.update(int(r["k"]) for r in self.query(
                f"SELECT {key} AS k FROM articles_fts WHERE {key} IN ({','.join('?' * len(chunk))})", chunk))
        return found

    def sample_article_titles(self, n: int) -> list[str]:
        """Up to ``n`` article titles drawn at random."""
        return [str(r["title"] or "") for r in self.query(
            "SELECT title FROM articles ORDER BY random() LIMIT ?", (int(n),))]

    def analyze(self) -> None:
        """Refresh the query planner's statistics (after a bulk load)."""
        self.execute("ANALYZE")
