"""The one module that owns the order of stages.

    sources → fetch → parse feeds          (globewire.crawl: the network edge)
    → extract → language → dedup → store   (process_documents: per-article stages, here)
    → cluster + synthesise stories         (globewire.stories.stage.update_stories)
    → translate → refine stories           (globewire.translate.stage.translate_pending; clustering never waits for it)

Each per-article stage is a function over a batch of immutable records returning the records that go on
and the failures it recorded; a failure in one article is kept with its reason and never stops the batch.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import BrokenExecutor
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from urllib.parse import urlsplit

from globewire import dedup
from globewire.headline import title_article
from globewire import workers as workers_mod
from globewire.log import get_logger
from globewire.records import Article, Extracted, Failure, FeedItem, Outlet, RawDocument
from globewire.settings import Settings
from globewire.store import Store

log = get_logger(__name__)

T = TypeVar("T")
U = TypeVar("U")

# Titles longer than this are cut (a broken page can put a whole article in <title>).
MAX_TITLE_CHARS = 500
# Below this many items a CPU-bound stage runs in-process: shipping work to other processes costs more.
PARALLEL_MIN_BATCH = 8
# Language detection reads the title and this many characters of text: enough for a confident answer.
LANGUAGE_SAMPLE_CHARS = 3000
# Failure reason of an article whose worker process died: the feed item is not marked, so it is fetched again.
WORKER_CRASHED = "worker_crashed"


class StageError(Exception):
    """Raised by a stage function for one item; becomes a recorded Failure."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    def __reduce__(self) -> tuple[Any, ...]:  # survives the trip back from a worker process
        return (StageError, (self.reason, self.detail))


@dataclass
class PipelineContext:
    settings: Settings
    store: Store
    outlets: dict[str, Outlet] = field(default_factory=dict)
    _dedup: dedup.DedupIndex | None = None

    @property
    def dedup_index(self) -> dedup.DedupIndex:
        if self._dedup is None:
            since = dt.datetime.now(dt.timezone.utc) - dedup.INDEX_WINDOW
            self._dedup = dedup.DedupIndex.from_signatures(self.store.recent_minhashes(since))
        return self._dedup

    def outlet_for(self, doc_outlet: str | None, url: str) -> Outlet | None:
        if doc_outlet and doc_outlet in self.outlets:
            return self.outlets[doc_outlet]
        host = _bare_host(url)
        if not host:
            return None
        # The longest matching host wins; among outlets on one host (theguardian.com/ and theguardian.com/au/,
        # dw.com/de/ and dw.com/en/), the one whose homepage path is the longest prefix of the URL's path.
        path = _dir_path(url)
        best: Outlet | None = None
        best_key = (-1, -1)
        for o in self.outlets.values():
            h = _bare_host(o.homepage)
            if not h or not (host == h or host.endswith("." + h)):
                continue
            home_path = _dir_path(o.homepage)
            key = (len(h), len(home_path) if path.startswith(home_path) else 0)
            if key > best_key:
                best, best_key = o, key
        return best

    @property
    def candidate_languages(self) -> list[str]:
        from globewire.language import DEFAULT_LANGUAGES

        # The broad default set plus whatever the catalogue's outlets publish in.
        langs = {"en", *DEFAULT_LANGUAGES}
        for o in self.outlets.values():
            langs.update(o.languages)
        return sorted(langs)


@dataclass
class BatchReport:
    received: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    new_ids: list[int] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)

    def add_seconds(self, stage: str, seconds: float) -> None:
        self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + seconds

    def merge(self, other: "BatchReport") -> None:
        for f in ("received", "new", "updated", "unchanged", "duplicates"):
            setattr(self, f, getattr(self, f) + getattr(other, f))
        self.failures.update(other.failures)
        for stage, seconds in other.stage_seconds.items():
            self.add_seconds(stage, seconds)
        self.new_ids += other.new_ids
        self.changed_ids += other.changed_ids

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["failures"] = dict(self.failures)
        d["stage_seconds"] = {k: round(v, 3) for k, v in self.stage_seconds.items()}
        d.pop("new_ids")
        d.pop("changed_ids")
        return d


