"""`globewire bench nonarticles`: how often real articles are wrongly rejected as non-articles (anti-bot,
consent, paywall, error or section pages), over the real pages of ../shared/benchmarks (fundus-pages,
extraction-aeb), and how the labelled non-article fixtures come out.

Fixture labels come from the file name: ``<lang>_<kind...>.html`` is expected to fail with the kind named in
``FIXTURE_KINDS`` by the first matching word; ``ctrl_*`` and live blogs are articles.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from globewire.bench.extract import BENCH_SETTINGS, _read
from globewire.extract import ExtractionError, extract_html

FIXTURE_KINDS: tuple[tuple[str, str], ...] = (
    ("antibot", "antibot"), ("challenge", "antibot"), ("ddos", "antibot"), ("consent", "consent"),
    ("paywall", "paywall"), ("not_found", "error_page"), ("404", "error_page"), ("section", "index_page"),
    ("tag_page", "index_page"),
)


def _outcome(raw: bytes, url: str) -> tuple[str, str]:
    try:
        extract_html(raw, url, settings=BENCH_SETTINGS)
    except ExtractionError as exc:
        return exc.reason, exc.detail
    return "article", ""


def _real_pages(fundus: Path | None, aeb: Path | None) -> list[tuple[str, str, Path]]:
    pages: list[tuple[str, str, Path]] = []
    if fundus is not None and (fundus / "manifest.jsonl").exists():
        for line in (fundus / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                pages.append(("fundus-pages", row["url"], fundus / row["html_file"]))
    if aeb is not None and (aeb / "ground-truth.json").exists():
        truth = json.loads((aeb / "ground-truth.json").read_text(encoding="utf-8"))
        pages += [("extraction-aeb", truth[pid].get("url", ""), aeb / "html" / f"{pid}.html.gz") for pid in sorted(truth)]
    return pages


def bench_nonarticles(fundus: Path | None, aeb: Path | None, fixtures: Path | None) -> dict[str, Any]:
    result: dict[str, Any] = {"benchmark": "nonarticles", "real": {}, "rejected_real": [], "fixtures": []}
    t0 = time.perf_counter()
    pages = _real_pages(fundus, aeb)
    for source, url, path in pages:
        reason, detail = _outcome(_read(path), url)
        r = result["real"].setdefault(source, {"pages": 0, "rejected": 0, "other_failures": 0})
        r["pages"] += 1
        if reason.startswith("not_article:"):
            r["rejected"] += 1
            result["rejected_real"].append({"source": source, "url": url, "reason": reason, "detail": detail})
        elif reason != "article":
            r["other_failures"] += 1
    result["real_pages_per_s"] = round(len(pages) / (time.perf_counter() - t0), 2) if pages else None
    if fixtures is not None and fixtures.is_dir():
        for path in sorted(fixtures.glob("*.html")):
            name = path.stem
            expected = "article" if name.startswith("ctrl_") else next(
                (f"not_article:{k}" for word, k in FIXTURE_KINDS if word in name), "article")
            reason, detail = _outcome(path.read_bytes(), f"https://news.example.org/2024/05/03/{name}")
            result["fixtures"].append({"file": path.name, "expected": expected, "got": reason, "ok": reason == expected,
                                       "detail": detail})
        n = len(result["fixtures"])
        result["fixtures_correct"] = f"{sum(f['ok'] for f in result['fixtures'])}/{n}"
    return result
