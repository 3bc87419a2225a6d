"""Per-process state of a worker: settings, store, pipeline context, an open Fetcher on a private event loop,
and the fleet-wide host limiter. Built lazily on the first task (after the pool forks)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from globewire.log import get_logger
from globewire.pipeline import PipelineContext
from globewire.records import FetchResult, Outlet
from globewire.config.scale import ScaleSettings, scale_settings
from globewire.scale.ratelimit import make_limiter
from globewire.settings import Settings, load_settings
from globewire.store import open_store

log = get_logger(__name__)

# Seconds a worker keeps its copy of the outlets table before re-reading it (the scheduler syncs it).
OUTLETS_TTL_S = 60.0


class PoliteFetcher:
    """A Fetcher whose every request first waits for the host's fleet-wide slot."""

    def __init__(self, fetcher: Any, limiter: Any, delay_s: float) -> None:
        self.fetcher = fetcher
        self.limiter = limiter
        self.delay_s = delay_s

    async def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None,
                    kind: str = "page") -> FetchResult:
        host = (urlsplit(url).hostname or "").lower()
        await self.limiter.wait(host, self.delay_s)
        return await self.fetcher.fetch(url, etag=etag, last_modified=last_modified, kind=kind)


class Runtime:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        self.scale: ScaleSettings = scale_settings(self.settings)
        self.store = open_store(self.settings.resolved_database_url)
        self.ctx = PipelineContext(settings=self.settings, store=self.store)
        self._outlets_at = 0.0
        self._dedup_max_id = 0
        self.limiter = make_limiter(self.scale.redis_url, prefix=f"{self.scale.queue_prefix}:host-next:")
        self.loop = asyncio.new_event_loop()
        self._fetcher: Any = None
        self.embedder: Any = None  # built on the first embedding task

    # -------------------------------------------------------------- outlets / dedup freshness

    def refresh(self) -> None:
        now = time.monotonic()
        if now - self._outlets_at > OUTLETS_TTL_S or not self.ctx.outlets:
            self.ctx.outlets = {o.id: o for o in self.store.list_outlets()}
            self._outlets_at = now
        self._refresh_dedup()

    def _refresh_dedup(self) -> None:
        """Add the signatures other workers stored since this process last looked (the index is per process)."""
        from globewire import dedup

        if self.ctx._dedup is None:
            self._dedup_max_id = self.store.max_article_id()
            _ = self.ctx.dedup_index
            return
        for article_id, signature in self.store.minhashes_after(self._dedup_max_id):
            self.ctx.dedup_index.add(article_id, dedup.minhash_from_bytes(signature))
        self._dedup_max_id = max(self._dedup_max_id, self.store.max_article_id())

    def outlet(self, outlet_id: str) -> Outlet | None:
        self.refresh()
        return self.ctx.outlets.get(outlet_id)

    # -------------------------------------------------------------- fetching

    def _on_result(self, r: FetchResult) -> None:
        outlet = self.ctx.outlet_for(None, r.url)
        self.store.record_fetch(r, outlet_id=outlet.id if outlet else None)

    @property
    def fetcher(self) -> PoliteFetcher:
        if self._fetcher is None:
            from globewire.fetch import Fetcher

            f = Fetcher(self.settings.fetch, on_result=self._on_result)
            self.loop.run_until_complete(f.__aenter__())
            self._fetcher = PoliteFetcher(f, self.limiter, self.settings.fetch.min_host_delay)
        return self._fetcher

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def close(self) -> None:
        if self._fetcher is not None:
            self.loop.run_until_complete(self._fetcher.fetcher.aclose())
        self.loop.close()
        self.store.close()


_runtime: Runtime | None = None
_lock = threading.Lock()


def runtime() -> Runtime:
    global _runtime
    with _lock:
        if _runtime is None:
            _runtime = Runtime()
        return _runtime