def _bare_host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    for prefix in ("www.", "m.", "mobile.", "amp."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    return host


def _dir_path(url: str) -> str:
    """The URL's path, lower case, ending in '/' (so /au/ is not a prefix of /australia-news/)."""
    return (urlsplit(url).path or "/").lower().rstrip("/") + "/"


def run_stage(
    name: str,
    fn: Callable[[T], U],
    items: Sequence[tuple[RawDocument, T]],
    report: BatchReport,
    failures: list[Failure],
) -> list[tuple[RawDocument, U]]:
    """Apply ``fn`` to every item; an exception in one item becomes a Failure and the batch goes on."""
    out: list[tuple[RawDocument, U]] = []
    t0 = time.perf_counter()
    for doc, item in items:
        try:
            out.append((doc, fn(item)))
        except StageError as e:
            failures.append(Failure(doc.url, name, e.reason, e.detail, outlet_id=doc.outlet_id))
        except Exception as e:  # noqa: BLE001 - a bug in one article must not stop the batch
            failures.append(Failure(doc.url, name, "error", f"{type(e).__name__}: {e}", outlet_id=doc.outlet_id))
            log.warning("stage_error", stage=name, url=doc.url, error=repr(e))
    report.add_seconds(name, time.perf_counter() - t0)
    return out


# --------------------------------------------------------------------------- stages


def extract_one(doc: RawDocument, rules: Any, extract_settings: Any) -> Extracted:
    """Extraction of one document (module-level so that worker processes can run it)."""
    from globewire.extract import ExtractionError, clean_pasted_text, extract_html
    from globewire.textnorm import clean_text

    try:
        if doc.content_type == "text":
            ex = clean_pasted_text(clean_text(doc.content.decode("utf-8", errors="replace")), doc.url,
                                   reference=doc.fetched_at)
        else:
            ex = extract_html(doc.content, doc.url, rules=rules, http_headers=doc.http_headers,
                              settings=extract_settings)
    except ExtractionError as e:
        raise StageError(e.reason, e.detail) from e
    if len(ex.text) < extract_settings.min_text_chars:
        raise StageError("too_short", f"{len(ex.text)} characters of body text")
    return ex


def run_stage_parallel(
    name: str,
    ctx: PipelineContext,
    fn: Callable[..., U],
    items: Sequence[tuple[RawDocument, T]],
    args: Callable[[RawDocument, T], tuple[Any, ...]],
    report: BatchReport,
    failures: list[Failure],
) -> list[tuple[RawDocument, U]]:
    """Like ``run_stage`` for CPU-bound stages: ``fn(*args(doc, item))`` runs in ``settings.workers`` processes
    when the batch is big enough to pay for it (``fn`` must be a module-level function)."""
    workers = ctx.settings.workers
    if workers <= 1 or len(items) < PARALLEL_MIN_BATCH:
        return run_stage(name, lambda pair: fn(*args(*pair)), [(d, (d, it)) for d, it in items], report, failures)
    t0 = time.perf_counter()
    pool = workers_mod.process_pool(workers)
    futures = [pool.submit(fn, *args(d, it)) for d, it in items]
    out: list[tuple[RawDocument, U]] = []
    for (doc, _), fut in zip(items, futures):
        try:
            out.append((doc, fut.result()))
        except StageError as e:
            failures.append(Failure(doc.url, name, e.reason, e.detail, outlet_id=doc.outlet_id))
        except BrokenExecutor as e:  # a worker process died (killed, out of memory): not the article's fault
            workers_mod.discard_pool(pool)
            failures.append(Failure(doc.url, name, WORKER_CRASHED, f"{type(e).__name__}: {e}",
                                    outlet_id=doc.outlet_id))
        except Exception as e:  # noqa: BLE001 - a bug in one article: recorded, batch goes on
            failures.append(Failure(doc.url, name, "error", f"{type(e).__name__}: {e}", outlet_id=doc.outlet_id))
    report.add_seconds(name, time.perf_counter() - t0)
    return out


def extract_batch(
    ctx: PipelineContext, batch: Sequence[tuple[RawDocument, RawDocument]], report: BatchReport,
    failures: list[Failure],
) -> list[tuple[RawDocument, Extracted]]:
    """The extract stage (CPU-bound: spread over worker processes)."""
    def args(doc: RawDocument, _: RawDocument) -> tuple[Any, ...]:
        outlet = ctx.outlet_for(doc.outlet_id, doc.url)
        return (doc, outlet.rules if outlet else None, ctx.settings.extract)

    return run_stage_parallel("extract", ctx, extract_one, batch, args, report, failures)


def build_article(ctx: PipelineContext, doc: RawDocument, ex: Extracted) -> Article:
    """Pure: combine what the document, its feed item, its outlet and the extractor know."""
    from globewire.urls import canonical_variants, url_key

    outlet = ctx.outlet_for(doc.outlet_id, doc.url)
    canonical = doc.url
    # A fetched page may only claim a canonical URL on its own site: otherwise one page could overwrite
    # another's. A local file has no site: the URL the page declares for itself is the best one there is.
    if ex.canonical_url and (doc.url.startswith("file:") or _bare_host(ex.canonical_url) == _bare_host(doc.url)):
        canonical = ex.canonical_url
    canonical = canonical_variants(canonical) if canonical.startswith(("http://", "https://")) else canonical
    local = doc.url.startswith("file:")
    if outlet is None and not doc.outlet_id and local and canonical.startswith(("http://", "https://")):
        # A saved page names its site only in its canonical URL: that finds the outlet (and its country);
        # an outlet id the user gave (--outlet) is kept even when the catalogue does not know it.
        outlet = ctx.outlet_for(None, canonical)
    item = doc.feed_item
    title = (ex.title or (item.title if item else "")).strip()[:MAX_TITLE_CHARS]
    return Article(
        url=doc.url,
        canonical_url=canonical,
        title=title,
        text=ex.text,
        outlet_id=outlet.id if outlet else doc.outlet_id,
        country=_country(doc.country, outlet, canonical),
        language=doc.language_hint,
        published_at=ex.published_at or (item.published_at if item else None),
        authors=ex.authors,
        image_url=ex.image_url,
        site_name=ex.site_name,
        html_lang=ex.html_lang,
        guid=url_key(item.guid) if item else None,
        fetched_at=doc.fetched_at,
        source=doc.source,
        extra={"captions": list(ex.captions)} if ex.captions else {},
    )


def detect_one(a: Article, declared: str | None, candidates: Sequence[str], extract_settings: Any) -> Article:
    """Language of one article (module-level so that worker processes can run it)."""
    from globewire.language import detect_language

    res = detect_language(
        f"{a.title}\n{a.text[:LANGUAGE_SAMPLE_CHARS]}", declared=declared, candidates=candidates,
        declared_wins_below=extract_settings.language_min_confidence,
        high_accuracy_max_chars=extract_settings.language_high_accuracy_max_chars,
    )
    if res.language is None:
        raise StageError("language_unknown", "no language could be detected")
    return replace(a, language=res.language, language_confidence=round(float(res.confidence), 4))


def stated_language(a: Article) -> Article:
    """A language stated by the user (--language) or by an imported record is a fact, not a guess."""
    return a if a.language_confidence else replace(a, language_confidence=1.0)


def language_batch(
    ctx: PipelineContext, items: Sequence[tuple[RawDocument, Article]], report: BatchReport,
    failures: list[Failure],
) -> list[tuple[RawDocument, Article]]:
    """The language stage: the page's declared language (or the outlet's only one) is a prior."""
    candidates = ctx.candidate_languages

    def declared(a: Article) -> str | None:
        d = (a.html_lang or "").split("-")[0].lower() or None
        outlet = ctx.outlets.get(a.outlet_id or "")
        if d is None and outlet and len(outlet.languages) == 1:
            d = outlet.languages[0]
        return d

    def args(_: RawDocument, a: Article) -> tuple[Any, ...]:
        return (a, declared(a), candidates, ctx.settings.extract)

    if all(a.language for _, a in items):
        return [(d, stated_language(a)) for d, a in items]
    if not any(a.language for _, a in items):
        return run_stage_parallel("language", ctx, detect_one, items, args, report, failures)
    # Mixed batch (rare): keep the input order.
    out: list[tuple[RawDocument, Article]] = []
    for d, a in items:
        out += [(d, stated_language(a))] if a.language else run_stage_parallel(
            "language", ctx, detect_one, [(d, a)], args, report, failures)
    return out


def dedup_stage(ctx: PipelineContext) -> Callable[[Article], Article]:
    def run(a: Article) -> Article:
        a = dedup.fingerprint(a)
        self_id = ctx.store.article_id_by_url(a.canonical_url)
        same = ctx.store.article_id_by_hash(a.content_hash)
        if same is not None and same != self_id:
            return reject_notice(ctx, replace(a, duplicate_of=_root(ctx, same), duplicate_similarity=1.0))
        if a.minhash is not None:
            match = ctx.dedup_index.best_match(dedup.minhash_from_bytes(a.minhash), exclude=self_id)
            if match is not None:
                a = replace(a, duplicate_of=_root(ctx, match.original_id),
                            duplicate_similarity=round(match.similarity, 4))
        return reject_notice(ctx, a)

    return run


def reject_notice(ctx: PipelineContext, a: Article) -> Article:
    """A text that arrives from several unrelated URLs is a notice, not news (extract/nonarticle.py): its
    stored copies are removed (recorded as failures) and this one fails with the same reason. So does a text
    that is a registration form or, short and under an address it does not match, an anti-bot or error page's
    words (``nonarticle.text_verdict``: pasted or imported text has no markup to tell)."""
    from globewire.clustering.signature import count_place_names
    from globewire.extract.nonarticle import repeated_notice, text_verdict

    if not ctx.settings.extract.detect_nonarticles:
        return a
    own = text_verdict(a.text, a.canonical_url or a.url, count_place_names)
    if own is not None:
        raise StageError(own.reason, own.detail)
    found = repeated_notice(ctx.store, a)
    if found is None:
        return a
    ctx.store.remove_not_articles(found.copies, stage="dedup", reason=found.verdict.reason, detail=found.verdict.detail)
    for article_id in found.copies:
        ctx.dedup_index.discard(article_id)
    raise StageError(found.verdict.reason, found.verdict.detail)


def _root(ctx: PipelineContext, article_id: int) -> int:
    """Follow duplicate_of links to the original (bounded: links always point to an earlier id)."""
    seen = set()
    while article_id not in seen:
        seen.add(article_id)
        original = ctx.store.duplicate_of(article_id)
        if original is None:
            return article_id
        article_id = original
    return article_id


def store_stage(ctx: PipelineContext, report: BatchReport) -> Callable[[Article], int]:
    def run(a: Article) -> int:
        article_id, status = ctx.store.upsert_article(a)
        if status == "new":
            report.new += 1
            report.new_ids.append(article_id)
        elif status == "updated":
            report.updated += 1
            report.changed_ids.append(article_id)
            ctx.store.set_duplicate(article_id, a.duplicate_of if a.duplicate_of != article_id else None,
                                    a.duplicate_similarity)
        else:
            report.unchanged += 1
        if status != "unchanged":
            if a.duplicate_of is not None:
                report.duplicates += 1
            if a.minhash is not None:
                ctx.dedup_index.add(article_id, dedup.minhash_from_bytes(a.minhash))
        return article_id

    return run


# --------------------------------------------------------------------------- the order


def process_documents(docs: Iterable[RawDocument], ctx: PipelineContext) -> BatchReport:
    """extract → language → dedup → store, over one batch of documents."""
    batch = [(d, d) for d in docs]
    report = BatchReport(received=len(batch))
    failures: list[Failure] = []
    extracted = extract_batch(ctx, batch, report, failures)
    # Isolated like every stage: a page whose parts cannot make an article (an unparseable canonical URL)
    # is one recorded failure, never the loss of the batch.
    articles = run_stage("build", lambda pair: build_article(ctx, *pair), [(d, (d, ex)) for d, ex in extracted],
                         report, failures)
    return _finish(articles, ctx, report, failures, docs=[d for d, _ in batch])


def _country(given: str | None, outlet: Outlet | None, url: str) -> str | None:
    """The article's country: as given, else its outlet's, else its country-code domain's (``.de`` -> DE)."""
    from globewire.urls import country_from_url

    return given or (outlet.country if outlet else None) or country_from_url(url) or None


def attribute(ctx: PipelineContext, a: Article) -> Article:
    """An imported record without an outlet gets the catalogue's outlet for its URL (and that outlet's
    country), or at least the country of its country-code domain, as a fetched or saved page would."""
    if a.outlet_id and a.country:
        return a
    outlet = ctx.outlet_for(a.outlet_id, a.canonical_url) if not a.outlet_id else ctx.outlets.get(a.outlet_id)
    outlet_id = a.outlet_id or (outlet.id if outlet else None)
    country = _country(a.country, outlet, a.canonical_url)
    if (outlet_id, country) == (a.outlet_id, a.country):
        return a
    return replace(a, outlet_id=outlet_id, country=country)


def process_articles(items: Iterable[tuple[RawDocument, Article]], ctx: PipelineContext) -> BatchReport:
    """language → dedup → store, for records that arrive already extracted (JSON Lines import)."""
    items = list(items)
    report = BatchReport(received=len(items))
    failures: list[Failure] = []
    articles = run_stage("build", lambda a: attribute(ctx, a), items, report, failures)
    return _finish(articles, ctx, report, failures)


def _finish(
    articles: list[tuple[RawDocument, Article]], ctx: PipelineContext, report: BatchReport, failures: list[Failure],
    docs: Sequence[RawDocument] | None = None,
) -> BatchReport:
    with_lang = language_batch(ctx, articles, report, failures)
    # a title that is page furniture or missing is replaced by one derived from the lead (globewire.headline)
    with_lang = [(d, title_article(a, getattr(ctx.outlets.get(a.outlet_id or ""), "name", None)))
                 for d, a in with_lang]
    # dedup → store goes article by article: an article must see the ones stored just before it, even in
    # the same batch (a wire copy and its original often arrive together).
    dedup_fn, store_fn = dedup_stage(ctx), store_stage(ctx, report)
    stored: set[int] = set()
    for item in with_lang:
        for deduped in run_stage("dedup", dedup_fn, [item], report, failures):
            for doc, _ in run_stage("store", store_fn, [deduped], report, failures):
                stored.add(id(doc))
                _mark_item(ctx, doc, "stored")  # the feed item is done only once its article is stored
    for f in failures:
        report.failures[f"{f.stage}:{f.reason}"] += 1
        try:
            ctx.store.record_failure(f)
        except Exception as e:  # noqa: BLE001 - recording a failure must not lose the rest
            log.error("failure_not_recorded", url=f.url, error=repr(e))
    # a verdict on the page (too short, no language, ...) is final; a failed write or a dead worker process is
    # not the page's fault: its feed item stays unmarked, so the next round fetches it again
    crashed = {f.url for f in failures if f.reason == WORKER_CRASHED or f.stage == "store"}
    for doc in docs if docs is not None else [d for d, _ in articles]:
        if id(doc) not in stored and doc.url not in crashed:
            _mark_item(ctx, doc, "failed")
    return report


def seen_key(item: FeedItem) -> str:
    """The key of a feed item in the store's seen items (its GUID, else its link)."""
    from globewire.urls import url_key

    return url_key(item.guid or item.url)


def _mark_item(ctx: PipelineContext, doc: RawDocument, status: str) -> None:
    """Set the seen-item mark of the feed item ``doc`` came from (``stored`` or ``failed``: not fetched again)."""
    if doc.feed_item is None:
        return
    try:
        ctx.store.mark_seen(seen_key(doc.feed_item), doc.feed_item.url, doc.outlet_id, status)
    except Exception as e:  # noqa: BLE001 - an unmarked item is fetched again next round: nothing is lost
        log.error("item_not_marked", url=doc.feed_item.url, error=repr(e))


# --------------------------------------------------------------------------- after the store
#
# Every post-store stage takes its work from the STATE of the store, not from the list of ids a run happened
# to store: an article stored by a run that was killed before clustering is clustered by the next run of any
# entry point (crawl, run, ingest, cluster, translate, the fleet, `db check --repair`).


@dataclass
class TranslationOutcome:
    """What ``translate_stage`` did: the translation report, and the re-clustering of what gained English
    (``refreshed``; None when skipped) or why that failed (``refresh_error``; the translations are kept)."""

    report: Any
    refreshed: Any = None
    refresh_error: str | None = None


class StageBusy(Exception):
    """Raised by a ``guard`` of ``translate_stage`` when another process is running that stage."""


def cluster_stage(store: Store, settings: Settings, article_ids: Iterable[int] = (), *,
                  limit: int | None = None) -> Any:
    """Embed, assign to stories, repair and synthesise: every article in no story yet (by state, up to
    ``limit``) plus ``article_ids`` (re-sent or changed articles whose stories need a new synthesis). Runs under
    the fleet-wide clustering lock, so two processes never cluster the same article. Returns the stories
    report, or None when there was nothing to do."""
    from globewire.store.locks import exclusive
    from globewire.stories.stage import update_stories

    with exclusive(store, "cluster"):
        fresh = store.unclustered_article_ids(limit=limit)
        ids = sorted(set(fresh) | {int(i) for i in article_ids})
        if not ids:
            return None
        started = dt.datetime.now(dt.timezone.utc)
        report = update_stories(store, ids, settings)
        # an article clustered for the first time was clustered with the English it had then
        store.mark_reclustered(fresh, translated_before=started)
        return report


def recluster_translated(store: Store, settings: Settings, article_ids: Iterable[int] = ()) -> Any:
    """Let English text re-cluster translated articles (``stories.stage.refresh_stories``: a lone article
    joins the story its English matches; their stories are re-synthesised): ``article_ids`` (what just gained
    English) plus every clustered article whose translation is newer than its last re-clustering (a run
    killed between translating and re-clustering). Under the clustering lock. None when there is nothing to do or no story
    exists yet (``cluster_stage`` embeds unclustered articles with their English anyway)."""
    from globewire.store.locks import exclusive
    from globewire.stories.stage import refresh_stories

    with exclusive(store, "cluster"):
        ids = sorted({int(i) for i in article_ids} | set(store.translated_not_reclustered_ids()))
        if not ids or not store.has_stories():
            return None
        started = dt.datetime.now(dt.timezone.utc)
        report = refresh_stories(store, ids, settings)
        if not report.recluster_skipped:  # the embedder failed: only re-synthesised, still pending
            store.mark_reclustered(ids, translated_before=started)
        return report


def translate_stage(store: Store, settings: Settings, *, recluster: bool = True,
                    guard: Callable[[], Any] | None = None, **options: Any) -> TranslationOutcome:
    """Translate what is pending (``translate.stage.translate_pending``; ``options``: limit, language, redo,
    progress, router), then re-cluster what gained English (``recluster_translated``) unless ``recluster`` is
    False. ``guard`` (a context manager factory) is held while translating only, never while waiting for the
    clustering lock; it may raise ``StageBusy``. A re-clustering failure is reported, never raised: the
    translations are committed and a later run re-clusters them (they stay pending by state)."""
    import contextlib

    from globewire.translate.stage import translate_pending

    with (guard or contextlib.nullcontext)():
        report = translate_pending(store, settings, **options)
    out = TranslationOutcome(report)
    if not recluster:
        return out
    try:
        out.refreshed = recluster_translated(store, settings, report.article_ids)
    except Exception as e:  # noqa: BLE001 - keep the translations; say what was not re-clustered
        out.refresh_error = f"{type(e).__name__}: {e}"
        log.error("recluster_failed", articles=len(report.article_ids), error=out.refresh_error)
    return out


def synthesise_due(store: Store, settings: Settings) -> Any:
    """Synthesise the live stories whose membership changed since their last synthesis (a run killed between
    assigning articles and writing their stories), under the clustering lock (a story is never written while
    another process changes its members). None when there are none."""
    from globewire.store.locks import exclusive
    from globewire.stories.stage import synthesise_stories

    with exclusive(store, "cluster"):
        ids = store.stories_due_synthesis()
        return synthesise_stories(store, ids, settings) if ids else None


def embed_stage(store: Store, settings: Settings, article_ids: Sequence[int]) -> int:
    """Fill the embedding cache of ``article_ids`` (with their English when they have some); returns how many
    vectors they have now. The fleet runs it in parallel before the serialised clustering."""
    from globewire.clustering import boilerplate
    from globewire.clustering.embed import english_of, ensure_embeddings, make_embedder

    if not article_ids:
        return 0
    ss = settings.stories
    ids = list(article_ids)
    return len(ensure_embeddings(store, boilerplate.clustering_rows(store, ids), make_embedder(ss),
                                 batch=ss.embed_batch, english=english_of(store, ids)))


def after_store(ctx: PipelineContext, article_ids: Sequence[int] | BatchReport = (), *, stories: bool = True,
                translate: bool = True, cluster_limit: int | None = None) -> dict[str, Any]:
    """The post-store stages after a crawl, an ingest or a run (``post_store``); translation only when a
    backend is configured. ``article_ids`` may be a ``BatchReport`` (its new and changed ids)."""
    if isinstance(article_ids, BatchReport):
        article_ids = article_ids.new_ids + article_ids.changed_ids
    return post_store(ctx.store, ctx.settings, article_ids, stories=stories, cluster_limit=cluster_limit,
                      translate=translate and ctx.settings.translate.backend != "none")


def post_store(store: Store, settings: Settings, article_ids: Iterable[int] = (), *, stories: bool = True,
               translate: bool = True, cluster_limit: int | None = None,
               translate_options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The post-store stages, in order: cluster and synthesise first (cross-lingual embeddings need no
    translation), then translate (never a duplicate twice: it reuses its original's), then let the English
    text re-cluster the translated articles and refine the headlines and summaries of the stories it touched,
    then synthesise any story still waiting for it. ``stories`` False leaves the stories alone (translation
    only). Each stage takes its work from the store's state; ``article_ids`` only add changed articles whose
    stories need a new synthesis; ``cluster_limit`` caps the unclustered articles taken in this call (the
    fleet's batches: the next task takes the rest); ``translate_options`` go to ``translate_pending``."""
    out: dict[str, Any] = {}
    if stories:
        clustered = cluster_stage(store, settings, article_ids, limit=cluster_limit)
        if clustered is not None:
            out["stories"] = clustered
    if translate:
        done = translate_stage(store, settings, recluster=stories, **(translate_options or {}))
        out["translate"] = done.report
        if done.refreshed is not None:
            out["stories_refreshed"] = done.refreshed
        if done.refresh_error:
            out["stories_refresh_error"] = done.refresh_error
    elif stories:
        refreshed = recluster_translated(store, settings)
        if refreshed is not None:
            out["stories_refreshed"] = refreshed
    if stories:
        pending = synthesise_due(store, settings)
        if pending is not None:
            out["stories_synthesised"] = pending
    return out


# The stages after the store as the fleet runs them: each as its own task, which enqueues the next one.
FLEET_STAGES = ("process", "embed", "cluster", "translate")


def next_stage(stage: str, settings: Settings) -> str | None:
    """The stage the fleet runs after ``stage`` (translation is skipped when no backend is configured)."""
    for nxt in FLEET_STAGES[FLEET_STAGES.index(stage) + 1 :]:
        if nxt == "translate" and settings.translate.backend == "none":
            continue
        return nxt
    return None


# --------------------------------------------------------------------------- stuck work (`globewire db check`)

# A pending translation older than this is reported as overdue by `globewire db check` (a day: a backend that
# was down for a few crawl rounds catches up well within it).
TRANSLATION_OVERDUE_HOURS = 24.0


def stuck_work(store: Store, settings: Settings, *,
               overdue_hours: float = TRANSLATION_OVERDUE_HOURS) -> dict[str, list[int]]:
    """Work a stage left undone, by kind, as the ids concerned (articles, or stories for ``stories_*``)."""
    out: dict[str, list[int]] = {
        "unclustered_articles": store.unclustered_article_ids(),
        "translated_not_reclustered": store.translated_not_reclustered_ids(),
        "stories_due_synthesis": store.stories_due_synthesis(),
        "stories_with_wrong_counts": store.stories_with_wrong_counts(),
    }
    if settings.translate.backend != "none":
        since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=overdue_hours)
        out["translations_overdue"] = store.translations_overdue(since)
    if store.has_stories():
        from globewire.clustering.embed import EmbedderError, make_embedder

        try:
            model = make_embedder(settings.stories).name
        except EmbedderError as e:
            log.warning("check_embedder_unavailable", error=str(e))
        else:
            out["clustered_without_embedding"] = store.clustered_without_embedding_ids(model)
    return out


def repair(store: Store, settings: Settings) -> dict[str, Any]:
    """Finish what ``stuck_work`` finds, with the stages that should have done it: recount stories out of
    step with their members, ``post_store`` (cluster what is in no story, translate what is pending, re-cluster
    what gained English, synthesise stories due one), then embed clustered articles still without a vector
    (after the re-clustering: a vector made first would hide that a translated article waits for it)."""
    out: dict[str, Any] = {}
    wrong = store.stories_with_wrong_counts()
    if wrong:
        store.refresh_story_counts(wrong)
        out["stories_recounted"] = len(wrong)
    out.update(post_store(store, settings, translate=settings.translate.backend != "none"))
    if store.has_stories():
        from globewire.clustering.embed import make_embedder

        missing = store.clustered_without_embedding_ids(make_embedder(settings.stories).name)
        if missing:
            out["embedded"] = embed_stage(store, settings, missing)
    return out
