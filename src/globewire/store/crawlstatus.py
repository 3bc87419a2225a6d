"""Store methods of the crawl status: one row saying what the crawler is doing (read by the home page)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from globewire.store.db import iso

STATES = ("crawling", "idle", "unreachable", "no_outlets")


class CrawlStatusRepo:
    """Mixin: needs the ``execute``/``query`` of ``globewire.store.db.Database``."""

    def set_crawl_status(
        self,
        *,
        state: str,
        round: int = 0,  # noqa: A002 - the column's name
        outlets_total: int = 0,
        outlets_done: int = 0,
        articles_new: int = 0,
        failures: dict[str, int] | None = None,
        detail: str = "",
        started_at: dt.datetime | None = None,
        next_round_at: dt.datetime | None = None,
    ) -> None:
        if state not in STATES:
            raise ValueError(f"crawl state {state!r} is not one of {STATES}")
        now = iso(dt.datetime.now(dt.UTC))
        self.execute(  # type: ignore[attr-defined]
            """
            INSERT INTO crawl_status (id, state, round, outlets_total, outlets_done, articles_new, failures,
                detail, started_at, next_round_at, updated_at)
            VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                state = excluded.state, round = excluded.round, outlets_total = excluded.outlets_total,
                outlets_done = excluded.outlets_done, articles_new = excluded.articles_new,
                failures = excluded.failures, detail = excluded.detail, started_at = excluded.started_at,
                next_round_at = excluded.next_round_at, updated_at = excluded.updated_at
            """,
            (state, round, outlets_total, outlets_done, articles_new, json.dumps(failures or {}, sort_keys=True),
             detail, iso(started_at), iso(next_round_at), now),
        )

    def crawl_status(self) -> dict[str, Any] | None:
        rows = self.query("SELECT * FROM crawl_status WHERE id = 1")  # type: ignore[attr-defined]
        if not rows:
            return None
        row = dict(rows[0])
        try:
            row["failures"] = json.loads(row.get("failures") or "{}")
        except ValueError:
            row["failures"] = {}
        return row
