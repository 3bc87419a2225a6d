"""`globewire bench pipeline`: fetch (loopback) + extract + language + dedup + store throughput.

Real pages (the fundus-pages set from ../shared when given, else generated pages) are served by a real
HTTP server on 127.0.0.1 behind an RSS feed per simulated outlet; the real crawler fetches the feeds and
pages and runs the per-article stages into a real SQLite file. Politeness delays are set to 0 for the
measurement (they are a choice, not a machine limit); everything else is the production path.
"""

from __future__ import annotations

import gzip
import json
import resource
import tempfile
import time
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from globewire.bench.loopback import LoopbackHTTP
from globewire.records import Feed, Outlet, utcnow

# Pages served per simulated outlet (its feed lists them all).
PAGES_PER_OUTLET = 50


def _generated_pages(n: int) -> list[bytes]:
    words = ("government minister election economy market storm health court police city council school "
             "report company energy climate trade border talks agreement protest budget inflation").split()
    pages = []
    for i in range(n):
        paras = []
        for p in range(8):
            sent = " ".join(words[(i * 7 + p * 3 + k) % len(words)] for k in range(18))
            paras.append(f"<p>Article {i} paragraph {p}: {sent.capitalize()}. {sent} again with number {i * p}.</p>")
        pages.append(
            f"<!doctype html><html lang='en'><head><title>Story number {i} - Bench Times</title>"
            f"<meta property='article:published_time' content='2026-11-0{1 + i % 9}T10:00:00Z'></head>"
            f"<body><nav>Home World Sport</nav><article><h1>Story number {i}</h1>{''.join(paras)}</article>"
            f"<footer>Copyright</footer></body></html>".encode()
        )
    return pages


def _fundus_pages(data: Path, n: int) -> list[bytes]:
    manifest = data / "manifest.jsonl"
    pages = []
    with manifest.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            pages.append(gzip.decompress((data / row["html_file"]).read_bytes()))
            if len(pages) >= n:
                break
    return pages


class _Site:
    def __init__(self, pages: list[bytes], outlets: int) -> None:
        self.pages = pages
        self.outlets = outlets
        self.server = LoopbackHTTP(self._answer)
        self.port = self.server.port

    def _answer(self, path: str) -> tuple[bytes, str] | None:
        parts = path.strip("/").split("/")
        if path == "/robots.txt":
            return b"User-agent: *\nAllow: /\n", "text/plain"
        if len(parts) == 2 and parts[1] == "feed.xml":
            o = int(parts[0][1:])
            items = "".join(
                f"<item><title>Page {k}</title><link>http://127.0.0.1:{self.port}/o{o}/p{k}.html</link>"
                f"<guid>o{o}-p{k}</guid><pubDate>{format_datetime(utcnow())}</pubDate></item>"
                for k in range(o * PAGES_PER_OUTLET, (o + 1) * PAGES_PER_OUTLET) if k < len(self.pages)
            )
            body = f"<?xml version='1.0'?><rss version='2.0'><channel><title>o{o}</title>{items}</channel></rss>"
            return body.encode(), "application/rss+xml"
        if len(parts) == 2 and parts[1].startswith("p"):
            k = int(parts[1][1:].split(".")[0])
            return self.pages[k], "text/html"
        return None

    def __enter__(self) -> "_Site":
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()


def run_pipeline_bench(data: Path | None, pages: int) -> dict[str, Any]:
    from globewire.crawl import crawl_once
    from globewire.pipeline import PipelineContext
    from globewire.settings import load_settings
    from globewire.store import open_store

    html = _fundus_pages(data, pages) if data else _generated_pages(pages)
    n_outlets = (len(html) + PAGES_PER_OUTLET - 1) // PAGES_PER_OUTLET
    with tempfile.TemporaryDirectory() as tmp, _Site(html, n_outlets) as site:
        settings = load_settings(data_dir=tmp)
        settings.fetch.allow_private_addresses = True
        settings.fetch.min_host_delay = 0.0
        settings.fetch.respect_robots = True
        store = open_store(str(Path(tmp) / "bench.db"))
        outlets = [
            Outlet(id=f"bench-{o}", name=f"Bench {o}", homepage=f"http://127.0.0.1:{site.port}/o{o}/", country="GB",
                   languages=("en",), feeds=(Feed(f"http://127.0.0.1:{site.port}/o{o}/feed.xml"),))
            for o in range(n_outlets)
        ]
        ctx = PipelineContext(settings=settings, store=store, outlets={o.id: o for o in outlets})
        t0 = time.perf_counter()
        report = crawl_once(ctx, outlets)
        wall = time.perf_counter() - t0
        stored = report.batch.new + report.batch.updated + report.batch.unchanged
        per_stage = {k: round(v, 3) for k, v in report.batch.stage_seconds.items()}
        store.close()
    return {
        "source": "fundus-pages" if data else "generated",
        "pages": len(html),
        "stored": stored,
        "duplicates": report.batch.duplicates,
        "failures": dict(report.batch.failures),
        "wall_seconds": round(wall, 2),
        "articles_per_second": round(stored / wall, 2) if wall else None,
        "stage_seconds": per_stage,
        "stage_articles_per_second": {k: round(len(html) / v, 1) for k, v in per_stage.items() if v},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "worker_peak_rss_mb": _worker_peaks(),
        "workers": settings.workers,
    }


def _worker_peaks() -> list[float]:
    """Peak resident memory of the extraction worker processes (Linux /proc), in MB."""
    from globewire.workers import pool_pids

    peaks = []
    for pid in pool_pids():
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(round(int(line.split()[1]) / 1024, 1))
        except OSError:
            continue
    return peaks
