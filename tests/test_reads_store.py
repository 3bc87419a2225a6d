"""Store reads of the web layer (store/reads.py): crawl evidence for blindspots, a country's articles by
publication time with a keyset, outlet health rows. Run here on SQLite and, through
tests/test_store_contract.py, on PostgreSQL too."""

from __future__ import annotations

import datetime as dt
import hashlib

from globewire.records import Article, FetchResult, Outlet
from globewire.store.types import ArticleRow, OutletHealthRow

T0 = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


def _outlets(store) -> None:
    store.sync_outlets([
        Outlet("ap", "AP", "https://ap.example/", "US", ("en",)),
        Outlet("nyt", "NYT", "https://nyt.example/", "US", ("en",)),
        Outlet("espn", "ESPN", "https://espn.example/", "US", ("en",)),
        Outlet("dw", "DW", "https://dw.example/", "DE", ("de", "en")),
    ])


def _fetch(store, outlet: str, at: dt.datetime, *, status: int | None = 200, error: str | None = None) -> None:
    store.record_fetch(FetchResult(url=f"https://{outlet}.example/rss", final_url=f"https://{outlet}.example/rss",
                                   status=status, error=error, kind="feed", fetched_at=at), outlet_id=outlet)


def test_outlets_crawled_counts_successful_fetches_in_the_period(store) -> None:
    _outlets(store)
    assert store.outlets_crawled("US") == 0  # nothing fetched: an imported store has no evidence
    _fetch(store, "ap", T0)
    _fetch(store, "ap", T0 + dt.timedelta(hours=1))  # the same outlet twice counts once
    _fetch(store, "nyt", T0, status=None, error="dns")  # failed fetches are no evidence
    _fetch(store, "espn", T0, status=503)
    _fetch(store, "espn", T0 - dt.timedelta(days=3))  # before the period
    _fetch(store, "dw", T0)  # another country
    since, until = T0 - dt.timedelta(hours=1), T0 + dt.timedelta(hours=2)
    assert store.outlets_crawled("US", since, until) == 1
    assert store.outlets_crawled("us", since, until) == 1
    assert store.outlets_crawled("US") == 2  # ever: ap and espn's old success
    assert store.outlets_crawled("US", T0 + dt.timedelta(hours=3), None) == 0
    _fetch(store, "nyt", T0 + dt.timedelta(minutes=5), status=304)  # not modified: the feed answered
    assert store.outlets_crawled("US", since, until) == 2


def test_outlets_crawled_counts_alive_feed_checks(store) -> None:
    from globewire.sources.health import FeedHealth

    _outlets(store)
    dead = FeedHealth(url="https://nyt.example/rss", outlet_id="nyt", checked_at=T0, alive=False, ok=False,
                      error="timeout")
    store.record_feed_health(dead)
    assert store.outlets_crawled("US", T0 - dt.timedelta(hours=1), T0 + dt.timedelta(hours=1)) == 0
    alive = FeedHealth(url="https://nyt.example/rss", outlet_id="nyt", checked_at=T0, alive=True, ok=True,
                       status=200, item_count=20)
    store.record_feed_health(alive)
    assert store.outlets_crawled("US", T0 - dt.timedelta(hours=1), T0 + dt.timedelta(hours=1)) == 1


def _article(store, n: int, published: dt.datetime | None, fetched: dt.datetime, country: str = "DE") -> int:
    text = f"Bericht {n} über die Lage."
    return store.upsert_article(Article(
        url=f"https://dw.example/a/{n}", canonical_url=f"https://dw.example/a/{n}", title=f"Bericht {n}", text=text,
        outlet_id="dw", country=country, language="de", published_at=published, fetched_at=fetched,
        content_hash=hashlib.sha256(text.encode()).hexdigest()))[0]


def test_country_articles_newest_published_first_with_keyset(store) -> None:
    _outlets(store)
    made = {}
    for n in range(9):
        published = None if n % 4 == 3 else T0 - dt.timedelta(hours=n)
        made[n] = _article(store, n, published, T0 - dt.timedelta(hours=n) + dt.timedelta(minutes=30))
    same = _article(store, 100, T0 - dt.timedelta(hours=2), T0)  # same time as article 2: the id breaks the tie
    _article(store, 200, T0, T0, country="AT")
    pages, before = [], None
    while True:
        rows = store.country_articles("de", limit=4, before=before)
        if not rows:
            break
        assert all(type(r) is ArticleRow for r in rows)  # the same frozen type from both backends
        pages.append([int(r.id) for r in rows])
        before = (rows[-1].t, int(rows[-1].id))
    order = [i for p in pages for i in p]
    assert len(order) == len(set(order)) == 10  # every DE article once, none of AT
    assert [int(r.id) for r in store.article_rows(order)] == order  # article_rows keeps the order
    # undated articles sort by their fetch time among the dated ones
    assert order.index(made[3]) == order.index(made[2]) + 1  # 3 (undated, fetched T0-2h30) right after 2 (T0-2h)
    assert order.index(same) == order.index(made[2]) - 1  # the larger id first at equal times
    assert order[0] == made[0]


def test_outlet_health_rows_count_recent_articles_without_boolean_sums(store) -> None:
    _outlets(store)
    _article(store, 1, T0, T0)
    _article(store, 2, T0 - dt.timedelta(days=3), T0)
    store.update_feed_state("https://dw.example/rss", "dw", status=200, error=None, item_count=3, newest_item_at=T0)
    rows = {r.id: r for r in store.outlet_health_rows(T0 - dt.timedelta(days=1))}
    assert all(type(r) is OutletHealthRow for r in rows.values())
    assert rows["dw"].articles == 2 and rows["dw"].articles_24h == 1
    assert rows["dw"].feeds == 1 and int(rows["dw"].failing_feeds) == 0
    assert rows["ap"].articles == 0 and rows["ap"].feeds is None
