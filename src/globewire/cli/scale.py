"""CLI of the worker fleet: ``globewire worker``, ``globewire scheduler``, ``globewire backfill``,
and ``globewire db copy``.

Also runnable on its own: ``python -m globewire.cli.fleet worker ...`` (see :func:`standalone`).
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from pathlib import Path
from typing import Annotated

import typer

from globewire.cli.common import (
    DbOption,
    JsonOption,
    console,
    err_console,
    print_json,
    print_table,
    settings_for,
)
from globewire.config.scale import QUEUES


def _split(queues: str) -> list[str]:
    names = [q.strip() for q in queues.split(",") if q.strip()]
    bad = [q for q in names if q not in QUEUES]
    if bad:
        err_console.print(f"[red]unknown queue(s): {', '.join(bad)} (known: {', '.join(QUEUES)})[/red]")
        raise typer.Exit(2)
    return names


def worker(
    db: DbOption = None,
    queues: Annotated[str, typer.Option("--queues", "-Q", help="Stages this worker runs, comma-separated.")] =
    ",".join(QUEUES),
    concurrency: Annotated[int, typer.Option("--concurrency", "-c", help="Task slots (processes with --pool prefork).")] = 1,
    pool: Annotated[str, typer.Option("--pool", help="solo (one process; metrics exact) or prefork.")] = "solo",
    metrics_port: Annotated[int | None, typer.Option("--metrics-port", help="/metrics + /healthz port (0: off).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Worker node name (default: random@host).")] = None,
) -> None:
    """Run a worker of the fleet: consumes the chosen stage queues (broker: settings.scale.broker_url)."""
    settings = settings_for(db)
    if db is not None:  # the worker runtime reads settings from the environment
        os.environ["GLOBEWIRE_DATABASE_URL"] = settings.resolved_database_url
    from globewire.scale import metrics
    from globewire.scale.celery_app import app as celery
    from globewire.config.scale import queue_name, scale_settings

    s = scale_settings(settings)
    names = [queue_name(s, q) for q in _split(queues)]
    metrics.install_signal_handlers()
    _children_die_with_worker()
    metrics.serve(s.metrics_port if metrics_port is None else metrics_port)
    node = name or f"gw-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
    celery.worker_main(["worker", "-Q", ",".join(names), "--pool", pool, "-c", str(concurrency), "-n", node,
                        "--loglevel", settings.log_level, "--without-gossip", "--without-mingle"])


def _children_die_with_worker() -> None:
    """With ``--pool prefork``, each child process of the worker exits when the worker is gone (SIGKILL)."""
    from celery import signals

    from globewire.workers import watch_owner

    @signals.worker_process_init.connect(weak=False)
    def _watch(**_: object) -> None:
        watch_owner(os.getppid())


def scheduler(
    db: DbOption = None,
    once: Annotated[bool, typer.Option("--once", help="Enqueue one crawl round, then exit.")] = False,
    outlet: Annotated[list[str] | None, typer.Option("--outlet", help="Only this outlet id (repeatable).")] = None,
    interval: Annotated[float | None, typer.Option("--interval", help="Minutes between rounds (default: settings).")] = None,
) -> None:
    """Enqueue crawl rounds for the fleet: sync the catalogue into the store, then one task per outlet."""
    from globewire.store import open_store
    from globewire.scale.tasks import cluster_articles, crawl_round, translate_pending
    from globewire.sources.catalogue import load_catalogue

    settings = settings_for(db)
    store = open_store(settings.resolved_database_url)
    minutes = interval if interval is not None else settings.crawl_interval_minutes
    while True:
        catalogue = load_catalogue(settings)
        store.sync_outlets(catalogue.outlets)
        crawl_round.delay(list(outlet) if outlet else None)
        # resume by state: what a killed worker left unclustered or untranslated is taken up every round
        cluster_articles.delay([], [])
        if settings.translate.backend != "none":
            translate_pending.delay()
        console.print(f"crawl round enqueued ({len(catalogue.outlets)} outlets)")
        if once:
            return
        time.sleep(minutes * 60)


def backfill(
    paths: Annotated[list[Path], typer.Argument(help="WARC files (.warc, .warc.gz), e.g. CC-NEWS.")],
    db: DbOption = None,
    outlet: Annotated[str | None, typer.Option("--outlet")] = None,
    country: Annotated[str | None, typer.Option("--country")] = None,
    language: Annotated[str | None, typer.Option("--language")] = None,
    per_task: Annotated[int | None, typer.Option("--records-per-task", help="WARC records per task.")] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Show progress until every range is done.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Spread WARC files over the workers (one task per record range); re-running resumes the same job."""
    from globewire.ingest import Facts
    from globewire.scale.backfill import BackfillError, plan, progress
    from globewire.config.scale import scale_settings
    from globewire.store import open_store
    from globewire.scale.tasks import backfill_range

    settings = settings_for(db)
    s = scale_settings(settings)
    store = open_store(settings.resolved_database_url)
    facts = Facts(outlet=outlet, country=country.upper() if country else None,
                  language=language.lower() if language else None)
    try:
        job, todo = plan(store, paths, facts, per_task or s.backfill_records_per_task)
    except BackfillError as e:
        err_console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from e
    from dataclasses import asdict

    for r in todo:
        backfill_range.delay(job, r["path"], int(r["start_offset"]), int(r["record_count"]), asdict(facts))
    state = progress(store, job)
    while wait and state["done"] < state["ranges"]:
        err_console.print(f"job {job}: {state['done']}/{state['ranges']} ranges, {state['stored']} articles")
        time.sleep(2)
        state = progress(store, job)
    state["enqueued"] = len(todo)
    if json_out:
        print_json(state)
    else:
        print_table(f"Backfill {job}", ["what", "value"], [[k, v] for k, v in state.items()])


