"""Distributed backfill of WARC files (e.g. CC-NEWS): one task per record range of one file.

Planning reads each file once without decoding payloads and records the byte offset of every
``records_per_task``-th record; a task seeks there and processes ``count`` records. The job and its ranges
live in two tables of the store's migrations (``Store.create_backfill_job`` and its neighbours); a range is marked done after its
articles are stored, so re-running the same ``globewire backfill`` enqueues only the ranges not done yet,
and re-processing a range is harmless (upserts by canonical URL).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from globewire.ingest import Facts, iter_warc
from globewire.log import get_logger
from globewire.records import Failure, RawDocument

log = get_logger(__name__)

# Documents handed to the per-article stages at once inside a range (the ingest command uses 50).
PROCESS_BATCH = 50

class BackfillError(ValueError):
    pass


def job_id_for(paths: list[Path], facts: Facts) -> str:
    key = json.dumps([sorted(str(p.resolve()) for p in paths), asdict(facts)], sort_keys=True)
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def warc_offsets(path: Path, per_range: int) -> Iterator[tuple[int, int]]:
    """(byte offset, record count) of consecutive ranges of ``per_range`` records."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    with path.open("rb") as fh:
        it = ArchiveIterator(fh)
        start, n = None, 0
        try:
            for _record in it:
                if start is None:
                    start = it.get_record_offset()
                n += 1
                if n == per_range:
                    yield start, n
                    start, n = None, 0
        except ArchiveLoadFailed as e:
            raise BackfillError(f"{path}: not a readable WARC file ({e})") from e
        if start is not None and n:
            yield start, n


def plan(store: Any, paths: list[Path], facts: Facts, per_range: int) -> tuple[str, list[dict[str, Any]]]:
    """Record the job and its ranges (idempotent); return the job id and the ranges not done yet."""
    files = sorted({p.resolve() for p in paths})
    for f in files:
        if not f.is_file():
            raise BackfillError(f"not a file: {f}")
        if not f.name.lower().endswith((".warc", ".warc.gz")):
            raise BackfillError(f"not a WARC file (.warc, .warc.gz): {f}")
    job = job_id_for(files, facts)
    if not store.has_backfill_job(job):
        ranges = [(str(f), off, n) for f in files for off, n in warc_offsets(f, per_range)]
        store.create_backfill_job(job, paths=json.dumps([str(f) for f in files]), facts=json.dumps(asdict(facts)),
                                  ranges=ranges)
    return job, store.backfill_ranges_todo(job)


def progress(store: Any, job: str) -> dict[str, Any]:
    return {**store.backfill_progress(job), "job": job}


def run_range(rt: Any, job: str, path: str, offset: int, count: int, facts: dict[str, Any],
              process: Callable[[list[RawDocument]], Any]) -> dict[str, Any]:
    store = rt.store
    f = Facts(**facts)
    records = stored = failures = 0
    new_ids: list[int] = []
    changed_ids: list[int] = []
    docs: list[RawDocument] = []

    def flush() -> None:
        nonlocal docs, stored, failures
        if docs:
            rep = process(docs)
            stored += rep.new + rep.updated + rep.unchanged
            failures += sum(rep.failures.values())
            new_ids.extend(rep.new_ids)
            changed_ids.extend(rep.changed_ids)
        docs = []

    with open(path, "rb") as fh:
        fh.seek(offset)
        # Damaged archives end the range with a recorded failure (truncated/bad_warc), never an exception.
        for item in iter_warc(fh, f, path, gz=path.lower().endswith(".gz")):
            if records >= count:
                break
            records += 1
            if isinstance(item, Failure):
                store.record_failure(item)
                failures += 1
            elif item is not None:
                docs.append(item)
                if len(docs) >= PROCESS_BATCH:
                    flush()
    flush()
    store.finish_backfill_range(job, path, offset, records=records, stored=stored, failures=failures)
    log.info("backfill_range", job=job, path=path, offset=offset, records=records, stored=stored)
    return {"records": records, "stored": stored, "failures": failures, "new_ids": new_ids,
            "changed_ids": changed_ids}
