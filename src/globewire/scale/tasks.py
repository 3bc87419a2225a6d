"""The pipeline as Celery tasks. Each task reuses the single-process pieces (``Crawler.new_items``,
``pipeline.process_documents``, ``pipeline.after_store``, ``translate.stage.translate_pending``):

    crawl_round ─► crawl_outlet (per outlet: feeds → new items, claimed once) ─► fetch_page (per item,
    fleet-wide host politeness) ─► process_page (extract → language → dedup → store) ─► embed_articles
    (fan-out) ─► cluster_articles (one at a time across the fleet) ─► translate_pending (one at a time)

Every task is idempotent and retried with exponential backoff; messages are acknowledged late.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from celery import Task

from globewire.log import get_logger
from globewire.records import Failure, RawDocument, utcnow
from globewire.scale.celery_app import app
from globewire.scale.codec import (
    doc_from_json,
    doc_to_json,
    item_from_json,
    item_to_json,
)
from globewire.scale.locks import exclusive
from globewire.scale.runtime import runtime
from globewire.store.db import iso

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
    row = store.query_one(
        "INSERT INTO seen_items(key, outlet_id, url, first_seen, status) VALUES (?,?,?,?,'queued')"
        " ON CONFLICT(key) DO UPDATE SET status = 'queued' WHERE seen_items.status = 'new' RETURNING key",
        (key, outlet_id, url, iso(utcnow())),
    )
    return row is not None


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
    report = _process(rt, [d])
    if key:
        item_url = d.feed_item.url if d.feed_item else d.url
        rt.store.mark_seen(key, item_url, d.outlet_id, "stored")
    _after(report.new_ids, report.changed_ids)
    return report.as_dict()


def _after(new_ids: Sequence[int], changed_ids: Sequence[int]) -> None:
    if new_ids or changed_ids:
        embed_articles.delay(list(new_ids), list(changed_ids))


@_task(name="globewire.scale.tasks.embed_articles")
def embed_articles(self: Task, new_ids: list[int], changed_ids: list[int] | None = None) -> int:
    """Fill the embedding cache of new/changed articles (``stories.embed.ensure_embeddings``, in parallel
    across the fleet), then hand them to the serialised clustering step, which finds the vectors cached."""
    rt = runtime()
    done = 0
    ids = list(new_ids) + list(changed_ids or [])
    try:
        from globewire.stories import boilerplate
        from globewire.stories.embed import ensure_embeddings, make_embedder
    except ImportError:  # stories package not part of this build
        ensure_embeddings = None  # type: ignore[assignment]
    if ensure_embeddings is not None and ids:
        if rt.embedder is None:
            rt.embedder = make_embedder(rt.settings.stories)
        done = len(ensure_embeddings(rt.store, boilerplate.clustering_rows(rt.store, ids), rt.embedder))
    cluster_articles.delay(list(new_ids), list(changed_ids or []))
    return done


@_task(name="globewire.scale.tasks.cluster_articles")
def cluster_articles(self: Task, new_ids: list[int], changed_ids: list[int] | None = None) -> dict[str, Any]:
    """Cluster under one fleet-wide lock, so two workers never create the same story twice. The task takes
    every article still in no story (so a lost or coalesced task is made up by the next) plus the
    changed ones it was given."""
    from globewire.pipeline import after_store

    rt = runtime()
    rt.refresh()
    with exclusive(rt.store, "cluster"):
        ids = sorted(set(rt.store.unclustered_article_ids(limit=rt.scale.cluster_batch)) | set(changed_ids or []))
        if not ids:
            return {}
        t0 = time.perf_counter()
        out = after_store(rt.ctx, ids, translate=False)
        log.info("clustered", articles=len(ids), seconds=round(time.perf_counter() - t0, 3))
    if rt.settings.translate.backend != "none":
        translate_pending.delay()
    return {k: (v.as_dict() if hasattr(v, "as_dict") else str(v)) for k, v in out.items()}


@_task(name="globewire.scale.tasks.translate_pending")
def translate_pending(self: Task) -> Any:
    """Translate what is pending; one translator at a time across the fleet (others return at once). Then the
    articles that gained English are re-clustered with it (``recluster_translated``) under the clustering lock."""
    rt = runtime()
    try:
        from globewire.translate.stage import translate_pending as run
    except ImportError:
        return None
    if not _try_lock(rt.store, "translate"):
        return "busy"
    try:
        result = run(rt.store, rt.settings)
    finally:
        _unlock(rt.store, "translate")  # not held while waiting for the clustering lock below
    out: dict[str, Any] = result.to_dict()
    out.update(recluster_translated(rt, list(result.article_ids)))
    return out


def recluster_translated(rt: Any, article_ids: Sequence[int]) -> dict[str, Any]:
    """``stories.stage.refresh_stories`` over articles that just gained English text (a lone article joins the
    story its English matches; their stories are re-synthesised), inside the same fleet-wide lock as
    ``cluster_articles``, so it never runs beside another worker's clustering. Skipped when nothing gained
    English or the store has no story yet. A failure is logged and reported, never raised: the translations
    are committed, and a retry of the task would find nothing pending (so nothing to re-cluster) anyway."""
    if not article_ids:
        return {}
    try:
        from globewire.stories.stage import refresh_stories
    except ImportError:  # stories package not part of this build
        return {}
    t0 = time.perf_counter()
    try:
        with exclusive(rt.store, "cluster"):
            if rt.store.scalar("SELECT id FROM stories LIMIT 1") is None:
                return {}
            rep = refresh_stories(rt.store, list(article_ids), rt.settings)
    except Exception as e:  # noqa: BLE001 - keep the translation; say what was not re-clustered
        msg = f"{type(e).__name__}: {e}"
        log.error("recluster_failed", articles=len(article_ids), error=msg)
        return {"stories_refresh_error": msg}
    log.info("reclustered_translated", articles=len(article_ids), joined=rep.joined, merged=rep.merged,
             synthesised=rep.synthesised, seconds=round(time.perf_counter() - t0, 3))
    return {"stories_refreshed": rep.as_dict()}


_held: dict[str, Any] = {}


def _try_lock(store: Any, name: str) -> bool:
    if getattr(store, "dialect", "") != "postgresql":
        return True
    from globewire.scale.locks import store_lock_key

    conn = store.pool.getconn()
    got = conn.execute("SELECT pg_try_advisory_lock(%s) AS ok", (store_lock_key(store, name),)).fetchone()["ok"]
    if not got:
        store.pool.putconn(conn)
        return False
    _held[name] = conn
    return True


def _unlock(store: Any, name: str) -> None:
    conn = _held.pop(name, None)
    if conn is None:
        return
    from globewire.scale.locks import store_lock_key

    conn.execute("SELECT pg_advisory_unlock(%s)", (store_lock_key(store, name),))
    store.pool.putconn(conn)


# --------------------------------------------------------------------------- backfill


@_task(name="globewire.scale.tasks.backfill_range")
def backfill_range(self: Task, job_id: str, path: str, offset: int, count: int, facts: dict[str, Any]) -> dict[str, Any]:
    from globewire.scale.backfill import run_range

    rt = runtime()
    result = run_range(rt, job_id, path, offset, count, facts, process=lambda docs: _process(rt, docs))
    _after(result.pop("new_ids"), result.pop("changed_ids"))
    return result
