"""Benchmarks of the extraction and language stages over ../shared/benchmarks.

Every benchmark reports its numbers on the whole set and on two halves split by a hash of the
page id: "tune" (the half any constant in globewire.extract / globewire.language was calibrated
on) and "held_out" (never looked at while tuning). A gap between the two halves is overfitting.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from globewire.bench.scoring import (
    PageCounts,
    corpus_score,
    date_within,
    normalise_space,
    parse_iso_datetime,
    primary_subtag,
    shingle_counts,
    title_exact,
    token_f1,
)
from globewire.extract import ExtractionError, ExtractSettings, extract_html
from globewire.log import get_logger

log = get_logger(__name__)

# Benchmarks score every page, however short: the too_short failure is a pipeline policy.
BENCH_SETTINGS = ExtractSettings(min_text_chars=0)


def split_of(key: str) -> str:
    """Deterministic half of a page: 'tune' or 'held_out'."""
    return "tune" if hashlib.sha1(key.encode("utf-8")).digest()[0] % 2 == 0 else "held_out"


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


# --------------------------------------------------------------------------- AEB


def bench_aeb(data: Path, limit: int | None = None) -> dict[str, Any]:
    truth: dict[str, dict[str, str]] = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:limit] if limit else sorted(truth)
    per: dict[str, list[PageCounts]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    pages: list[dict[str, Any]] = []
    elapsed = 0.0
    for pid in ids:
        raw = _read(data / "html" / f"{pid}.html.gz")
        url = truth[pid].get("url", "")
        t0 = time.perf_counter()
        try:
            text = extract_html(raw, url, settings=BENCH_SETTINGS).text
        except ExtractionError as exc:
            text = ""
            errors[exc.reason] += 1
        elapsed += time.perf_counter() - t0
        counts = shingle_counts(truth[pid].get("articleBody", ""), text)
        per["all"].append(counts)
        per[split_of(pid)].append(counts)
        pages.append({"id": pid, "precision": round(counts.precision, 4), "recall": round(counts.recall, 4)})
    result: dict[str, Any] = {"benchmark": "extraction-aeb", "pages": len(ids), "seconds": round(elapsed, 2)}
    result["pages_per_s"] = round(len(ids) / elapsed, 2) if elapsed else None
    for name, page_counts in per.items():
        s = corpus_score(page_counts)
        result[name] = {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4), "pages": s.pages}
    result["errors"] = dict(errors)
    result["per_page"] = pages
    return result


# --------------------------------------------------------------------------- fundus


def bench_fundus(data: Path, limit: int | None = None) -> dict[str, Any]:
    from globewire.language import detect_language

    rows = [json.loads(line) for line in (data / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = rows[:limit] if limit else rows
    acc: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    errors: dict[str, int] = defaultdict(int)
    misses: list[dict[str, Any]] = []
    elapsed = 0.0
    for row in rows:
        raw = _read(data / row["html_file"])
        t0 = time.perf_counter()
        try:
            ex = extract_html(raw, row["url"], settings=BENCH_SETTINGS)
        except ExtractionError as exc:
            errors[exc.reason] += 1
            ex = None
        lang = None
        if ex is not None:
            lang = detect_language(f"{ex.title}\n{ex.text}", declared=ex.html_lang).language
        elapsed += time.perf_counter() - t0
        key = f"{row['publisher']}|{row['url']}"
        buckets = ("all", split_of(row["publisher"]))
        title = ex.title if ex else ""
        t_exact = float(title_exact(row.get("title"), title))
        t_f1 = token_f1(row.get("title"), title)
        body_f1 = token_f1(row.get("body_text"), ex.text if ex else "")
        scores = {"title_exact": t_exact, "title_f1": t_f1, "body_f1": body_f1}
        want_date = parse_iso_datetime(row.get("publishing_date"))
        if want_date is not None:
            scores["date_24h"] = float(date_within(want_date, ex.published_at if ex else None))
        want_lang = primary_subtag(row.get("html_lang"))
        if want_lang:
            scores["language"] = float(primary_subtag(lang) == want_lang)
        for b in buckets:
            for k, v in scores.items():
                acc[b][k].append(v)
        if t_exact < 1 or scores.get("date_24h", 1) < 1 or scores.get("language", 1) < 1 or body_f1 < 0.8:
            misses.append({
                "page": key, "title_want": normalise_space(row.get("title")), "title_got": title,
                "date_want": row.get("publishing_date"), "date_got": ex.published_at if ex else None,
                "lang_want": want_lang, "lang_got": lang, "body_f1": round(body_f1, 3),
            })
    result: dict[str, Any] = {"benchmark": "fundus-pages", "pages": len(rows), "seconds": round(elapsed, 2)}
    result["pages_per_s"] = round(len(rows) / elapsed, 2) if elapsed else None
    for b, metrics in acc.items():
        result[b] = {k: round(sum(v) / len(v), 4) for k, v in metrics.items() if v} | {"pages": len(metrics["title_f1"])}
    result["errors"] = dict(errors)
    # Pages whose detected language differs from html_lang: either detector errors or pages that
    # declare the wrong language (CMS default); listed so the two can be told apart.
    result["language_disagreements"] = [
        {"page": m["page"], "html_lang": m["lang_want"], "detected": m["lang_got"]}
        for m in misses
        if m["lang_want"] and primary_subtag(m["lang_got"]) != m["lang_want"]
    ]
    result["misses"] = misses
    return result


# --------------------------------------------------------------------------- language


def _docs(lines: list[str], rng: random.Random, n_docs: int) -> list[str]:
    docs = []
    for _ in range(n_docs):
        k = rng.randint(5, 10)
        start = rng.randrange(0, max(1, len(lines) - k))
        docs.append(" ".join(lines[start : start + k]))
    return docs


def bench_language(
    data: Path, sentences_per_language: int = 100, texts_per_language: int = 20, all_languages: bool = False,
    seed: int = 7,
) -> dict[str, Any]:
    from globewire.language import DEFAULT_LANGUAGES, detect_language

    rng = random.Random(seed)
    files = sorted((data / "sentences").glob("*.txt"))
    langs = [f.stem for f in files]
    candidates: Iterable[str] | None = langs if all_languages else None
    per_lang: dict[str, dict[str, float]] = {}
    totals: dict[str, list[int]] = defaultdict(list)
    timings: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for f in files:
        lang = f.stem
        if not all_languages and lang not in DEFAULT_LANGUAGES:
            continue
        lines = [ln.strip() for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip()]
        sample = rng.sample(lines, min(sentences_per_language, len(lines)))
        kinds: dict[str, list[str]] = {"sentence": sample, "text": _docs(lines, rng, texts_per_language)}
        row: dict[str, float] = {}
        for kind, docs in kinds.items():
            hits = []
            for d in docs:
                t0 = time.perf_counter()
                got = detect_language(d, candidates=candidates).language
                timings[kind] += time.perf_counter() - t0
                counts[kind] += 1
                hits.append(int(primary_subtag(got) == primary_subtag(lang)))
            row[kind] = round(sum(hits) / len(hits), 4) if hits else 0.0
            totals[kind].extend(hits)
            totals[f"{kind}:{split_of(lang)}"].extend(hits)
        per_lang[lang] = row
    result: dict[str, Any] = {
        "benchmark": "langid-lingua",
        "candidates": "all lingua languages" if all_languages else "default set",
        "languages": len(per_lang),
    }
    for k, hits in sorted(totals.items()):
        result[f"accuracy_{k}"] = round(sum(hits) / len(hits), 4) if hits else 0.0
    for kind in ("sentence", "text"):
        result[f"docs_per_s_{kind}"] = round(counts[kind] / timings[kind], 1) if timings[kind] else None
    result["per_language"] = per_lang
    return result
