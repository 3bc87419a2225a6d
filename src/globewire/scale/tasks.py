"""The pipeline as Celery tasks. Each task reuses the single-process pieces (``Crawler.new_items``,
``pipeline.process_documents``, ``pipeline.after_store``, ``pipeline.translate_stage``); the order of the
stages after the store is ``pipeline.next_stage``'s:

    crawl_round ─► crawl_outlet (per outlet: feeds → new items, claimed once) ─► fetch_page (per item,
    fleet-wide host politeness) ─► process_page (extract → language → dedup → store) ─► embed_articles
    (fan-out) ─► cluster_articles (one at a time across the fleet) ─► translate_pending (one at a time)

Every task is idempotent and retried with exponential backoff; messages are acknowledged late.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from typing import Any

from celery import Task

from globewire.log import get_logger
from globewire.records import Failure, RawDocument
from globewire.scale.celery_app import app
from globewire.scale.codec import (
    doc_from_json,
    doc_to_json,
    item_from_json,
    item_to_json,
)
from globewire.scale.runtime import runtime

log = get_logger(__name__)


class StoreRetry(RuntimeError):
    """A store write failed inside a stage (recorded as a failure); the task is retried."""


class PipelineTask(Task):  # type: ignore[misc]
    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = (Exception,)
    retry_backoff = 2
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 5


def _task(**kw: Any) -> Any:
    return app.task(base=PipelineTask, bind=True, **kw)


# --------------------------------------------------------------------------- claims


def claim_item(store: Any, key: str, url: str, outlet_id: str | None) -> bool:
    """Atomically move a feed item from unseen/'new' to 'queued'; True for exactly one caller."""
    return bool(store.claim_seen_item(key, url, outlet_id))


# --------------------------------------------------------------------------- crawl


@_task(name="globewire.scale.tasks.crawl_round")
def crawl_round(self: Task, outlet_ids: Sequence[str] | None = None) -> int:
    """Fan one crawl round out: one ``crawl_outlet`` per enabled outlet (all, or ``outlet_ids``)."""
    rt = runtime()
    rt.refresh()
    wanted = set(outlet_ids or ())
    n = 0
    for o in rt.ctx.outlets.values():
        if o.enabled and o.feeds and (not wanted or o.id in wanted):
            crawl_outlet.delay(o.id)
            n += 1
    log.info("crawl_round_enqueued", outlets=n)
    return n


@_task(name="globewire.scale.tasks.crawl_outlet")
def crawl_outlet(self: Task, outlet_id: str) -> int:
    """Read an outlet's feeds (conditional GET, feed state) and enqueue one fetch per new item."""
    from globewire.crawl import Crawler, CrawlReport

    rt = runtime()
    outlet = rt.outlet(outlet_id)
    if outlet is None:
        log.warning("crawl_unknown_outlet", outlet=outlet_id)
        return 0
    crawler = Crawler(rt.ctx)
    crawler.fetcher = rt.fetcher  # the fleet-polite fetcher
    report = CrawlReport(outlets=1)
    todo = rt.run(crawler.new_items(outlet, report))
    queued = 0
    for key, it in todo:
        if claim_item(rt.store, key, it.url, outlet.id):
            fetch_page.delay(outlet.id, item_to_json(it), key)
            queued += 1
    log.info("crawl_outlet", outlet=outlet_id, feeds=len(outlet.feeds), items=report.items_seen, queued=queued)
    return queued


@_task(name="globewire.scale.tasks.fetch_page")
def fetch_page(self: Task, outlet_id: str, item: dict[str, Any], key: str) -> bool:
    from globewire.crawl import PERMANENT_ERRORS

    rt = runtime()
    it = item_from_json(item)
    outlet = rt.outlet(outlet_id)
    r = rt.run(rt.fetcher.fetch(it.url))
    if not r.ok:
        rt.store.record_failure(Failure(it.url, "fetch", r.error or f"http_{r.status}", r.error_detail,
                                        outlet_id=outlet_id))
        permanent = (r.error in PERMANENT_ERRORS) or (r.status is not None and 400 <= r.status < 500
                                                      and r.status != 429)
        # A transient failure goes back to 'new': the next crawl round claims it again.
        rt.store.mark_seen(key, it.url, outlet_id, "failed" if permanent else "new")
        return False
    doc = RawDocument(url=r.final_url or it.url, content=r.body, outlet_id=outlet_id,
                      country=outlet.country if outlet else None, feed_item=it, http_headers=r.headers,
                      fetched_at=r.fetched_at)
    process_page.delay(doc_to_json(doc), key)
    return True


# --------------------------------------------------------------------------- per-article stages