def db_copy(
    source: Annotated[str, typer.Option("--from", help="Source store URL (sqlite:///path.db, postgresql://...).")],
    target: Annotated[str, typer.Option("--to", help="Target store URL (migrated first).")],
    batch: Annotated[int, typer.Option("--batch", help="Rows per transaction.")] = 1000,
    json_out: JsonOption = False,
) -> None:
    """Copy every table (ids kept), reset sequences, rebuild full-text search, verify counts + checksums.
    Safe to re-run: an interrupted copy resumes, a finished one changes nothing."""
    from globewire.store import open_store
    from globewire.store.copy import CopyError, copy_store

    src = open_store(source if "://" in source else f"sqlite:///{Path(source).resolve()}")
    dst = open_store(target if "://" in target else f"sqlite:///{Path(target).resolve()}")
    try:
        report = copy_store(src, dst, batch=batch)
    except CopyError as e:
        err_console.print(f"[red]{e}[/red]")
        raise typer.Exit(1) from e
    finally:
        src.close()
        dst.close()
    if json_out:
        print_json(report.as_dict())
        return
    print_table("db copy", ["table", "rows", "copied now", "checksum"],
                [[t.table, t.target_rows, t.copied, "ok" if t.checksum_ok else "MISMATCH"] for t in report.tables])
    console.print(f"full-text rows rebuilt: {report.fts_rebuilt}; verified: {report.ok}")


def register(app: typer.Typer, db_app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.command("scheduler")(scheduler)
    app.command("backfill")(backfill)
    db_app.command("copy")(db_copy)  # `globewire bench scale` is in cli/bench.py


def standalone() -> typer.Typer:
    """The fleet's commands without the rest of the CLI: ``python -m globewire.cli.fleet worker ...``."""
    app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)
    app.command("worker")(worker)
    app.command("scheduler")(scheduler)
    app.command("backfill")(backfill)
    app.command("db-copy")(db_copy)
    from globewire.cli.bench import bench_scale

    app.command("bench-scale")(bench_scale)
    return app
