"""Backfill planning and range processing on a real WARC file and a real SQLite store: ranges cover every
record once, a re-plan after completion has nothing left, and re-running a range stores nothing twice."""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from globewire.ingest import Facts
from globewire.pipeline import PipelineContext, process_documents
from globewire.scale.backfill import (
    BackfillError,
    plan,
    progress,
    run_range,
    warc_offsets,
)
from globewire.settings import load_settings
from globewire.store.sqlite import SQLiteStore
from tests.warcs import write_record


def write_warc(path: Path, n: int) -> list[str]:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from globewire.bench.pipeline import _generated_pages

    urls = []
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for i, page in enumerate(_generated_pages(n)):
            url = f"https://bench.example/a/{i}"
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            write_record(w, url, "response", payload=io.BytesIO(page), http_headers=headers)
            write_record(w, url, "metadata", payload=io.BytesIO(b"x: y"),
                         warc_content_type="application/warc-fields")
            urls.append(url)
    return urls


@dataclass
class Holder:
    store: SQLiteStore


def test_ranges_cover_every_record_and_resume(tmp_path: Path) -> None:
    warc = tmp_path / "cc-news.warc.gz"
    urls = write_warc(warc, 7)
    ranges = list(warc_offsets(warc, 4))
    assert [n for _, n in ranges] == [4, 4, 4, 2]  # 14 records
    store = SQLiteStore(tmp_path / "b.db")
    ctx = PipelineContext(settings=load_settings(), store=store)
    facts = Facts(country="GB", language="en")
    job, todo = plan(store, [warc], facts, 4)
    assert len(todo) == 4
    rt = Holder(store)
    for r in todo[:2]:  # "interrupted" after two ranges
        run_range(rt, job, r["path"], r["start_offset"], r["record_count"], asdict(facts),
                  process=lambda docs: process_documents(docs, ctx))
    job2, todo2 = plan(store, [warc], facts, 4)
    assert job2 == job and len(todo2) == 2
    for r in todo2:
        run_range(rt, job, r["path"], r["start_offset"], r["record_count"],
                  {"url": None, "outlet": None, "country": "GB", "language": "en"},
                  process=lambda docs: process_documents(docs, ctx))
    assert sorted(a.url for a in store.iter_articles()) == sorted(urls)
    assert progress(store, job)["done"] == 4 and plan(store, [warc], facts, 4)[1] == []
    again = run_range(rt, job, todo[0]["path"], todo[0]["start_offset"], todo[0]["record_count"],
                      {"url": None, "outlet": None, "country": "GB", "language": "en"},
                      process=lambda docs: process_documents(docs, ctx))
    assert again["new_ids"] == [] and store.count_articles() == 7
    assert {a.country for a in store.iter_articles()} == {"GB"}


def test_plan_rejects_what_is_not_a_warc(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "b.db")
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    with pytest.raises(BackfillError):
        plan(store, [bad], Facts(), 10)
    garbage = tmp_path / "broken.warc.gz"
    garbage.write_bytes(b"\x1f\x8bnot really gzip")
    with pytest.raises(BackfillError):
        plan(store, [garbage], Facts(), 10)