def _process(rt: Any, docs: list[RawDocument]) -> Any:
    from globewire.pipeline import process_documents

    rt.refresh()
    report = process_documents(docs, rt.ctx)
    store_failures = {k: v for k, v in report.failures.items() if k.startswith("store:")}
    if store_failures:
        # A write failed (lost connection, a concurrent insert of the same URL, ...): the retry is an
        # idempotent upsert, so run the whole task again rather than lose the article.
        raise StoreRetry(f"store failures: {store_failures}")
    return report


@_task(name="globewire.scale.tasks.process_page")
def process_page(self: Task, doc: dict[str, Any], key: str | None = None) -> dict[str, Any]:
    rt = runtime()
    d = doc_from_json(doc)
    report = _process(rt, [d])  # the store stage marks the feed item stored (or failed)
    _after(report.new_ids, report.changed_ids)
    return report.as_dict()


def _after(new_ids: Sequence[int], changed_ids: Sequence[int]) -> None:
    if new_ids or changed_ids:
        _then("process", list(new_ids), list(changed_ids))


def _then(stage: str, *args: Any) -> None:
    """Enqueue the task of the stage that follows ``stage`` (the order is ``pipeline.next_stage``'s)."""
    from globewire.pipeline import next_stage

    nxt = next_stage(stage, runtime().settings)
    if nxt is not None:
        STAGE_TASKS[nxt].delay(*args)


@_task(name="globewire.scale.tasks.embed_articles")
def embed_articles(self: Task, new_ids: list[int], changed_ids: list[int] | None = None) -> int:
    """Fill the embedding cache of new/changed articles (``clustering.embed.ensure_embeddings``, in parallel
    across the fleet), then hand them to the serialised clustering step, which finds the vectors cached."""
    from globewire.pipeline import embed_stage

    rt = runtime()
    done = embed_stage(rt.store, rt.settings, list(new_ids) + list(changed_ids or []))
    _then("embed", list(new_ids), list(changed_ids or []))
    return done


@_task(name="globewire.scale.tasks.cluster_articles")
def cluster_articles(self: Task, new_ids: list[int], changed_ids: list[int] | None = None) -> dict[str, Any]:
    """``pipeline.after_store`` without translation, in batches of ``scale.cluster_batch``: the clustering stage
    holds one fleet-wide lock, so two workers never create the same story twice, and takes every article still
    in no story (so a lost or coalesced task is made up by the next) plus the changed ones it was given."""
    from globewire.pipeline import after_store

    rt = runtime()
    rt.refresh()
    t0 = time.perf_counter()
    out = after_store(rt.ctx, list(changed_ids or []), translate=False, cluster_limit=rt.scale.cluster_batch)
    if "stories" in out:
        log.info("clustered", articles=out["stories"].articles_in, seconds=round(time.perf_counter() - t0, 3))
        _then("cluster")
    return {k: (v.as_dict() if hasattr(v, "as_dict") else str(v)) for k, v in out.items()}


@_task(name="globewire.scale.tasks.translate_pending")
def translate_pending(self: Task) -> Any:
    """``pipeline.translate_stage``: translate what is pending, one translator at a time across the fleet
    (others return "busy" at once), then re-cluster what gained English under the clustering lock (the
    translate lock is not held while waiting for it)."""
    from globewire.pipeline import StageBusy, translate_stage

    rt = runtime()
    try:
        done = translate_stage(rt.store, rt.settings, guard=lambda: _translate_lock(rt.store))
    except StageBusy:
        return "busy"
    out: dict[str, Any] = done.report.to_dict()
    if done.refreshed is not None:
        out["stories_refreshed"] = done.refreshed.as_dict()
    if done.refresh_error:
        out["stories_refresh_error"] = done.refresh_error
    return out


@contextlib.contextmanager
def _translate_lock(store: Any) -> Iterator[None]:
    from globewire.pipeline import StageBusy
    from globewire.store.locks import try_exclusive

    with try_exclusive(store, "translate") as got:
        if not got:
            raise StageBusy("translate")
        yield


# --------------------------------------------------------------------------- backfill


@_task(name="globewire.scale.tasks.backfill_range")
def backfill_range(self: Task, job_id: str, path: str, offset: int, count: int, facts: dict[str, Any]) -> dict[str, Any]:
    from globewire.scale.backfill import run_range

    rt = runtime()
    result = run_range(rt, job_id, path, offset, count, facts, process=lambda docs: _process(rt, docs))
    _after(result.pop("new_ids"), result.pop("changed_ids"))
    return result


# The task of each stage of ``pipeline.FLEET_STAGES`` after the store (``_then`` enqueues them in that order).
STAGE_TASKS: dict[str, Any] = {"embed": embed_articles, "cluster": cluster_articles, "translate": translate_pending}
