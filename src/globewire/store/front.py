"""Store methods of the reader's front (home page, story cards, story and article pages): articles per
country in a time window, the member facts a story card is drawn from, and the translation state of a
set of articles.

Portable SQL (``?`` placeholders, no boolean arithmetic).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from globewire.store.db import iso
from globewire.store.stories import _chunks  # ids per IN (...) query, shared by the store's areas
from globewire.store.types import MemberFact

if TYPE_CHECKING:
    from globewire.store.db import Database

    _Base = Database
else:
    _Base = object

class FrontRepo(_Base):
    """Mixin: needs the ``query`` of ``globewire.store.db.Database``."""

    def articles_per_country(self, since: dt.datetime | None = None) -> dict[str, int]:
        """Articles per country published since ``since`` (fetch time when a page gave no date; None: all
        time), copies not counted. Two index range scans (published_at, then fetched_at of undated
        articles): COALESCE(published_at, fetched_at) >= ? would read the whole table."""
        if since is None:
            rows = self.query(
                "SELECT country, COUNT(*) AS n FROM articles WHERE country IS NOT NULL AND duplicate_of IS NULL"
                " GROUP BY country")
        else:
            rows = self.query(
                "SELECT country, COUNT(*) AS n FROM ("
                "  SELECT country FROM articles WHERE published_at >= ? AND duplicate_of IS NULL"
                "  UNION ALL SELECT country FROM articles WHERE fetched_at >= ? AND published_at IS NULL"
                "  AND duplicate_of IS NULL"
                ") AS w WHERE country IS NOT NULL GROUP BY country",
                (iso(since), iso(since)),
            )
        return {str(r["country"]).upper(): int(r["n"]) for r in rows}

    def story_member_facts(self, story_ids: Sequence[int]) -> dict[int, list[MemberFact]]:
        """Per story, what its cards and pages show of each member article: id, title, url, outlet (id, name,
        the page's site name), country, language, published/fetched times, main image, copy-of; oldest
        publication first."""
        ids = list(dict.fromkeys(int(i) for i in story_ids))
        out: dict[int, list[MemberFact]] = {i: [] for i in ids}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for r in self.query(
                "SELECT sa.story_id, a.id, a.title, a.url, a.canonical_url, a.outlet_id, o.name AS outlet_name,"
                " a.site_name, a.country, a.language, a.published_at, a.fetched_at, a.image_url, a.duplicate_of"
                " FROM story_articles sa JOIN articles a ON a.id = sa.article_id"
                " LEFT JOIN outlets o ON o.id = a.outlet_id"
                f" WHERE sa.story_id IN ({marks})"
                " ORDER BY sa.story_id, COALESCE(a.published_at, a.fetched_at), a.id",
                chunk,
            ):
                out[int(r["story_id"])].append(MemberFact.from_row(r))
        return out
