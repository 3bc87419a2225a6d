"""The network edge of the pipeline: sources → fetch → parse feeds → new items → fetch pages.

Fetched pages go to ``pipeline.process_documents`` in per-outlet batches; what comes after the store is
``pipeline.after_store``, called by the entry points. Every fetch is recorded (``fetch_log``) and every feed's
state kept (``feed_state``: ETag/Last-Modified for conditional GET, last status, failures) for source health.
Items already stored are not fetched again: the store stage marks an item stored once its article is.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from globewire.fetch import Fetcher
from globewire.feeds import FeedError, parse_feed, parse_sitemap
from globewire.log import get_logger
from globewire.pipeline import BatchReport, PipelineContext, process_documents, seen_key
from globewire.records import Failure, FeedItem, FetchResult, Outlet, RawDocument

log = get_logger(__name__)

# New items fetched per feed and round: a feed that suddenly lists 5,000 links (a sitemap dump) is
# worked through over several rounds instead of one burst.
MAX_NEW_ITEMS_PER_FEED = 100
# Child sitemaps followed from one sitemap index per round (news sitemaps are usually 1-3).
MAX_CHILD_SITEMAPS = 5
# Pages handed to the per-article stages at once.
PROCESS_BATCH = 25
# Errors after which an item is not retried (the page will not get better by asking again).
PERMANENT_ERRORS = {"bad_scheme", "blocked_address", "robots_disallowed", "body_too_large", "redirect_loop",
                    "too_many_redirects"}


@dataclass
class CrawlReport:
    outlets: int = 0
    feeds: int = 0
    feeds_not_modified: int = 0
    feed_errors: int = 0
    items_seen: int = 0
    items_new: int = 0
    pages_fetched: int = 0
    page_errors: int = 0
    outlets_skipped: int = 0  # not crawled: the network looked unreachable (see globewire.progress)
    batch: BatchReport = field(default_factory=BatchReport)

    def as_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items() if k != "batch"}
        d.update({f"articles_{k}": v for k, v in self.batch.as_dict().items()})
        return d


class Crawler:
    def __init__(
        self,
        ctx: PipelineContext,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Any = None,
        progress: Callable[[str, int], None] | None = None,
        watch: Any = None,  # a globewire.progress.NetworkWatch: probe first, skip when the network is down
    ) -> None:
        self.ctx = ctx
        self.watch = watch
        self.transport = transport
        self.resolver = resolver
        self.progress = progress or (lambda event, n: None)
        self._process_lock = asyncio.Lock()

    async def crawl(self, outlets: Sequence[Outlet]) -> CrawlReport:
        report = CrawlReport(outlets=len(outlets))
        self.ctx.store.sync_outlets(outlets)
        kwargs: dict[str, Any] = {"transport": self.transport}
        if self.resolver is not None:
            kwargs["resolver"] = self.resolver
        async with Fetcher(self.ctx.settings.fetch, on_result=self._on_result, **kwargs) as fetcher:
            self.fetcher = fetcher
            enabled = [o for o in outlets if o.enabled]
            if self.watch is None:
                await asyncio.gather(*(self._crawl_outlet(o, report) for o in enabled))
            else:
                await self._probe_then_crawl(enabled, report)
        return report

    async def _probe_then_crawl(self, outlets: list[Outlet], report: CrawlReport) -> None:
        """The watch's first ``probe_outlets`` outlets start at once; the others wait until a server has answered (or
        the probes are done), and are skipped when the network looks unreachable."""
        watch = self.watch
        watch.start_round()
        probe, rest = outlets[: watch.probe_outlets], outlets[watch.probe_outlets :]

        async def probes() -> None:
            await asyncio.gather(*(self._crawl_outlet(o, report) for o in probe))
            watch.settle()

        async def after_probe(o: Outlet) -> None:
            await watch.settled()
            if watch.unreachable_now:
                report.outlets_skipped += 1
                return
            await self._crawl_outlet(o, report)

        await asyncio.gather(probes(), *(after_probe(o) for o in rest))

    # Fetch results are recorded centrally; the outlet is looked up from the URL's host.
    def _on_result(self, r: FetchResult) -> None:
        outlet = self.ctx.outlet_for(None, r.url)
        self.ctx.store.record_fetch(r, outlet_id=outlet.id if outlet else None)
        if self.watch is not None:
            self.watch.observe(r)
        failed = r.error or (f"http_{r.status}" if r.status is not None and r.status >= 400 else None)
        if failed:
            self.progress(f"failure:{failed}", 1)

    async def new_items(self, outlet: Outlet, report: CrawlReport) -> list[tuple[str, FeedItem]]:
        """Read every feed of ``outlet``; return its items not seen before as (key, item), newest first,
        capped per round. Shared by the single-process crawl and the fleet's crawl task."""
        items: list[FeedItem] = []
        for feed in outlet.feeds:
            report.feeds += 1
            try:
                items += await self.read_feed(outlet, feed.url, feed.kind, report)
            except Exception as e:  # noqa: BLE001 - one broken feed never stops the crawl
                report.feed_errors += 1
                self.ctx.store.record_failure(Failure(feed.url, "feed", "error", repr(e), outlet_id=outlet.id))
                log.exception("feed_crashed", outlet=outlet.id, feed=feed.url)
        by_key: dict[str, FeedItem] = {}
        for it in items:
            by_key.setdefault(seen_key(it), it)
        report.items_seen += len(by_key)
        fresh = self.ctx.store.unseen_keys(by_key)
        oldest = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
        todo = sorted(((k, by_key[k]) for k in fresh), key=lambda kv: kv[1].published_at or oldest,
                      reverse=True)[:MAX_NEW_ITEMS_PER_FEED * max(1, len(outlet.feeds))]
        report.items_new += len(todo)
        return todo

    async def _crawl_outlet(self, outlet: Outlet, report: CrawlReport) -> None:
        try:
            await self._crawl_outlet_pages(outlet, report)
        finally:
            self.progress("outlet", 1)

    async def _crawl_outlet_pages(self, outlet: Outlet, report: CrawlReport) -> None:
        todo = await self.new_items(outlet, report)
        self.progress("items", len(todo))
        docs: list[RawDocument] = []
        for key, it in todo:
            r = await self.fetcher.fetch(it.url)
            report.pages_fetched += 1
            self.progress("page", 1)
            if not r.ok:
                report.page_errors += 1
                self.ctx.store.record_failure(Failure(it.url, "fetch", r.error or f"http_{r.status}",
                                                      r.error_detail, outlet_id=outlet.id))
                if (r.error in PERMANENT_ERRORS) or (r.status is not None and 400 <= r.status < 500 and r.status != 429):
                    self.ctx.store.mark_seen(key, it.url, outlet.id, "failed")
                continue
            docs.append(RawDocument(url=r.final_url or it.url, content=r.body, outlet_id=outlet.id,
                                    country=outlet.country, feed_item=it, http_headers=r.headers,
                                    fetched_at=r.fetched_at, language_hint=None))
            if len(docs) >= PROCESS_BATCH:
                await self._process(docs, report)
                docs = []
        if docs:
            await self._process(docs, report)

    async def _process(self, docs: list[RawDocument], report: CrawlReport) -> None:
        # Extraction is CPU work: run it off the event loop, one batch at a time (the dedup index is shared).
        async with self._process_lock:
            batch = await asyncio.to_thread(process_documents, docs, self.ctx)
        report.batch.merge(batch)
        self.progress("articles", len(batch.new_ids))

    async def read_feed(self, outlet: Outlet, url: str, kind: str, report: CrawlReport,
                         depth: int = 0) -> list[FeedItem]:
        state = self.ctx.store.feed_state(url) or {}
        r = await self.fetcher.fetch(url, etag=state.get("etag"), last_modified=state.get("last_modified"),
                                     kind="sitemap" if kind == "sitemap" else "feed")
        if r.not_modified:
            report.feeds_not_modified += 1
            self.ctx.store.update_feed_state(url, outlet.id, kind=kind, status=r.status, error=None)
            return []
        if not r.ok:
            report.feed_errors += 1
            err = r.error or f"http_{r.status}"
            self.ctx.store.update_feed_state(url, outlet.id, kind=kind, status=r.status, error=err)
            self.ctx.store.record_failure(Failure(url, "feed", err, r.error_detail, outlet_id=outlet.id))
            return []
        try:
            if kind == "sitemap":
                items, children = parse_sitemap(r.body, sitemap_url=r.final_url or url, outlet_id=outlet.id)
                if depth == 0:
                    for child in children[:MAX_CHILD_SITEMAPS]:
                        items += await self.read_feed(outlet, child, "sitemap", report, depth + 1)
            else:
                items = parse_feed(r.body, feed_url=r.final_url or url, outlet_id=outlet.id, headers=r.headers)
        except FeedError as e:
            report.feed_errors += 1
            self.ctx.store.update_feed_state(url, outlet.id, kind=kind, status=r.status, error=e.reason)
            self.ctx.store.record_failure(Failure(url, "feed", e.reason, e.detail, outlet_id=outlet.id))
            return []
        newest = max((i.published_at for i in items if i.published_at), default=None)
        self.ctx.store.update_feed_state(
            url, outlet.id, kind=kind, status=r.status, error=None, etag=r.headers.get("etag"),
            last_modified=r.headers.get("last-modified"), item_count=len(items), newest_item_at=newest,
        )
        return items


def crawl_once(ctx: PipelineContext, outlets: Sequence[Outlet], **kwargs: Any) -> CrawlReport:
    return asyncio.run(Crawler(ctx, **kwargs).crawl(outlets))
