"""The translation stage: pending non-English articles → English text + sentence alignment.

Runs beside the pipeline (clustering never waits for it). A bounded queue feeds ``concurrency``
worker threads (the reader blocks when the queue is full: backpressure); every sentence goes
through the cache first, so a second run makes no backend calls; failures are recorded per article
with an attempt count and a next retry time; originals always stay in the ``articles`` table.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from globewire.log import get_logger
from globewire.plugins import BackendNotFound
from globewire.records import Article, Failure, utcnow
from globewire.store.translations import sentence_hash
from globewire.translate.backends import Router
from globewire.translate.base import TranslatorError, TranslatorRateLimited, TranslatorUnavailable
from globewire.translate.segment import TITLE_PARA, Unit, segment_article

if TYPE_CHECKING:
    from globewire.settings import Settings
    from globewire.store.base import Store
    from globewire.config.translate import TranslateSettings

log = get_logger(__name__)

# Sentences sent to a backend per call inside one article; the cache is written after each chunk so
# a failure late in a long article keeps the work done so far.
CHUNK_SENTENCES = 64
ProgressFn = Callable[[int, int, str], None]  # (done, total, last status)


@dataclass(slots=True)
class TranslateReport:
    considered: int = 0
    translated: int = 0
    reused_duplicates: int = 0
    failed: int = 0
    unavailable: int = 0
    deferred: int = 0  # not tried this run because the backend asked us to wait
    sentences: int = 0
    cache_hits: int = 0
    backend_sentences: int = 0
    by_backend: dict[str, int] = field(default_factory=dict)
    unavailable_reasons: dict[str, str] = field(default_factory=dict)  # lang -> message (names the fix)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    article_ids: list[int] = field(default_factory=list)  # articles that gained English text this run

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Run:
    """State shared by the workers of one ``translate_pending`` call."""

    def __init__(
        self, store: Store, router: Router, config: TranslateSettings, total: int, progress: ProgressFn | None
    ) -> None:
        self.store, self.router, self.config = store, router, config
        self.report = TranslateReport(considered=total)
        self.total = total
        self.done = 0
        self.progress = progress
        self.lock = threading.Lock()
        self.unavailable: dict[tuple[str, str], str] = {}  # (backend, lang) -> message
        self.paused_until: dict[str, float] = {}  # backend -> monotonic time

    def finish(self, status: str) -> None:
        with self.lock:
            self.done += 1
            done = self.done
        if self.progress:
            try:
                self.progress(done, self.total, status)
            except Exception:  # noqa: BLE001 - a UI callback must not break the stage
                log.warning("progress_callback_failed")

    # ----------------------------------------------------------------------------- one article

    def process(self, row: dict[str, Any]) -> str:
        article_id = int(row["id"])
        try:
            art = self.store.get_article(article_id)
            if art is None:
                return "gone"
            if art.duplicate_of is not None and self._reuse(art):
                return "reused"
            return self._translate(art, int(row.get("attempts") or 0))
        except Exception as exc:
            log.exception("translate_article_crashed", article_id=article_id)
            self._failed(article_id, None, f"internal: {type(exc).__name__}: {exc}", int(row.get("attempts") or 0))
            return "failed"

    def _reuse(self, art: Article) -> bool:
        assert art.id is not None and art.duplicate_of is not None
        orig = self.store.get_translation(art.duplicate_of)
        if not orig or orig.status != "done":
            return False
        notes = dict(orig.notes)
        notes["reused_from"] = art.duplicate_of
        with self.store.tx():
            self.store.save_translation(
                art.id,
                orig.title_en or "",
                orig.text_en or "",
                orig.alignment,
                orig.backend or "",
                orig.model or "",
                notes,
                source_language=art.language,
                content_hash=art.content_hash,
            )
            self.store.index_english(art.id, orig.title_en or "", orig.text_en or "")
        with self.lock:
            self.report.reused_duplicates += 1
            self.report.article_ids.append(int(art.id))
        return True

    def _translate(self, art: Article, attempts: int) -> str:
        assert art.id is not None
        lang = (art.language or "").lower().split("-")[0]
        try:
            translator = self.router.for_language(lang)
        except BackendNotFound as exc:
            name = self.router.backend_name(lang)
            msg = f"{exc}; fix translate.backend or translate.routes.{lang}"
            with self.lock:
                first = (name, lang) not in self.unavailable
                self.unavailable[(name, lang)] = msg
            self._unavailable(art, name, msg, record=first)
            return "unavailable"
        backend = translator.name
        memo = self.unavailable.get((backend, lang))
        if memo is not None:
            self._unavailable(art, backend, memo, record=False)
            return "unavailable"
        pause = self.paused_until.get(backend)
        if pause is not None and pause > time.monotonic():
            retry_at = utcnow() + dt.timedelta(seconds=pause - time.monotonic())
            self.store.mark_translation_failed(
                art.id, f"{backend}: deferred (rate limited)", retry_at, backend=backend, count_attempt=False
            )
            with self.lock:
                self.report.deferred += 1
            return "deferred"

        seg = segment_article(
            art.title,
            art.text,
            lang,
            max_sentence_chars=self.config.max_sentence_chars,
            max_article_chars=self.config.max_article_chars,
        )
        units = seg.units
        model = translator.model_id(lang)
        hashes = [sentence_hash(u.src) for u in units]
        try:
            cached = self.store.translation_cache_get(backend, model, lang, hashes)
            hits = sum(1 for h in hashes if h in cached)
            todo: dict[str, str] = {}
            for u, h in zip(units, hashes):
                if h not in cached and h not in todo:
                    todo[h] = u.src
            keys = list(todo)
            sent = 0
            for i in range(0, len(keys), CHUNK_SENTENCES):
                chunk = keys[i : i + CHUNK_SENTENCES]
                outs = translator.translate([todo[h] for h in chunk], lang)
                model = translator.model_id(lang)  # a first-use download may have settled the model
                fresh = dict(zip(chunk, outs))
                self.store.translation_cache_put(backend, model, lang, fresh)
                cached.update(fresh)
                sent += len(chunk)
        except TranslatorUnavailable as exc:
            with self.lock:
                self.unavailable[(backend, lang)] = str(exc)
            self._unavailable(art, backend, str(exc), record=True)
            return "unavailable"
        except TranslatorRateLimited as exc:
            wait = exc.retry_after if exc.retry_after is not None else self._backoff(attempts)
            with self.lock:
                self.paused_until[backend] = time.monotonic() + wait
            self._failed(art.id, backend, str(exc), attempts, wait=wait, url=art.url)
            return "failed"
        except TranslatorError as exc:
            self._failed(art.id, backend, str(exc), attempts, url=art.url)
            return "failed"

        alignment = [{"para": u.para, "src": u.src, "en": cached[h]} for u, h in zip(units, hashes)]
        title_en, text_en = assemble(units, [cached[h] for h in hashes])
        notes: dict[str, Any] = dict(seg.notes)
        notes.update({"sentences": len(units), "cache_hits": hits, "backend_sentences": sent})
        with self.store.tx():
            self.store.save_translation(
                art.id,
                title_en,
                text_en,
                alignment,
                backend,
                model,
                notes,
                source_language=art.language,
                content_hash=art.content_hash,
            )
            self.store.index_english(art.id, title_en, text_en)
        with self.lock:
            r = self.report
            r.translated += 1
            r.article_ids.append(int(art.id))
            r.sentences += len(units)
            r.cache_hits += hits
            r.backend_sentences += sent
            r.by_backend[backend] = r.by_backend.get(backend, 0) + 1
        return "translated"

    # ----------------------------------------------------------------------------- failures

    def _backoff(self, attempts: int) -> float:
        return min(self.config.retry_max_seconds, self.config.retry_base_seconds * (2 ** max(0, attempts)))

    def _unavailable(self, art: Article, backend: str, message: str, *, record: bool) -> None:
        assert art.id is not None
        retry_at = utcnow() + dt.timedelta(seconds=self.config.unavailable_retry_seconds)
        self.store.mark_translation_failed(
            art.id, message, retry_at, status="unavailable", backend=backend, count_attempt=False
        )
        if record:
            log.warning("translator_unavailable", backend=backend, lang=art.language, message=message)
            self.store.record_failure(
                Failure(url=art.url, stage="translate", reason="unavailable", detail=message, outlet_id=art.outlet_id)
            )
        with self.lock:
            self.report.unavailable += 1
            self.report.unavailable_reasons.setdefault(art.language or "?", message)

    def _failed(
        self,
        article_id: int,
        backend: str | None,
        message: str,
        attempts: int,
        *,
        wait: float | None = None,
        url: str = "",
    ) -> None:
        gave_up = attempts + 1 >= self.config.max_attempts
        delay = wait if wait is not None else self._backoff(attempts)
        retry_at = None if gave_up else utcnow() + dt.timedelta(seconds=delay)
        self.store.mark_translation_failed(article_id, message, retry_at, backend=backend)
        self.store.record_failure(
            Failure(
                url=url or f"article:{article_id}",
                stage="translate",
                reason="gave_up" if gave_up else "error",
                detail=message,
            )
        )
        log.warning(
            "translate_failed",
            article_id=article_id,
            backend=backend,
            error=message[:300],
            attempts=attempts + 1,
            retry_at=str(retry_at),
        )
        with self.lock:
            self.report.failed += 1
            if len(self.report.errors) < 20:
                self.report.errors.append(message[:300])


def assemble(units: list[Unit], english: list[str]) -> tuple[str, str]:
    """English title and body: sentences joined by spaces, paragraphs by newlines."""
    title = " ".join(e for u, e in zip(units, english) if u.para == TITLE_PARA and e).strip()
    paras: dict[int, list[str]] = {}
    for u, e in zip(units, english):
        if u.para != TITLE_PARA and e:
            paras.setdefault(u.para, []).append(e.strip())
    return title, "\n".join(" ".join(p) for _, p in sorted(paras.items()))


def _run_queue(run: _Run, rows: list[dict[str, Any]], concurrency: int, queue_size: int) -> None:
    if not rows:
        return
    work: queue.Queue[dict[str, Any] | None] = queue.Queue(maxsize=max(1, queue_size))
    n_workers = max(1, min(concurrency, len(rows)))

    def worker() -> None:
        while True:
            row = work.get()
            try:
                if row is None:
                    return
                run.finish(run.process(row))
            finally:
                work.task_done()

    threads = [threading.Thread(target=worker, name=f"translate-{i}", daemon=True) for i in range(n_workers)]
    for t in threads:
        t.start()
    for row in rows:
        work.put(row)  # blocks while the queue is full
    for _ in threads:
        work.put(None)
    for t in threads:
        t.join()


def translate_pending(
    store: Store,
    settings: Settings,
    *,
    limit: int | None = None,
    progress: ProgressFn | None = None,
    language: str | None = None,
    redo: bool = False,
    router: Router | None = None,
) -> TranslateReport:
    """Translate what is pending (optionally one source ``language``); ``redo`` first forgets the
    existing translations of that language (the only way a model change re-translates)."""
    started = time.monotonic()
    config = settings.translate
    if redo:
        n = store.reset_translations(language)
        log.info("translations_reset", language=language, rows=n)
    rows = store.pending_translations(limit, language=language)
    own_router = router is None
    router = router or Router(settings)
    run = _Run(store, router, config, len(rows), progress)
    try:
        pending_ids = {int(r["id"]) for r in rows}
        # duplicates whose original is also pending go second, so they reuse its translation
        first = [r for r in rows if r["duplicate_of"] is None or int(r["duplicate_of"]) not in pending_ids]
        second = [r for r in rows if r["duplicate_of"] is not None and int(r["duplicate_of"]) in pending_ids]
        _run_queue(run, first, config.concurrency, config.queue_size)
        _run_queue(run, second, config.concurrency, config.queue_size)
    finally:
        if own_router:
            router.close()
    run.report.seconds = round(time.monotonic() - started, 3)
    log.info(
        "translate_done",
        **{k: v for k, v in run.report.to_dict().items() if k not in ("errors", "unavailable_reasons", "by_backend")},
    )
    return run.report
