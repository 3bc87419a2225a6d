"""The sources store mixin on a real SQLite file: feed health upserts, history, summaries."""

from __future__ import annotations

import datetime as dt

from globewire.records import Article
from globewire.sources.health import FeedHealth

T0 = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.timezone.utc)


def _h(url: str, outlet: str, alive: bool, at: dt.datetime, **kw) -> FeedHealth:
    return FeedHealth(
        outlet_id=outlet, url=url, status=200 if alive else 404, ok=alive, alive=alive,
        item_count=10 if alive else None, error=None if alive else "http_error", checked_at=at, **kw,
    )


def test_feed_health_upsert_counts_and_keeps_dead_feeds(store) -> None:
    store.record_feed_health(_h("https://a.example/rss", "a", True, T0, newest_item_at=T0 - dt.timedelta(hours=1)))
    store.record_feed_health(_h("https://a.example/rss", "a", False, T0 + dt.timedelta(days=1)))
    store.record_feed_health(_h("https://a.example/rss", "a", False, T0 + dt.timedelta(days=2)))
    store.record_feed_health(_h("https://b.example/rss", "b", False, T0))
    rows = store.feed_health()
    assert [r["url"] for r in rows] == ["https://a.example/rss", "https://b.example/rss"]
    a = rows[0]
    assert a["alive"] is False and a["checks"] == 3 and a["failures"] == 2 and a["consecutive_failures"] == 2
    assert a["last_success_at"] == "2026-11-20T12:00:00+00:00"  # kept from the last good check
    assert a["last_error"] == "http_error" and a["status"] == 404
    assert [r["url"] for r in store.feed_health(dead_only=True)] == ["https://a.example/rss", "https://b.example/rss"]
    assert len(store.feed_health("b")) == 1
    # A recovery resets the run of failures.
    store.record_feed_health(_h("https://a.example/rss", "a", True, T0 + dt.timedelta(days=3)))
    a = store.feed_health("a")[0]
    assert a["alive"] is True and a["consecutive_failures"] == 0 and a["failures"] == 2 and a["checks"] == 4
    hist = store.feed_health_history("https://a.example/rss")
    assert [h["alive"] for h in hist] == [True, False, False, True]


def test_history_is_bounded(store) -> None:
    from globewire.store.sources import HEALTH_LOG_KEEP

    for i in range(HEALTH_LOG_KEEP + 7):
        store.record_feed_health(_h("https://c.example/rss", "c", i % 2 == 0, T0 + dt.timedelta(hours=i)))
    assert len(store.feed_health_history("https://c.example/rss", limit=1000)) == HEALTH_LOG_KEEP


def test_outlet_summary_joins_articles(store) -> None:
    store.record_feed_health(_h("https://a.example/rss", "a", True, T0))
    store.record_feed_health(_h("https://a.example/world", "a", False, T0))
    for i in range(3):
        store.upsert_article(
            Article(url=f"https://a.example/{i}", canonical_url=f"https://a.example/{i}", title=f"t{i}",
                    text="body " * 50, outlet_id="a", content_hash=f"h{i}")
        )
    store.upsert_article(
        Article(url="https://z.example/1", canonical_url="https://z.example/1", title="z", text="zz " * 50,
                outlet_id="z", content_hash="hz")
    )
    summary = {r["outlet_id"]: r for r in store.outlet_health_summary()}
    assert summary["a"]["feeds"] == 2 and summary["a"]["alive_feeds"] == 1 and summary["a"]["articles"] == 3
    assert summary["a"]["last_success_at"] == "2026-11-20T12:00:00+00:00" and summary["a"]["failures"] == 1
    assert summary["z"]["feeds"] == 0 and summary["z"]["articles"] == 1 and summary["z"]["last_article_at"]
