"""The crawl shows its work: live progress of a round, the network's state, and the crawl status row.

- :class:`NetworkWatch` lives across rounds. It watches every fetch of a round: a server that answers
  (any HTTP status) means the network is up; when the first fetches of a round all fail with DNS or
  connection errors it declares the network unreachable, says so ONCE, and the round stops there (the
  crawler only lets a few probe outlets start until the watch has decided). Rounds then come back
  sooner than the schedule but with a growing delay (:meth:`NetworkWatch.next_delay`), each probing a
  few outlets, until a server answers again.
- :class:`CrawlProgress` counts a round (outlets done of total, new articles, failures by kind, the
  translation queue), draws a rich progress line on a terminal or logs structured ``crawl_progress``
  events otherwise, and keeps the store's crawl status row up to date for the home page.
- :func:`crawl_round` runs one round with both; ``globewire run`` and ``crawl`` call it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import threading
import time
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from globewire.log import get_logger

if TYPE_CHECKING:
    from rich.console import Console

    from globewire.crawl import CrawlReport
    from globewire.pipeline import PipelineContext
    from globewire.records import FetchResult, Outlet

log = get_logger(__name__)

# Fetch errors that mean "no network here" rather than "this site is broken".
NETWORK_ERRORS = frozenset({"dns_error", "connect_error", "network_error"})
# Outlets a round starts before the watch has decided whether the network is up. Drawn at random from the
# round's outlets, so a handful of dead domains (≈10 % of feeds fail DNS on a healthy network, from the
# catalogue's health checks) cannot pass for an outage: all 8 dead by chance is ~1e-8.
PROBE_OUTLETS = 8
# Network failures with not one server answer after which the network counts as unreachable. Each probe
# outlet makes 1-2 fetches (robots.txt, feed) before giving up, so 6 is reached from 3-6 outlets.
UNREACHABLE_AFTER = 6
# First retry after an unreachable round; doubles per unreachable round, capped by the crawl interval.
BACKOFF_FIRST_S = 30.0
# The crawl status row is rewritten at most this often during a round (one small UPSERT).
STATUS_EVERY_S = 1.0
# Without a terminal: one structured progress line this often.
LOG_EVERY_S = 15.0
# The translation queue (a COUNT over articles) is refreshed at most this often.
QUEUE_EVERY_S = 10.0


class NetworkWatch:
    """Is the network up? Decided from the first fetches of each round; remembered across rounds."""

    probe_outlets = PROBE_OUTLETS

    def __init__(self) -> None:
        self.down = False
        self.down_rounds = 0  # consecutive rounds that found the network unreachable
        self.answers = 0
        self.failures: Counter[str] = Counter()
        self._settled: asyncio.Event | None = None

    def start_round(self) -> None:
        """Call inside the round's event loop, before any fetch."""
        self.answers = 0
        self.failures = Counter()
        self._settled = asyncio.Event()

    def observe(self, r: FetchResult) -> None:
        if r.status is not None:
            self.answers += 1
            self._settle()
        elif r.error in NETWORK_ERRORS:
            self.failures[r.error] += 1
            if self.answers == 0 and sum(self.failures.values()) >= UNREACHABLE_AFTER:
                self._settle()

    @property
    def unreachable_now(self) -> bool:
        return self.answers == 0 and sum(self.failures.values()) >= UNREACHABLE_AFTER

    def _settle(self) -> None:
        if self._settled is not None:
            self._settled.set()

    def settle(self) -> None:
        """The probe outlets are done: whatever was seen decides."""
        self._settle()

    async def settled(self) -> None:
        if self._settled is not None:
            await self._settled.wait()

    def end_round(self) -> tuple[bool, bool]:
        """Record the round's verdict; returns (down, changed since the last round)."""
        was = self.down
        self.down = self.unreachable_now
        self.down_rounds = self.down_rounds + 1 if self.down else 0
        return self.down, self.down != was

    def next_delay(self, interval_s: float) -> float:
        """Seconds until the next round: the schedule when the network is up, a growing backoff when not."""
        if not self.down:
            return interval_s
        return min(interval_s, BACKOFF_FIRST_S * 2 ** max(0, self.down_rounds - 1))

    def describe(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in self.failures.most_common())
        return f"{sum(self.failures.values())} fetches failed and no server answered ({kinds})"


def probe_order(outlets: Sequence[Outlet], rng: random.Random | None = None) -> list[Outlet]:
    """The round's outlets with PROBE_OUTLETS of them, drawn at random, first."""
    items = list(outlets)
    if len(items) <= PROBE_OUTLETS:
        return items
    picks = set((rng or random).sample(range(len(items)), PROBE_OUTLETS))
    return [items[i] for i in sorted(picks)] + [o for i, o in enumerate(items) if i not in picks]


