"""The `globewire` command. The core commands (config, crawl, ingest, export, stats, db, run) live here; each
area adds its own through ``globewire.cli.<area>.register(app)``: sources, extract, stories, translate, web,
scale, and bench (every `globewire bench …` command). Shared options and output helpers: cli/common.py."""

from __future__ import annotations

import csv
import json
import sys
import threading
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from globewire.cli.common import (
    bench_app,
    DbOption,
    JsonOption,
    console,
    err_console,
    open_store,
    print_json,
    print_table,
    settings_for,
)
from globewire.log import configure as configure_logging
from globewire.workers import install_signal_handlers

app = typer.Typer(
    name="globewire",
    help="World news as the world reports it: crawl, translate, cluster into stories, serve.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
export_app = typer.Typer(help="Export articles or stories.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(db_app, name="db")
app.add_typer(bench_app, name="bench")  # its commands: cli/bench.py

@app.callback()
def _root(
    log_level: Annotated[Optional[str], typer.Option("--log-level", help="DEBUG, INFO, WARNING, ERROR.")] = None,
    log_json: Annotated[bool, typer.Option("--log-json", help="Structured JSON log lines on stderr.")] = False,
) -> None:
    from globewire.settings import load_settings

    s = load_settings()
    configure_logging(log_level or s.log_level, "json" if log_json else s.log_format)
    # `timeout`, a service manager or `kill` end a command with SIGTERM: unwind and stop the worker processes
    install_signal_handlers()


def _context(db: Path | None):
    from globewire.pipeline import PipelineContext
    from globewire.sources.catalogue import load_catalogue

    settings = settings_for(db)
    store = open_store(settings)
    catalogue = load_catalogue(settings)
    store.sync_outlets(catalogue.outlets)  # the web pages and health checks read the catalogue from the store
    return PipelineContext(settings=settings, store=store, outlets={o.id: o for o in catalogue.outlets}), catalogue


# --------------------------------------------------------------------------- config


@app.command()
def config(
    db: DbOption = None,
    json_out: JsonOption = False,
    help_settings: Annotated[bool, typer.Option("--help-settings", help="List every setting, its env var and help.")] = False,
) -> None:
    """Print the effective settings (defaults < TOML file < GLOBEWIRE_* env < flags)."""
    from globewire.settings import default_config_file, describe

    settings = settings_for(db)
    if help_settings:
        rows = [[name, env, text] for name, env, text in describe()]
        if json_out:
            print_json([dict(zip(("setting", "env", "help"), r)) for r in rows])
        else:
            print_table("Settings", ["setting", "environment variable", "help"], rows)
        return
    data = json.loads(settings.model_dump_json())
    data["resolved_database_url"] = settings.resolved_database_url
    data["config_file"] = str(default_config_file())
    if json_out:
        print_json(data)
        return
    import tomli_w

    console.print(f"# config file: {data.pop('config_file')}", highlight=False)
    clean = json.loads(json.dumps(data), object_hook=lambda d: {k: v for k, v in d.items() if v is not None})
    console.print(tomli_w.dumps(clean), highlight=False, markup=False)


# --------------------------------------------------------------------------- crawl / ingest


@app.command()
def crawl(
    db: DbOption = None,
    once: Annotated[bool, typer.Option("--once", help="One round, then exit (default: repeat on the schedule).")] = False,
    outlet: Annotated[Optional[list[str]], typer.Option("--outlet", help="Only this outlet id (repeatable).")] = None,
    country: Annotated[Optional[list[str]], typer.Option("--country", help="Only outlets of this country (repeatable).")] = None,
    no_process: Annotated[bool, typer.Option("--no-stories", help="Skip clustering/translation after the crawl.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Fetch feeds and new articles, politely; then cluster and translate what is new."""
    from globewire.pipeline import after_store
    from globewire.progress import RoundRunner

    ctx, catalogue = _context(db)
    outlets = _select_outlets(catalogue, outlet, country)
    runner = RoundRunner(ctx, console=err_console, repeating=not once)  # live on a terminal, logs otherwise
    while True:
        report = runner.crawl(outlets)
        post = {} if no_process else after_store(ctx, report.batch)
        _print_report("Crawl", report.as_dict(), post, json_out)
        if once:
            return
        time.sleep(runner.next_delay())  # the schedule, or a growing backoff while the network is unreachable


def _select_outlets(catalogue, outlet_ids, countries):
    outlets = list(catalogue.outlets)
    if outlet_ids:
        wanted = set(outlet_ids)
        unknown = wanted - {o.id for o in outlets}
        if unknown:
            err_console.print(f"[red]unknown outlet id(s): {', '.join(sorted(unknown))}[/red]")
            raise typer.Exit(2)
        outlets = [o for o in outlets if o.id in wanted]
    if countries:
        ccs = {c.upper() for c in countries}
        outlets = [o for o in outlets if o.country in ccs]
    if not outlets:
        err_console.print("[red]no outlets selected[/red]")
        raise typer.Exit(2)
    return outlets


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err_console, transient=True, disable=not err_console.is_terminal)


def _print_report(title: str, report: dict, post: dict, json_out: bool) -> None:
    def plain(v):
        if hasattr(v, "as_dict"):
            return v.as_dict()
        if hasattr(v, "__dataclass_fields__"):
            import dataclasses

            return dataclasses.asdict(v)
        return v

    post = {k: plain(v) for k, v in post.items()}
    if json_out:
        print_json({**report, **post})
        return
    rows = [[k, json.dumps(v, default=str) if isinstance(v, (dict, list)) else v] for k, v in report.items()]
    for k, v in post.items():
        rows.append([k, json.dumps(v, default=str)[:200]])
    print_table(title, ["what", "count"], rows)
    # The table cuts long values: say in full why a language stays untranslated (the message names the fix,
    # e.g. `globewire models pull de`), as `globewire translate` does.
    translated = post.get("translate")
    reasons = translated.get("unavailable_reasons") if isinstance(translated, dict) else None
    for lang, msg in sorted((reasons or {}).items()):
        err_console.print(f"[yellow]{escape(lang)}[/]: {escape(str(msg))}", soft_wrap=True, highlight=False)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders: .html, .html.gz, .txt, .warc(.gz), .jsonl")],
    db: DbOption = None,
    url: Annotated[Optional[str], typer.Option("--url", help="Article URL, when the file lacks one.")] = None,
    outlet: Annotated[Optional[str], typer.Option("--outlet", help="Outlet id to attach.")] = None,
    country: Annotated[Optional[str], typer.Option("--country", help="ISO country code to attach.")] = None,
    language: Annotated[Optional[str], typer.Option("--language", help="ISO 639-1 language to attach.")] = None,
    no_process: Annotated[bool, typer.Option("--no-stories", help="Skip clustering/translation afterwards.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Ingest local files and folders through the pipeline (extract → language → dedup → store)."""
    from globewire.ingest import Facts, IngestError, discover, read_path
    from globewire.pipeline import BatchReport, after_store, process_articles, process_documents
    from globewire.records import Failure, RawDocument

    try:
        facts = Facts.checked(url=url, outlet=outlet, country=country, language=language)
    except ValueError as e:
        err_console.print(f"[red]{escape(str(e))}[/red]")
        raise typer.Exit(2) from e
    ctx, _ = _context(db)
    try:
        files = list(discover(paths))
    except IngestError as e:
        err_console.print(f"[red]{e.reason}: {e.detail}[/red]")
        raise typer.Exit(2) from e
    if url and len(files) > 1:
        err_console.print("[red]--url names one article: give it with a single file[/red]")
        raise typer.Exit(2)
    total = BatchReport()
    docs: list = []
    ready: list = []

    def flush() -> None:
        nonlocal docs, ready
        if docs:
            total.merge(process_documents(docs, ctx))
        if ready:
            total.merge(process_articles(ready, ctx))
        docs, ready = [], []

    with _progress() as prog:
        task = prog.add_task("ingesting", total=len(files))
        for f in files:
            for item in read_path(f, facts):
                if isinstance(item, Failure):
                    ctx.store.record_failure(item)
                    total.failures[f"{item.stage}:{item.reason}"] += 1
                    total.received += 1
                elif isinstance(item, RawDocument):
                    docs.append(item)
                else:
                    ready.append(item)
                if len(docs) + len(ready) >= 50:
                    flush()
            prog.advance(task)
        flush()
    post = {} if no_process else after_store(ctx, total)
    _print_report("Ingest", {"files": len(files), **total.as_dict()}, post, json_out)


# --------------------------------------------------------------------------- export / stats / db


@export_app.command("articles")
def export_articles(
    db: DbOption = None,
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv")] = "jsonl",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    country: Annotated[Optional[str], typer.Option("--country", help="Only articles of this country (ISO code).")] = None,
    language: Annotated[Optional[str], typer.Option("--language", help="Only articles in this language (ISO 639-1).")] = None,
) -> None:
    """One record per article (the same fields `ingest` reads back from .jsonl)."""
    from globewire.ingest import csv_rows, jsonl_line

    if fmt not in ("jsonl", "csv"):
        err_console.print("[red]--format must be jsonl or csv[/red]")
        raise typer.Exit(2)
    store = open_store(settings_for(db))
    fh = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        arts = store.iter_articles(country=country.upper() if country else None,
                                   language=language.lower() if language else None)
        if fmt == "jsonl":
            for a in arts:
                fh.write(jsonl_line(a) + "\n")
        else:
            csv.writer(fh).writerows(csv_rows(arts))
    finally:
        if output:
            fh.close()


@export_app.command("stories")
def export_stories_cmd(
    db: DbOption = None,
    fmt: Annotated[str, typer.Option("--format", help="jsonl")] = "jsonl",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
) -> None:
    """One JSON record per story."""
    from globewire.stories.export import export_stories

    if fmt != "jsonl":
        err_console.print("[red]--format must be jsonl[/red]")
        raise typer.Exit(2)
    store = open_store(settings_for(db))
    fh = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        export_stories(store, fh)
    finally:
        if output:
            fh.close()


@app.command()
def stats(db: DbOption = None, json_out: JsonOption = False) -> None:
    """Counts by country, language and outlet; failures by reason."""
    store = open_store(settings_for(db))
    data = store.stats()
    extra = getattr(store, "translation_stats", None)
    if extra is not None:
        data["translation"] = extra()
    data["crawl"] = store.crawl_status()  # what the crawler is doing (None before the first crawl)
    if json_out:
        print_json(data)
        return
    console.print(f"articles: {data['articles']}  duplicates: {data['duplicates']}")
    for key in ("by_country", "by_language", "by_outlet", "failures_by_reason", "fetches"):
        rows = [[k, v] for k, v in list(data[key].items())[:30]]
        print_table(key.replace("_", " "), ["key", "count"], rows)
    if "translation" in data:
        print_table("translation", ["key", "value"], [[k, v] for k, v in data["translation"].items()])
    if data["crawl"]:
        print_table("crawl", ["key", "value"], [[k, v] for k, v in data["crawl"].items() if k != "id"])


@db_app.command("migrate")
def db_migrate(db: DbOption = None) -> None:
    """Apply pending migrations."""
    store = open_store(settings_for(db))
    console.print(f"schema up to date ({len(store.applied_migrations())} migrations)")


@db_app.command("check")
def db_check(
    db: DbOption = None,
    repair: Annotated[bool, typer.Option("--repair", help="Finish the stuck work with the pipeline's stages.")] = False,
    overdue_hours: Annotated[Optional[float], typer.Option(
        "--overdue-hours", help="Report translations still pending after this many hours (default 24).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Integrity check of the database, and work stuck in a stage: articles in no story, translations overdue,
    translated articles not re-clustered, clustered articles without a vector, stories due a synthesis or with
    counts out of step with their members. ``--repair`` runs the stages that finish it. Exit 1 when the
    database is damaged or (after ``--repair``) work is still stuck."""
    from globewire.pipeline import TRANSLATION_OVERDUE_HOURS, stuck_work
    from globewire.pipeline import repair as repair_stuck

    if overdue_hours is None:
        overdue_hours = TRANSLATION_OVERDUE_HOURS

    settings = settings_for(db)
    store = open_store(settings)
    try:
        integrity = store.integrity_check()
        stuck = {k: len(v) for k, v in stuck_work(store, settings, overdue_hours=overdue_hours).items()}
        out: dict = {"integrity": integrity, "stuck": stuck}
        if repair and integrity == "ok" and any(stuck.values()):
            done = repair_stuck(store, settings)
            out["repaired"] = {k: (v.as_dict() if hasattr(v, "as_dict") else
                                   v.to_dict() if hasattr(v, "to_dict") else v) for k, v in done.items()}
            out["stuck_after_repair"] = stuck = {
                k: len(v) for k, v in stuck_work(store, settings, overdue_hours=overdue_hours).items()}
    finally:
        store.close()
    # what repair cannot finish by itself: translations waiting for a backend or a model
    left = {k: v for k, v in stuck.items() if v and not (repair and k == "translations_overdue")}
    if json_out:
        print_json(out)
    else:
        console.print(integrity)
        after = out.get("stuck_after_repair", {})
        print_table("stuck work", ["stage", "count"] + (["after repair"] if after else []),
                    [[k.replace("_", " "), v] + ([after.get(k, "")] if after else []) for k, v in out["stuck"].items()])
        if "repaired" in out:
            print_table("repair", ["stage", "result"],
                        [[k, json.dumps(v, default=str)[:200]] for k, v in out["repaired"].items()])
    if integrity != "ok" or (repair and left):
        raise typer.Exit(1)


# --------------------------------------------------------------------------- run


@app.command()
def run(
    db: DbOption = None,
    host: Annotated[Optional[str], typer.Option("--host", help="Address to serve on.")] = None,
    port: Annotated[Optional[int], typer.Option("--port", help="Port to serve on.")] = None,
    rounds: Annotated[int, typer.Option("--rounds", help="Crawl rounds before exiting (0 = forever).")] = 0,
) -> None:
    """The main job: crawl the catalogue on a schedule, process, and serve the site."""
    from globewire.pipeline import after_store
    from globewire.progress import RoundRunner
    from globewire.web.serve import serve_in_thread

    ctx, catalogue = _context(db)
    h = host or ctx.settings.web.host
    p = port or ctx.settings.web.port
    wake = threading.Event()
    wanted: set[str] = set()

    def recrawl(outlet_id: str | None = None) -> str:
        """Admin hook from the web app: start the next round now (for one outlet, or all)."""
        if outlet_id:
            wanted.add(outlet_id)
        wake.set()
        return "re-crawl scheduled"

    runner = RoundRunner(ctx, console=err_console)  # live progress on a terminal, structured logs otherwise
    server = serve_in_thread(ctx.settings, ctx.settings.resolved_database_url, host=h, port=p, recrawl=recrawl)
    console.print(f"serving on http://{h}:{p}  (database: {ctx.settings.resolved_database_url})")
    done = 0
    try:
        while True:
            only = set(wanted)
            wanted.clear()
            wake.clear()
            outlets = [o for o in catalogue.outlets if o.enabled and (not only or o.id in only)]
            report = runner.crawl(outlets)
            post = after_store(ctx, report.batch)
            _print_report("Crawl round", report.as_dict(), post, False)
            done += 1
            if rounds and done >= rounds:
                break
            wake.wait(runner.next_delay())  # the schedule, or a growing backoff while the network is unreachable
    except KeyboardInterrupt:
        pass
    finally:
        server.should_exit = True


def _register_areas() -> None:
    from globewire.cli import bench, extract, scale, sources, stories, translate, web

    for area in (sources, extract, stories, translate, web):
        area.register(app)
    scale.register(app, db_app)
    bench.register(app)


_register_areas()


def main() -> None:
    from globewire.cli.common import run_app

    run_app(app)
