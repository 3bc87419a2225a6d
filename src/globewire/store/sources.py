"""Store methods of the sources area: feed health checks and per-outlet health summaries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from globewire.store.db import iso

if TYPE_CHECKING:
    from globewire.records import FeedHealth

# History rows kept per feed URL; older ones are pruned on each write. 50 checks is about
# seven weeks of daily `sources check` runs, enough to see when a feed died.
HEALTH_LOG_KEEP = 50


class SourcesRepo:
    """Mixin: needs the ``execute``/``query``/``tx`` of ``globewire.store.db.Database``."""

    def record_feed_health(self, h: FeedHealth) -> None:
        """Upsert the latest state of one feed and append a history row."""
        at = iso(h.checked_at)
        failed = 0 if h.alive else 1
        with self.tx():  # type: ignore[attr-defined]
            self.execute(  # type: ignore[attr-defined]
                """
                INSERT INTO feed_health (url, outlet_id, kind, checked_at, status, ok, alive, stale, item_count,
                    newest_item_at, latency_ms, final_url, last_error, error_detail, last_success_at,
                    checks, failures, consecutive_failures)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                ON CONFLICT (url) DO UPDATE SET
                    outlet_id = excluded.outlet_id, kind = excluded.kind, checked_at = excluded.checked_at,
                    status = excluded.status, ok = excluded.ok, alive = excluded.alive, stale = excluded.stale,
                    item_count = excluded.item_count, newest_item_at = excluded.newest_item_at,
                    latency_ms = excluded.latency_ms, final_url = excluded.final_url,
                    last_error = excluded.last_error, error_detail = excluded.error_detail,
                    last_success_at = COALESCE(excluded.last_success_at, feed_health.last_success_at),
                    checks = feed_health.checks + 1,
                    failures = feed_health.failures + excluded.failures,
                    consecutive_failures = CASE WHEN excluded.alive = 1 THEN 0
                                                ELSE feed_health.consecutive_failures + 1 END
                """,
                (
                    h.url, h.outlet_id, h.kind, at, h.status, int(h.ok), int(h.alive), int(h.stale), h.item_count,
                    iso(h.newest_item_at), h.latency_ms, h.final_url, h.error, h.error_detail,
                    at if h.alive else None, failed, failed,
                ),
            )
            self.execute(  # type: ignore[attr-defined]
                "INSERT INTO feed_health_log (url, outlet_id, checked_at, status, alive, item_count, latency_ms,"
                " last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (h.url, h.outlet_id, at, h.status, int(h.alive), h.item_count, h.latency_ms, h.error),
            )
            self.execute(  # type: ignore[attr-defined]
                "DELETE FROM feed_health_log WHERE url = ? AND id NOT IN"
                " (SELECT id FROM feed_health_log WHERE url = ? ORDER BY id DESC LIMIT ?)",
                (h.url, h.url, HEALTH_LOG_KEEP),
            )

    def feed_health(self, outlet_id: str | None = None, *, dead_only: bool = False) -> list[dict[str, Any]]:
        sql = "SELECT * FROM feed_health"
        where: list[str] = []
        params: list[Any] = []
        if outlet_id is not None:
            where.append("outlet_id = ?")
            params.append(outlet_id)
        if dead_only:
            where.append("alive = 0")
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows: list[dict[str, Any]] = self.query(sql + " ORDER BY outlet_id, url", params)  # type: ignore[attr-defined]
        for r in rows:
            for k in ("ok", "alive", "stale"):
                r[k] = bool(r[k])
        return rows

    def feed_health_history(self, url: str, limit: int = HEALTH_LOG_KEEP) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.query(  # type: ignore[attr-defined]
            "SELECT * FROM feed_health_log WHERE url = ? ORDER BY id DESC LIMIT ?", (url, limit)
        )
        for r in rows:
            r["alive"] = bool(r["alive"])
        return rows

    def outlet_health_summary(self) -> list[dict[str, Any]]:
        """One row per outlet seen in checks or articles: feeds, alive feeds, last success,
        failures, article count and newest article time."""
        rows: list[dict[str, Any]] = self.query(  # type: ignore[attr-defined]
            """
            SELECT o.outlet_id AS outlet_id,
                   COALESCE(h.feeds, 0) AS feeds,
                   COALESCE(h.alive_feeds, 0) AS alive_feeds,
                   h.last_checked_at AS last_checked_at,
                   h.last_success_at AS last_success_at,
                   COALESCE(h.failures, 0) AS failures,
                   COALESCE(h.consecutive_failures, 0) AS consecutive_failures,
                   COALESCE(a.articles, 0) AS articles,
                   a.last_article_at AS last_article_at
            FROM (SELECT outlet_id FROM feed_health
                  UNION SELECT outlet_id FROM articles WHERE outlet_id IS NOT NULL) AS o
            LEFT JOIN (SELECT outlet_id, COUNT(*) AS feeds, SUM(alive) AS alive_feeds,
                              MAX(checked_at) AS last_checked_at, MAX(last_success_at) AS last_success_at,
                              SUM(failures) AS failures, MAX(consecutive_failures) AS consecutive_failures
                       FROM feed_health GROUP BY outlet_id) AS h ON h.outlet_id = o.outlet_id
            LEFT JOIN (SELECT outlet_id, COUNT(*) AS articles, MAX(fetched_at) AS last_article_at
                       FROM articles WHERE outlet_id IS NOT NULL GROUP BY outlet_id) AS a
                   ON a.outlet_id = o.outlet_id
            ORDER BY o.outlet_id
            """
        )
        return rows
