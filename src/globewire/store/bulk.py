"""Bulk loading: many rows into the tables of the migrations at once, for tools that build large stores
(``globewire bench api`` writes hundreds of thousands of synthetic rows; the per-article methods would take
minutes). Rows are written as given: nothing derived (versions, story counts) is computed here, except the
full-text index, which each backend fills its own way (``bulk_index_search``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
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
_COLUMN = re.compile(r"[a-z_][a-z0-9_]*\Z")


class BulkRepo(_Base):
    """Mixin over ``globewire.store.db.Database``."""

    def bulk_insert(self, table: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert ``rows`` (dicts with the same keys, the table's column names) into ``table`` in one
        transaction; rows whose key is already present are skipped. Returns the number of rows given."""
        if table not in BULK_TABLES:
            raise ValueError(f"bulk_insert: {table!r} is not one of {sorted(BULK_TABLES)}")
        if not rows:
            return 0
        cols = list(rows[0])
        bad = [c for c in cols if not _COLUMN.match(c)]
        if bad:
            raise ValueError(f"bulk_insert: not column names: {bad}")
        for i, r in enumerate(rows):
            if list(r) != cols:
                raise ValueError(f"bulk_insert: row {i} has columns {list(r)}, the first row {cols}")
        sql = (f"INSERT INTO {table}({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})"
               " ON CONFLICT DO NOTHING")
        with self.tx():
            self.executemany(sql, [tuple(r[c] for c in cols) for r in rows])
        return len(rows)

    def bulk_index_search(self, rows: Sequence[tuple[int, str, str, str, str]]) -> None:
        """Full-text rows (article id, title, text, English title, English text) of articles that have none
        yet, in one transaction (a row already indexed is left as it is)."""
        with self.tx():
            self.executemany(
                "INSERT INTO articles_fts(rowid, title, text, title_en, text_en) SELECT ?,?,?,?,?"
                " WHERE NOT EXISTS (SELECT 1 FROM articles_fts WHERE rowid = ?)",
                [(aid, title, text, title_en, text_en, aid) for aid, title, text, title_en, text_en in rows])

    def sample_article_titles(self, n: int) -> list[str]:
        """Up to ``n`` article titles drawn at random."""
        return [str(r["title"] or "") for r in self.query(
            "SELECT title FROM articles ORDER BY random() LIMIT ?", (int(n),))]

    def analyze(self) -> None:
        """Refresh the query planner's statistics (after a bulk load)."""
        self.execute("ANALYZE")
