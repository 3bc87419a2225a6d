"""`globewire bench scale`: articles/s of the same workload — a generated WARC of N article pages — through
single-process SQLite (the `ingest` path) and through 1, 2 and 4 worker processes on PostgreSQL (the
`backfill` path: one task per record range, extract → language → dedup → store in the workers).

Needs the real services of the fleet (PostgreSQL, the broker; Redis is optional). Every PostgreSQL run uses a
fresh schema and unique queue names, removed afterwards. Worker start-up is excluded (the clock starts when
the workers are ready and the ranges are enqueued).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

DEFAULT_PAGES = 300
# Records per backfill task: 20 keeps every worker busy (15 tasks for 300 pages) with little per-task overhead.
BENCH_RECORDS_PER_TASK = 20
READY_TIMEOUT_S = 90
RUN_TIMEOUT_S = 600


def _write_warc(path: Path, n: int) -> None:
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from globewire.bench.pipeline import _generated_pages

    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for i, page in enumerate(_generated_pages(n)):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = w.create_warc_record(f"https://bench.example/a/{i}", "response",
                                          payload=io.BytesIO(page), http_headers=headers)
            w.write_record(record)
            record.raw_stream.close()  # warcio spools the digested payload to a temporary file it never closes


def _sqlite_run(warc: Path, tmp: Path) -> dict[str, Any]:
    from globewire.ingest import Facts, read_path
    from globewire.pipeline import BatchReport, PipelineContext, process_documents
    from globewire.records import RawDocument
    from globewire.settings import load_settings
    from globewire.store.sqlite import SQLiteStore

    store = SQLiteStore(tmp / "bench.db")
    ctx = PipelineContext(settings=load_settings(), store=store)
    total = BatchReport()
    t0 = time.perf_counter()
    docs: list[RawDocument] = []
    for item in read_path(warc, Facts(country="GB", language="en")):
        if isinstance(item, RawDocument):
            docs.append(item)
        if len(docs) >= 50:
            total.merge(process_documents(docs, ctx))
            docs = []
    if docs:
        total.merge(process_documents(docs, ctx))
    secs = time.perf_counter() - t0
    n = store.count_articles()
    store.close()
    return {"mode": "sqlite, 1 process", "workers": 1, "articles": n, "seconds": round(secs, 2),
            "articles_per_s": round(n / secs, 1), "stage_seconds": {k: round(v, 2) for k, v in total.stage_seconds.items()}}


def _pg_run(warc: Path, tmp: Path, workers: int, pg_base: str, broker: str, redis: str) -> dict[str, Any]:
    import psycopg
    from kombu import Connection

    from globewire.ingest import Facts
    from globewire.scale.backfill import plan, progress
    from globewire.scale.celery_app import make_app
    from globewire.config.scale import QUEUES, ScaleSettings, queue_name
    from globewire.store.postgres import PostgresStore

    schema, prefix = "bench_" + uuid.uuid4().hex[:8], "gwbench_" + uuid.uuid4().hex[:8]
    url = f"{pg_base}?schema={schema}"
    env = {**os.environ, "GLOBEWIRE_DATABASE_URL": url, "GLOBEWIRE_SCALE__BROKER_URL": broker,
           "GLOBEWIRE_SCALE__REDIS_URL": redis, "GLOBEWIRE_SCALE__QUEUE_PREFIX": prefix,
           "GLOBEWIRE_SCALE__METRICS_PORT": "0", "GLOBEWIRE_LOG_LEVEL": "WARNING"}
    src = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    store = PostgresStore(url)
    procs: list[subprocess.Popen[bytes]] = []
    logs = [tmp / f"{schema}-w{i}.log" for i in range(workers)]
    try:
        for i in range(workers):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "globewire.cli.fleet", "worker", "--queues", "backfill",
                 "--name", f"b{i}-{prefix}@bench"],
                env={**env, "GLOBEWIRE_LOG_LEVEL": "INFO"}, stdout=logs[i].open("wb"), stderr=subprocess.STDOUT,
                start_new_session=True))
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline and not all(b"ready" in p.read_bytes() for p in logs):
            time.sleep(0.3)
        s = ScaleSettings(broker_url=broker, queue_prefix=prefix)
        producer = make_app(s)
        facts = Facts(country="GB", language="en")
        t0 = time.perf_counter()
        job, todo = plan(store, [warc], facts, BENCH_RECORDS_PER_TASK)
        for r in todo:
            producer.send_task("globewire.scale.tasks.backfill_range", queue=queue_name(s, "backfill"),
                               args=[job, r["path"], int(r["start_offset"]), int(r["record_count"]),
                                     {"url": None, "outlet": None, "country": "GB", "language": "en"}])
        deadline = time.monotonic() + RUN_TIMEOUT_S
        state = progress(store, job)
        while time.monotonic() < deadline and state["done"] < state["ranges"]:
            time.sleep(0.2)
            state = progress(store, job)
        secs = time.perf_counter() - t0
        n = store.count_articles()
        return {"mode": f"postgresql, {workers} worker process(es)", "workers": workers, "articles": n,
                "seconds": round(secs, 2), "articles_per_s": round(n / secs, 1), "ranges": state["ranges"]}
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        store.close()
        with psycopg.connect(pg_base, autocommit=True) as c:
            c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        with Connection(broker) as conn:
            for q in QUEUES:
                try:
                    conn.default_channel.queue_delete(queue_name(s, q))
                except Exception:  # noqa: BLE001
                    pass


def run_scale_bench(pages: int = DEFAULT_PAGES, workers: tuple[int, ...] = (1, 2, 4),
                    pg: str = "postgresql://postgres@127.0.0.1:5432/test",
                    broker: str = "amqp://guest:guest@127.0.0.1:5672//",
                    redis: str = "redis://127.0.0.1:6379/0") -> dict[str, Any]:
    """Articles/s with each count of worker processes on PostgreSQL versus single-process SQLite."""
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        warc = tmp / "bench.warc.gz"
        _write_warc(warc, pages)
        rows.append(_sqlite_run(warc, tmp))
        for k in workers:
            rows.append(_pg_run(warc, tmp, k, pg, broker, redis))
    return {"pages": pages, "cpu_cores": os.cpu_count(), "runs": rows}
