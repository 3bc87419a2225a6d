"""Feed health: fetch every feed of some outlets, parse it, and say whether it is alive.

Checks run concurrently across hosts; the fetcher keeps one connection per host and its
minimum delay, so feeds of one outlet are fetched one after another. Dead feeds are
reported (and stored by the caller), never removed from the catalogue.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from globewire.log import get_logger
from globewire.records import FeedHealth, FeedItem, Outlet, utcnow

if TYPE_CHECKING:
    from globewire.fetch import Fetcher

log = get_logger(__name__)

# A feed whose newest item is older than this is alive but flagged stale. Thirty days: news
# outlets publish daily, so a month of silence means the feed URL was abandoned for another.
STALE_AFTER = dt.timedelta(days=30)
# A sitemap index with no URLs of its own: how many child sitemaps to open to count items.
CHILD_SITEMAPS_CHECKED = 1


def _newest(items: Iterable[FeedItem]) -> dt.datetime | None:
    dates = [
        i.published_at if i.published_at.tzinfo else i.published_at.replace(tzinfo=dt.timezone.utc)
        for i in items
        if i.published_at is not None
    ]
    return max(dates) if dates else None


async def check_feed(outlet_id: str, url: str, kind: str, fetcher: Fetcher, *, now: dt.datetime | None = None) -> FeedHealth:
    """Fetch and parse one feed (RSS/Atom/JSON Feed, or a sitemap when ``kind == "sitemap"``)."""
    from globewire.feeds import FeedError, parse_feed, parse_sitemap

    now = now or utcnow()
    r = await fetcher.fetch(url, kind="sitemap" if kind == "sitemap" else "feed")
    base = FeedHealth(
        outlet_id=outlet_id, url=url, kind=kind, status=r.status, ok=r.ok, latency_ms=round(r.elapsed_ms, 1),
        final_url=r.final_url, checked_at=now,
    )
    if not r.ok:
        error = r.error or "http_error"
        detail = r.error_detail or (f"HTTP {r.status}" if r.status else "")
        return _replace(base, error=error, error_detail=detail)
    try:
        if kind == "sitemap":
            items, children = parse_sitemap(r.body, sitemap_url=r.final_url or url, outlet_id=outlet_id)
            for child in children[:CHILD_SITEMAPS_CHECKED] if not items else []:
                cr = await fetcher.fetch(child, kind="sitemap")
                if cr.ok:
                    items, _ = parse_sitemap(cr.body, sitemap_url=cr.final_url or child, outlet_id=outlet_id)
            count = len(items) if items or not children else len(children)
        else:
            items = parse_feed(r.body, feed_url=r.final_url or url, outlet_id=outlet_id)
            count = len(items)
    except FeedError as exc:
        reason = getattr(exc, "reason", "invalid")
        return _replace(base, error=f"feed_error:{reason}", error_detail=str(exc)[:300])
    newest = _newest(items)
    if count == 0:
        return _replace(base, item_count=0, error="no_items", error_detail="parsed, but no items")
    stale = newest is not None and now - newest > STALE_AFTER
    return _replace(base, alive=True, item_count=count, newest_item_at=newest, stale=stale)


def _replace(h: FeedHealth, **changes: Any) -> FeedHealth:
    return dataclasses.replace(h, **changes)


async def check_feeds(outlets: Iterable[Outlet], fetcher: Fetcher, *, now: dt.datetime | None = None) -> list[FeedHealth]:
    """Check every feed of ``outlets``; results in catalogue order (outlet, then feed)."""
    jobs = [(o.id, f.url, f.kind) for o in outlets for f in o.feeds]

    async def one(outlet_id: str, url: str, kind: str) -> FeedHealth:
        try:
            return await check_feed(outlet_id, url, kind, fetcher, now=now)
        except Exception as exc:  # a bug in a parser must not stop the other checks
            log.exception("health.check_crashed", outlet_id=outlet_id, url=url)
            return FeedHealth(outlet_id=outlet_id, url=url, kind=kind, error="check_crashed", error_detail=repr(exc))

    results = await asyncio.gather(*(one(*j) for j in jobs))
    alive = sum(1 for h in results if h.alive)
    log.info("health.checked", feeds=len(results), alive=alive, dead=len(results) - alive)
    return list(results)