class CrawlProgress:
    """Counts one round for the screen, the log and the crawl status row. Thread-safe (the crawler calls it
    from its event loop, the pipeline from worker threads)."""

    def __init__(self, store: Any, *, total: int, round_no: int, console: Console | None = None) -> None:
        self.store = store
        self.total = total
        self.round_no = round_no
        self.done = 0
        self.articles = 0
        self.pages = 0
        self.failures: Counter[str] = Counter()
        self.queue: int | None = None
        self.started = dt.datetime.now(dt.UTC)
        self._lock = threading.Lock()
        self._last_status = 0.0
        self._last_log = time.monotonic()
        self._last_queue = 0.0
        self.live = console is not None and console.is_terminal
        self._console = console
        self._progress: Any = None
        self._task: Any = None

    # -- hooks the crawler calls ------------------------------------------------------------------
    def __call__(self, event: str, n: int = 1) -> None:
        with self._lock:
            if event == "outlet":
                self.done += n
            elif event == "articles":
                self.articles += n
            elif event == "page":
                self.pages += n
            elif event.startswith("failure:"):
                self.failures[event.split(":", 1)[1]] += n
            else:
                return
        self._tick()

    # -- output -----------------------------------------------------------------------------------
    def __enter__(self) -> CrawlProgress:
        if self.live:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("[bold]round {task.fields[round]}[/] outlets"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), TextColumn("{task.fields[line]}"), console=self._console, transient=False,
            )
            self._task = self._progress.add_task("crawl", total=self.total, round=self.round_no, line="")
            self._progress.start()
        self.write_status("crawling", force=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._refresh_live()
            self._progress.stop()

    def summary(self) -> str:
        fails = ", ".join(f"{k} {n}" for k, n in self.failures.most_common(4))
        queue = f" · translation queue {self.queue}" if self.queue is not None else ""
        return f"{self.articles} new articles · {self.pages} pages · failures: {fails or 'none'}{queue}"

    def _refresh_live(self) -> None:
        if self._progress is not None:
            self._progress.update(self._task, completed=self.done, line=self.summary())

    def _tick(self) -> None:
        now = time.monotonic()
        if now - self._last_queue >= QUEUE_EVERY_S:
            self._last_queue = now
            self.refresh_queue()
        self._refresh_live()
        if not self.live and now - self._last_log >= LOG_EVERY_S:
            self._last_log = now
            self.log_line("crawl_progress")
        self.write_status("crawling")

    def refresh_queue(self) -> None:
        try:
            t = self.store.translation_stats()
            self.queue = int(t.get("untried", 0)) + int(t.get("retry_due", 0))
        except Exception as exc:  # noqa: BLE001 - progress must never break the crawl
            log.debug("translation_queue_unavailable", error=str(exc))

    def log_line(self, event: str) -> None:
        log.info(event, round=self.round_no, outlets_done=self.done, outlets_total=self.total,
                 articles_new=self.articles, pages=self.pages, failures=dict(self.failures),
                 translation_queue=self.queue)

    def write_status(self, state: str, *, force: bool = False, detail: str = "",
                     next_round_at: dt.datetime | None = None) -> None:
        now = time.monotonic()
        if not force and now - self._last_status < STATUS_EVERY_S:
            return
        self._last_status = now
        try:
            self.store.set_crawl_status(
                state=state, round=self.round_no, outlets_total=self.total, outlets_done=self.done,
                articles_new=self.articles, failures=dict(self.failures), detail=detail,
                started_at=self.started, next_round_at=next_round_at,
            )
        except Exception as exc:  # noqa: BLE001 - a status write must never break the crawl
            log.warning("crawl_status_not_saved", error=str(exc))


class RoundRunner:
    """Rounds of the main job with their progress, the network watch and the status row."""

    def __init__(self, ctx: PipelineContext, *, console: Console | None = None, repeating: bool = True,
                 **crawl_kwargs: Any) -> None:
        self.ctx = ctx
        self.console = console
        self.repeating = repeating  # more rounds follow (run, crawl without --once)
        self.watch = NetworkWatch()
        self.rounds = 0
        self.crawl_kwargs = crawl_kwargs

    def crawl(self, outlets: Sequence[Outlet]) -> CrawlReport:
        """One crawl round (fetch → store), shown as it goes. The caller processes what is new."""
        from globewire.crawl import CrawlReport, crawl_once

        self.rounds += 1
        enabled = [o for o in outlets if o.enabled]
        prog = CrawlProgress(self.ctx.store, total=len(enabled), round_no=self.rounds, console=self.console)
        if not enabled:
            prog.write_status("no_outlets", force=True, detail="no outlets are enabled")
            self._say("no outlets are enabled: add or enable some (globewire sources list / add)", warn=True)
            return CrawlReport()
        with prog:
            report = crawl_once(self.ctx, probe_order(enabled), progress=prog, watch=self.watch, **self.crawl_kwargs)
        down, changed = self.watch.end_round()
        prog.refresh_queue()
        prog.log_line("crawl_round_done")
        if down:
            state, detail = "unreachable", self.watch.describe()
            if changed:
                again = (f" Probing a few outlets again with backoff (next try in {self.next_delay():.0f}s)."
                         if self.repeating else "")
                self._say(f"the network looks unreachable: {detail}; the other outlets were not tried.{again}",
                          warn=True)
        else:
            state, detail = "idle", ""
            if changed:
                self._say("the network is reachable again; crawling every outlet.", warn=False)
        prog.write_status(state, force=True, detail=detail, next_round_at=dt.datetime.now(dt.UTC)
                          + dt.timedelta(seconds=self.watch.next_delay(self.interval_s)))
        return report

    @property
    def interval_s(self) -> float:
        return float(self.ctx.settings.crawl_interval_minutes) * 60

    def next_delay(self) -> float:
        return self.watch.next_delay(self.interval_s)

    def _say(self, message: str, *, warn: bool) -> None:
        if self.console is not None and self.console.is_terminal:
            from rich.markup import escape

            self.console.print(f"[{'yellow' if warn else 'green'}]{escape(message)}[/]", soft_wrap=True)
        (log.warning if warn else log.info)("network_state" if "network" in message else "crawl_note", message=message)
